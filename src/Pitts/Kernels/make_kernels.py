import sys
def kernel(name, vt, width, mr, nv, astride=None):
    nr = width*nv
    astride = astride or mr
    L = []
    what = "" if astride == mr else f" (the first {mr} rows of a {astride}-row A panel)"
    L.append(f"    /// <summary>{mr}x{nr} micro-kernel{what}: C[0..{mr}, 0..{nr}] (+)= Apanel · Bpanel over kc steps, one FMA chain per element in k order.</summary>")
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
        L.append(f"            var a{r} = {vt}.Create(a[{r}]); " + " ".join(f"{acc[r][v]} = {vt}.FusedMultiplyAdd(a{r}, b{v}, {acc[r][v]});" for v in range(nv)))
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
    L.append(f"{ind}    " + " ".join(f"var b{v} = {vt}.Load(bp + {v * W});" for v in range(V)))
    for r in range(R):
        L.append(f"{ind}    var a{r}v = {vt}.Create(a{r}[p * sp]); " + " ".join(f"{accs[r][v]} = {vt}.FusedMultiplyAdd(a{r}v, b{v}, {accs[r][v]});" for v in range(V)))
    L.append(f"{ind}}}")
    for r in range(R):
        if partial:
            L.append(f"{ind}{isa}.MaskStore(ci + {r} * ldc, mask, {accs[r][0]});")
        else:
            L.append(f"{ind}" + " ".join(f"{accs[r][v]}.Store(ci + {r} * ldc + {v * W});" for v in range(V)))
    return "\n".join(L)

def smallcols(vt, W, V, partial, R=4):
    s = vt[6:]
    isa = "Avx512F" if vt == "Vector512" else "Avx"
    name = f"Small{s}Cols{'Masked' if partial else V}"
    L = []
    if partial:
        L.append(f"    /// <summary>Columns [0, w) of C, w &lt; {W}, with masked loads and stores of C (needs {isa}); B readable to {W} columns.</summary>")
    else:
        L.append(f"    /// <summary>{V * W} columns of C for all m rows, {R} rows at a time ({R * V} independent FMA chains).</summary>")
    L.append("    [MethodImpl(MethodImplOptions.AggressiveOptimization)]")
    L.append(f"    private static void {name}(int m, int k, float* a, long sa, long sp, float* b, int ldb, float* c, int ldc, bool acc" + (", int w)" if partial else ")"))
    L.append("    {")
    if partial:
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
    return f"""    /// <summary>
    /// No-packing product on {vt}: B row-major with ldb, readable up to the next multiple of {W} columns. A last,
    /// partial block of columns uses masked loads and stores of C, or the scalar loop where {isa} is missing.
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
print("using System.Runtime.Intrinsics.X86;")
print()
print("namespace Pitts.Kernels;")
print()
print("/// <summary>Register-blocked GEMM micro-kernels over packed panels (A: MR values per k step, B: NR values per k step).</summary>")
print("[SkipLocalsInit]")
print("internal static unsafe class GemmKernels")
print("{")
print(f"    public const int Mr512 = {mr512}, Nr512 = 32, Mr256 = 6, Nr256 = 16, MrScalar = 4, NrScalar = 4;")
print()
print(kernel("Kernel512", "Vector512", 16, mr512, 2))
print()
print(kernel("Kernel512Rows8", "Vector512", 16, 8, 2, mr512))
print()
print(kernel("Kernel512Rows4", "Vector512", 16, 4, 2, mr512))
print()
print(kernel("Kernel256", "Vector256", 8, 6, 2))
print()
print(scalar("KernelScalar", 4, 4))
for vt, W, V in (("Vector512", 16, 4), ("Vector256", 8, 2)):
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
