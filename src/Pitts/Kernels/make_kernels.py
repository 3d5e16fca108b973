import sys
def kernel(name, vt, width, mr, nv):
    nr = width*nv
    L = []
    L.append(f"    /// <summary>{mr}x{nr} micro-kernel: C[0..{mr}, 0..{nr}] (+)= Apanel · Bpanel over kc steps, one FMA chain per element in k order.</summary>")
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
    L.append(f"            a += {mr}; b += {nr};")
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


def smalltile(vt, W, R, V, partial):
    """C[R rows, V*W cols] (+)= op(A) rows · B (row-major, ldb), no packing; w = valid columns when partial (V == 1)."""
    L = []
    name = f"Small{vt[6:]}_{R}x{V}"
    L.append(f"    [MethodImpl(MethodImplOptions.AggressiveOptimization)]")
    L.append(f"    internal static void {name}(int k, float* a, long sa, long sp, float* b, int ldb, float* c, int ldc, bool acc" + (", int w)" if partial else ")"))
    L.append("    {")
    for r in range(R):
        L.append(f"        float* a{r} = a + {r} * sa;")
    accs = [[f"c{r}_{v}" for v in range(V)] for r in range(R)]
    L.append(f"        {vt}<float> " + ", ".join(x for row in accs for x in row) + ";")
    if partial:
        L.append(f"        float* t = stackalloc float[{R * W}];")
        L.append(f"        if (w < {W})")
        L.append("        {")
        L.append(f"            for (int r = 0; r < {R}; r++)")
        L.append(f"                for (int q = 0; q < {W}; q++) t[r * {W} + q] = acc && q < w ? c[r * ldc + q] : 0f;")
        L.append("            " + " ".join(f"c{r}_0 = {vt}.Load(t + {r * W});" for r in range(R)))
        L.append("        }")
        L.append("        else if (acc)")
    else:
        L.append("        if (acc)")
    L.append("        {")
    for r in range(R):
        L.append("            " + " ".join(f"{accs[r][v]} = {vt}.Load(c + {r} * ldc + {v * W});" for v in range(V)))
    L.append("        }")
    L.append("        else")
    L.append("        {")
    L.append("            " + " = ".join(x for row in accs for x in row) + f" = {vt}<float>.Zero;")
    L.append("        }")
    L.append("        for (int p = 0; p < k; p++)")
    L.append("        {")
    L.append("            float* bp = b + (long)p * ldb;")
    L.append("            " + " ".join(f"var b{v} = {vt}.Load(bp + {v * W});" for v in range(V)))
    for r in range(R):
        L.append(f"            var a{r}v = {vt}.Create(a{r}[p * sp]); " + " ".join(f"{accs[r][v]} = {vt}.FusedMultiplyAdd(a{r}v, b{v}, {accs[r][v]});" for v in range(V)))
    L.append("        }")
    if partial:
        L.append(f"        if (w < {W})")
        L.append("        {")
        L.append("            " + " ".join(f"c{r}_0.Store(t + {r * W});" for r in range(R)))
        L.append(f"            for (int r = 0; r < {R}; r++)")
        L.append(f"                for (int q = 0; q < w; q++) c[r * ldc + q] = t[r * {W} + q];")
        L.append("            return;")
        L.append("        }")
    for r in range(R):
        L.append("        " + " ".join(f"{accs[r][v]}.Store(c + {r} * ldc + {v * W});" for v in range(V)))
    L.append("    }")
    return "\n".join(L)

def smalldriver(vt, W, V):
    s = vt[6:]
    return f"""    /// <summary>No-packing product on {vt}: B row-major with ldb, readable up to the next multiple of {W} columns.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Small{s}(int m, int n, int k, float* a, long sa, long sp, float* b, int ldb, float* c, int ldc, bool acc)
    {{
        int j = 0;
        for (; j + {V * W} <= n; j += {V * W})
        {{
            int i = 0;
            for (; i + 4 <= m; i += 4) Small{s}_4x{V}(k, a + i * sa, sa, sp, b + j, ldb, c + (long)i * ldc + j, ldc, acc);
            for (; i < m; i++) Small{s}_1x{V}(k, a + i * sa, sa, sp, b + j, ldb, c + (long)i * ldc + j, ldc, acc);
        }}
        for (; j < n; j += {W})
        {{
            int w = Math.Min({W}, n - j);
            int i = 0;
            for (; i + 4 <= m; i += 4) Small{s}_4x1(k, a + i * sa, sa, sp, b + j, ldb, c + (long)i * ldc + j, ldc, acc, w);
            for (; i < m; i++) Small{s}_1x1(k, a + i * sa, sa, sp, b + j, ldb, c + (long)i * ldc + j, ldc, acc, w);
        }}
    }}"""

mr512 = int(sys.argv[1]) if len(sys.argv) > 1 else 12
print("// <auto-generated> by src/Pitts/Kernels/make_kernels.py; edit the generator, not this file. </auto-generated>")
print("using System.Runtime.CompilerServices;")
print("using System.Runtime.Intrinsics;")
print()
print("namespace Pitts.Kernels;")
print()
print("/// <summary>Register-blocked GEMM micro-kernels over packed panels (A: MR values per k step, B: NR values per k step).</summary>")
print("internal static unsafe class GemmKernels")
print("{")
print(f"    public const int Mr512 = {mr512}, Nr512 = 32, Mr256 = 6, Nr256 = 16, MrScalar = 4, NrScalar = 4;")
print()
print(kernel("Kernel512", "Vector512", 16, mr512, 2))
print()
print(kernel("Kernel256", "Vector256", 8, 6, 2))
print()
print(scalar("KernelScalar", 4, 4))
for vt, W, V in (("Vector512", 16, 4), ("Vector256", 8, 2)):
    print()
    print(smalldriver(vt, W, V))
    for R in (4, 1):
        print()
        print(smalltile(vt, W, R, V, False))
        print()
        print(smalltile(vt, W, R, 1, True))
print("}")
