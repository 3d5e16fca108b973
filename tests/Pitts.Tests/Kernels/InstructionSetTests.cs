using System.Runtime.Intrinsics;

namespace Pitts.Tests.Kernels;

/// <summary>
/// test.sh reruns the kernel tests with DOTNET_EnableAVX512=0 so that the Vector256 and scalar fallbacks run on an
/// AVX-512 machine. This checks that the switch really turns AVX-512 off in that run (a misspelt or retired knob
/// would leave every fallback untested while the rerun stayed green).
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
}
