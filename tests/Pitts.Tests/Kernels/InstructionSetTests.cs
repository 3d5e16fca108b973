using System.Runtime.Intrinsics;

namespace Pitts.Tests.Kernels;

/// <summary>
/// test.sh reruns the kernel tests with DOTNET_EnableAVX512=0, and again with DOTNET_EnableAVX2=0 as well, so that
/// the Vector256 and the 128-bit fallbacks run on an AVX-512 machine. This checks that the switches really turn the
/// wider ISAs off in those runs (a misspelt or retired knob would leave every fallback untested while the rerun
/// stayed green).
/// </summary>
public class InstructionSetTests
{
    [Fact]
    public void TheAvx512SwitchOfTheFallbackRunTakesEffect()
    {
        // Only meaningful in that rerun; elsewhere the runtime reports what the CPU has.
        if (Environment.GetEnvironmentVariable("DOTNET_EnableAVX512") != "0") return;
        Assert.False(Vector512.IsHardwareAccelerated, "DOTNET_EnableAVX512=0 but Vector512 is still accelerated");
        Assert.False(System.Runtime.Intrinsics.X86.Avx512F.IsSupported, "DOTNET_EnableAVX512=0 but AVX-512F is still used");
    }

    [Fact]
    public void TheAvx2SwitchOfThe128BitRunTakesEffect()
    {
        // Only meaningful in that rerun: what ARM64 and WebAssembly SIMD offer, 128-bit vectors only.
        if (Environment.GetEnvironmentVariable("DOTNET_EnableAVX2") != "0") return;
        Assert.False(Vector256.IsHardwareAccelerated, "DOTNET_EnableAVX2=0 but Vector256 is still accelerated");
        Assert.False(System.Runtime.Intrinsics.X86.Avx2.IsSupported, "DOTNET_EnableAVX2=0 but AVX2 is still used");
        Assert.True(Vector128.IsHardwareAccelerated, "Vector128 should stay accelerated (SSE)");
        Assert.Equal(Pitts.Kernels.GemmPath.Vector128, Pitts.Kernels.Gemm.Resolve(Pitts.Kernels.GemmPath.Auto));
    }
}
