import sys
def fma(vt):
    """The multiply-add of a path: fused on the AVX2/AVX-512 paths (FMA3 comes with them); on the 128-bit path
    MulAdd128: Vector128.MultiplyAddEstimate where the hardware fuses (ARM64 AdvSimd, x64 with FMA3), else a multiply
    then an add written as operators (x64 with AVX2 switched off, WebAssembly). Never the software FMA that is 50x
    slower, and never MultiplyAddEstimate unfused: the Mono interpreter (the browser) does not intrinsify it and runs
    it lane by lane through Vector64, 80x slower than the operators (0.08 against 6 GFLOP/s in Chromium)."""
    return "MulAdd128" if vt == "Vector128" else f"{vt}.FusedMultiplyAdd"

def bcast(vt, base, index):
    """One float broadcast to all lanes; on the 128-bit path a load that broadcasts (AVX's vbroadcastss from memory,
    WebAssembly's v128.load32_splat) where there is one, instead of the load and shuffle Vector128.Create compiles
    to, which took an FP pipe per row (and in the browser's interpreter one more operation per row)."""
    return f"Broadcast128({base} + {index})" if vt == "Vector128" else f"{vt}.Create({base}[{index}])"

def kernel(name, vt, width, mr, nv, astride=None):
    nr = width*nv
    astride = astride or mr
    L = []
    what = "" if astride == mr else f" (the first {mr} rows of a {astride}-row A panel)"
    chain = "one multiply-add chain per element in k order (fused where the hardware fuses)" if vt == "Vector128" else "one FMA chain per element in k order"
    L.append(f"    /// <summary>{mr}x{nr} micro-kernel{what}: C[0..{mr}, 0..{nr}] (+)= Apanel · Bpanel over kc steps, {chain}.</summary>")
    L.append(f"    [MethodImpl(MethodImplOptions.AggressiveOptimization)]")
    L.append(f"    internal static void {name}(int kc, float* a, float* b, float* c, int ldc, bool load)")
    L.append("    {")
    acc = [[f"c{r}_{v}" for v in range(nv)] for r in range(mr)]
    L.append(f"        {vt}<float> " + ", ".join(x for row in acc for x in row) + ";")
    L.append("        if (load)")
    L.append("        {")
    for r in range(mr):
        L.append("            " + " ".join(f"{acc[r][v]} = {vt}.Load(c + {r} * ldc + {v*width});" for v in range(nv)))
    L.append("        }")
    L.append("        else")
    L.append("        {")
    L.append("            " + " = ".join(x for row in acc for x in row) + f" = {vt}<float>.Zero;")
    L.append("        }")
    L.append("        for (int p = 0; p < kc; p++)")
    L.append("        {")
    L.append("            " + " ".join(f"var b{v} = {vt}.Load(b + {v*width});" for v in range(nv)))
    for r in range(mr):
        L.append(f"            var a{r} = {bcast(vt, 'a', str(r))}; " + " ".join(f"{acc[r][v]} = {fma(vt)}(a{r}, b{v}, {acc[r][v]});" for v in range(nv)))
    L.append(f"            a += {astride}; b += {nr};")
    L.append("        }")
    for r in range(mr):
        L.append("        " + " ".join(f"{acc[r][v]}.Store(c + {r} * ldc + {v*width});" for v in range(nv)))
    L.append("    }")
    return "\n".join(L)

def scalar(name, mr, nr):
    L = []
    L.append(f"    /// <summary>{mr}x{nr} scalar micro-kernel with MathF.FusedMultiplyAdd, the same FMA chain per element as the vector kernels.</summary>")
    L.append(f"    internal static void {name}(int kc, float* a, float* b, float* c, int ldc, bool load)")
    L.append("    {")
    acc = [[f"c{r}_{v}" for v in range(nr)] for r in range(mr)]
    L.append(f"        float " + ", ".join(x for row in acc for x in row) + ";")
    L.append("        if (load)")
    L.append("        {")
    for r in range(mr):
        L.append("            " + " ".join(f"{acc[r][v]} = c[{r} * ldc + {v}];" for v in range(nr)))
    L.append("        }")
    L.append("        else")
    L.append("        {")
    L.append("            " + " = ".join(x for row in acc for x in row) + " = 0f;")
    L.append("        }")
    L.append("        for (int p = 0; p < kc; p++)")
    L.append("        {")
    L.append("            " + " ".join(f"float b{v} = b[{v}];" for v in range(nr)))
    for r in range(mr):
        L.append(f"            float a{r} = a[{r}]; " + " ".join(f"{acc[r][v]} = MathF.FusedMultiplyAdd(a{r}, b{v}, {acc[r][v]});" for v in range(nr)))
    L.append(f"            a += {mr}; b += {nr};")
    L.append("        }")
    for r in range(mr):
        L.append("        " + " ".join(f"c[{r} * ldc + {v}] = {acc[r][v]};" for v in range(nr)))
    L.append("    }")
    return "\n".join(L)



def smallbody(vt, W, R, V, partial, indent):
    """One R-row block of C[rows, V*W cols] (+)= op(A) rows · B, no packing; masked C access when partial (V == 1)."""
    isa = "Avx512F" if vt == "Vector512" else "Avx"
    L = []
    ind = " " * indent
    for r in range(R):
        L.append(f"{ind}float* a{r} = ai + {r} * sa;")
    accs = [[f"c{r}_{v}" for v in range(V)] for r in range(R)]
    def ld(ptr):
        if not partial:
            return f"{vt}.Load({ptr})"
        if vt == "Vector128":
            return f"LoadPartial128({ptr}, w)"
        return f"{isa}.MaskLoad({ptr}, mask, {vt}<float>.Zero)" if isa == "Avx512F" else f"Avx.MaskLoad({ptr}, mask)"
    L.append(f"{ind}{vt}<float> " + ", ".join(x for row in accs for x in row) + ";")
    L.append(f"{ind}if (acc)")
    L.append(f"{ind}{{")
    for r in range(R):
        L.append(f"{ind}    " + " ".join(f"{accs[r][v]} = {ld(f'ci + {r} * ldc + {v * W}')};" for v in range(V)))
    L.append(f"{ind}}}")
    L.append(f"{ind}else")
    L.append(f"{ind}{{")
    L.append(f"{ind}    " + " = ".join(x for row in accs for x in row) + f" = {vt}<float>.Zero;")
    L.append(f"{ind}}}")
    L.append(f"{ind}for (int p = 0; p < k; p++)")
    L.append(f"{ind}{{")
    L.append(f"{ind}    float* bp = b + (long)p * ldb;")
    # B too is read masked in a partial block (x64's masked loads never fault past the mask), so B needs no padding.
    L.append(f"{ind}    " + " ".join(f"var b{v} = {ld(f'bp + {v * W}') if partial and vt != 'Vector128' else f'{vt}.Load(bp + {v * W})'};" for v in range(V)))
    for r in range(R):
        L.append(f"{ind}    var a{r}v = {bcast(vt, f'a{r}', 'p * sp')}; " + " ".join(f"{accs[r][v]} = {fma(vt)}(a{r}v, b{v}, {accs[r][v]});" for v in range(V)))
    L.append(f"{ind}}}")
    for r in range(R):
        if partial and vt == "Vector128":
            L.append(f"{ind}StorePartial128(ci + {r} * ldc, w, {accs[r][0]});")
        elif partial:
            L.append(f"{ind}{isa}.MaskStore(ci + {r} * ldc, mask, {accs[r][0]});")
        else:
            L.append(f"{ind}" + " ".join(f"{accs[r][v]}.Store(ci + {r} * ldc + {v * W});" for v in range(V)))
    return "\n".join(L)

def smallcols(vt, W, V, partial, R=4):
    s = vt[6:]
    isa = "Avx512F" if vt == "Vector512" else "Avx"
    name = f"Small{s}Cols{'Masked' if partial else V}"
    L = []
    if partial and vt == "Vector128":
        L.append(f"    /// <summary>Columns [0, w) of C, w &lt; {W}, with element-wise loads and stores of C (any ISA); B readable to {W} columns.</summary>")
    elif partial:
        L.append(f"    /// <summary>Columns [0, w) of C, w &lt; {W}, with masked loads of B and C and masked stores of C (needs {isa}).</summary>")
    else:
        L.append(f"    /// <summary>{V * W} columns of C for all m rows, {R} rows at a time ({R * V} independent FMA chains).</summary>")
    L.append("    [MethodImpl(MethodImplOptions.AggressiveOptimization)]")
    L.append(f"    private static void {name}(int m, int k, float* a, long sa, long sp, float* b, int ldb, float* c, int ldc, bool acc" + (", int w)" if partial else ")"))
    L.append("    {")
    if partial and vt != "Vector128":
        L.append(f"        var mask = {vt}.LessThan({vt}<int>.Indices, {vt}.Create(w)).AsSingle();")
    L.append("        int i = 0;")
    L.append(f"        for (; i + {R} <= m; i += {R})")
    L.append("        {")
    L.append("            float* ai = a + i * sa;")
    L.append("            float* ci = c + (long)i * ldc;")
    L.append(smallbody(vt, W, R, V, partial, 12))
    L.append("        }")
    L.append("        for (; i < m; i++)")
    L.append("        {")
    L.append("            float* ai = a + i * sa;")
    L.append("            float* ci = c + (long)i * ldc;")
    L.append(smallbody(vt, W, 1, V, partial, 12))
    L.append("        }")
    L.append("    }")
    return "\n".join(L)

def smalldriver(vt, W, V):
    s = vt[6:]
    isa = "Avx512F" if vt == "Vector512" else "Avx"
    if vt == "Vector128":
        return f"""    /// <summary>
    /// No-packing product on Vector128 (SSE, AdvSimd, WebAssembly SIMD): B row-major with ldb, readable up to the
    /// next multiple of {W} columns. A last, partial block of columns loads and stores C element by element.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Small{s}(int m, int n, int k, float* a, long sa, long sp, float* b, int ldb, float* c, int ldc, bool acc)
    {{
        int j = 0;
        for (; j + {V * W} <= n; j += {V * W}) Small{s}Cols{V}(m, k, a, sa, sp, b + j, ldb, c + j, ldc, acc);
        for (; j + {W} <= n; j += {W}) Small{s}Cols1(m, k, a, sa, sp, b + j, ldb, c + j, ldc, acc);
        if (j < n) Small{s}ColsMasked(m, k, a, sa, sp, b + j, ldb, c + j, ldc, acc, n - j);
    }}

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<float> Broadcast128(float* p) =>
        PackedSimd.IsSupported ? PackedSimd.LoadScalarAndSplatVector128(p) : Avx.IsSupported ? Avx.BroadcastScalarToVector128(p) : Vector128.Create(*p);

    /// <summary>a · b + c: fused where the hardware fuses (see <see cref="Gemm.Vector128Fuses"/>), else rounded twice.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector128<float> MulAdd128(Vector128<float> a, Vector128<float> b, Vector128<float> c) =>
        Fma.IsSupported || AdvSimd.IsSupported ? Vector128.MultiplyAddEstimate(a, b, c) : a * b + c;

    /// <summary>The first w (&lt; 4) floats at p, the other lanes 0.</summary>
    private static Vector128<float> LoadPartial128(float* p, int w)
    {{
        float* t = stackalloc float[4];
        *(Vector128<float>*)t = Vector128<float>.Zero;
        for (int q = 0; q < w; q++) t[q] = p[q];
        return Vector128.Load(t);
    }}

    private static void StorePartial128(float* p, int w, Vector128<float> v)
    {{
        float* t = stackalloc float[4];
        v.Store(t);
        for (int q = 0; q < w; q++) p[q] = t[q];
    }}"""
    return f"""    /// <summary>
    /// No-packing product on {vt}: B row-major with ldb, read only within its n columns. A last, partial block of
    /// columns uses masked loads of B and C and masked stores of C, or the scalar loop where {isa} is missing.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Small{s}(int m, int n, int k, float* a, long sa, long sp, float* b, int ldb, float* c, int ldc, bool acc)
    {{
        int j = 0;
        for (; j + {V * W} <= n; j += {V * W}) Small{s}Cols{V}(m, k, a, sa, sp, b + j, ldb, c + j, ldc, acc);
{f"        if (j + {2 * W} <= n) {{ Small{s}Cols2(m, k, a, sa, sp, b + j, ldb, c + j, ldc, acc); j += {2 * W}; }}" + chr(10) if V > 2 else ""}        for (; j + {W} <= n; j += {W}) Small{s}Cols1(m, k, a, sa, sp, b + j, ldb, c + j, ldc, acc);
        if (j == n) return;
        if ({isa}.IsSupported) Small{s}ColsMasked(m, k, a, sa, sp, b + j, ldb, c + j, ldc, acc, n - j);
        else Gemm.SmallRowsScalar(m, n, k, a, sa, sp, b, ldb, c, ldc, acc, j);
    }}"""
mr512 = int(sys.argv[1]) if len(sys.argv) > 1 else 12
print("// <auto-generated> by src/Pitts/Kernels/make_kernels.py; edit the generator, not this file. </auto-generated>")
print("using System.Runtime.CompilerServices;")
print("using System.Runtime.Intrinsics;")
print("using System.Runtime.Intrinsics.Arm;")
print("using System.Runtime.Intrinsics.Wasm;")
print("using System.Runtime.Intrinsics.X86;")
print()
print("namespace Pitts.Kernels;")
print()
print("/// <summary>Register-blocked GEMM micro-kernels over packed panels (A: MR values per k step, B: NR values per k step).</summary>")
print("[SkipLocalsInit]")
print("internal static unsafe class GemmKernels")
print("{")
print(f"    public const int Mr512 = {mr512}, Nr512 = 32, Mr256 = 6, Nr256 = 16, Mr128 = 6, Nr128 = 8, Mr128Wide = 8, Nr128Wide = 16, MrScalar = 4, NrScalar = 4;")
print()
print(kernel("Kernel512", "Vector512", 16, mr512, 2))
print()
print(kernel("Kernel512Rows8", "Vector512", 16, 8, 2, mr512))
print()
print(kernel("Kernel512Rows4", "Vector512", 16, 4, 2, mr512))
print()
print(kernel("Kernel256", "Vector256", 8, 6, 2))
print()
# 12 accumulators, two B vectors, one broadcast and one product register: the 16 XMM registers of x64 without
# AVX-512 (ARM64 has 32).
print(kernel("Kernel128", "Vector128", 4, 6, 2))
print()
# The browser's interpreter keeps every local in memory, so registers set no limit there: 32 accumulators share each
# broadcast of A over four B vectors and each k step's loop overhead over 64 multiply-adds (6x8: 12).
print(kernel("Kernel128Wide", "Vector128", 4, 8, 4))
print()
print(scalar("KernelScalar", 4, 4))
for vt, W, V in (("Vector512", 16, 4), ("Vector256", 8, 2), ("Vector128", 4, 2)):
    print()
    print(smalldriver(vt, W, V))
    # Enough independent accumulators to cover the FMA latency (4 cycles, 2 pipes): 8 chains in every block.
    done = set()
    for VV, partial, R in ((V, False, 4), (2, False, 4), (1, False, 8), (1, True, 8)):
        if (VV, partial) in done: continue
        done.add((VV, partial))
        print()
        print(smallcols(vt, W, VV, partial, R))
print("}")
