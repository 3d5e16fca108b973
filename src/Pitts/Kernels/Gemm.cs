using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Pitts.Kernels;

/// <summary>Which GEMM implementation to run; <see cref="Auto"/> picks the widest accelerated one.</summary>
internal enum GemmPath
{
    /// <summary>Vector512 when accelerated, else Vector256, else Vector128 (Vector128Wide in the browser), else scalar.</summary>
    Auto,
    /// <summary>AVX-512 micro-kernel (12x32 tiles).</summary>
    Vector512,
    /// <summary>AVX2 micro-kernel (6x16 tiles).</summary>
    Vector256,
    /// <summary>128-bit micro-kernel (6x8 tiles): SSE, ARM64 AdvSimd.</summary>
    Vector128,
    /// <summary>
    /// 128-bit micro-kernel with 8x16 tiles, for WebAssembly SIMD in the browser's interpreter, where locals live in
    /// memory and every operation costs a dispatch: the larger tile needs fewer of them per multiply-add. The same
    /// multiply-add chain per element as <see cref="Vector128"/>, so the same results.
    /// </summary>
    Vector128Wide,
    /// <summary>Scalar micro-kernel (4x4 tiles).</summary>
    Scalar,
}

/// <summary>
/// Single-precision matrix multiply on row-major spans: C (m x n) = op(A) · op(B), or C += op(A) · op(B) when
/// <c>accumulate</c>. op(A) is m x k, stored as m x k with leading dimension lda, or as k x m when transA.
/// op(B) is k x n, stored as k x n with leading dimension ldb, or as n x k when transB.
/// The library calls GEMM only through this class, so its implementation can change without touching the ops.
/// </summary>
/// <remarks>
/// Built the way BLIS/OpenBLAS are: B is packed into KC x NR panels (L1-resident), A into MC x KC blocks of MR-row
/// panels (L2-resident), and a register-blocked micro-kernel computes an MR x NR tile of C with FMAs. Small and
/// skinny products skip packing. Every element of C is computed by one fused multiply-add chain in k order,
/// starting from 0 (or from C when accumulating), whatever the path, the tiling or the number of threads, so
/// results are bit-identical across thread counts, and across the paths wherever they all fuse. The 128-bit path
/// (what ARM64 and WebAssembly offer) multiplies and adds separately where the hardware has no FMA (x64 without
/// AVX2: software FMA is 50x slower), so there it rounds twice, still the same way for any thread count.
/// </remarks>
[SkipLocalsInit]
internal static unsafe class Gemm
{
    // Cache blocking (floats). KC x NR of B (32 KB) stays in the 48 KB L1; MC x KC of A (192 KB) in the 1 MB L2;
    // KC x NC of B (2 MB) in the shared L3.
    private const int KC = 256, MC = 192, NC = 2048;

    /// <summary>Floats of the packed block of B that the threads of a parallel product share.</summary>
    internal const int SharedBFloats = KC * NC;

    /// <summary>Products with at most this many multiply-adds run on the calling thread.</summary>
    internal const long ParallelThreshold = 96L * 96 * 96;

    /// <summary>Products with at most this many multiply-adds (64³: no slower than packing up to there, 64x64x64 NN 1.5 vs 2.7 µs), fewer than 8 rows or at most 16 columns skip packing.</summary>
    internal static long SmallThreshold { get; set; } = 64L * 64 * 64;

    /// <summary>The number of threads a large product is split over (at most the number of cores).</summary>
    internal static int MaxThreads { get; set; } = Math.Max(1, Environment.ProcessorCount);

    [ThreadStatic] private static float[]? _packA, _packB, _transB;

    /// <summary>Floats of stack scratch for transposing a small B (16 KB).</summary>
    private const int StackScratch = 4096;

    public static void Sgemm(bool transA, bool transB, int m, int n, int k,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, Span<float> c, int ldc, bool accumulate)
        => Sgemm(transA, transB, m, n, k, a, lda, b, ldb, c, ldc, accumulate, GemmPath.Auto, MaxThreads);

    /// <summary>GEMM on an explicit path and thread count (tests use it to reach every path on any machine).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Sgemm(bool transA, bool transB, int m, int n, int k,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, Span<float> c, int ldc, bool accumulate,
        GemmPath path, int threads)
    {
        if (m < 0 || n < 0 || k < 0) throw new ArgumentOutOfRangeException(nameof(m), $"Sgemm: negative size m={m} n={n} k={k}");
        if (m == 0 || n == 0) return;
        CheckSpan(c.Length, m, n, ldc, "C");
        if (k == 0)
        {
            if (!accumulate)
                for (int i = 0; i < m; i++) c.Slice(i * ldc, n).Clear();
            return;
        }
        if (transA) CheckSpan(a.Length, k, m, lda, "A"); else CheckSpan(a.Length, m, k, lda, "A");
        if (transB) CheckSpan(b.Length, n, k, ldb, "B"); else CheckSpan(b.Length, k, n, ldb, "B");
        path = Resolve(path);

        fixed (float* pa = a, pb = b, pc = c)
        {
            var job = new Job(transA, transB, m, n, k, pa, lda, pb, ldb, pc, ldc, accumulate, path);
            long work = (long)m * n * k;
            if (work <= TinyThreshold && path == GemmPath.Vector128Wide)
            {
                Tiny(in job);
                return;
            }
            if (work <= SmallThreshold || m < 8 || n <= 16)
            {
                // A matrix times a vector, C (m x 1) = op(A)·op(B), runs as its transpose Cᵀ (1 x m) = op(B)ᵀ·op(A)ᵀ,
                // the same memory when C's column is contiguous: the kernels vectorise along a row of C, so m lanes
                // work instead of one. Each element keeps its multiply-add chain in k order (fma(a, b, c) = fma(b, a, c)).
                // op(A)ᵀ is A as stored when transA; else it is transposed into scratch, so only while that is small
                // (30x1x15 NT: 300 -> 250 ns; 20x1x30 TN: 500 -> 105 ns).
                if (n == 1 && m > 1 && ldc == 1 && (transA || (long)m * k <= StackScratch))
                    Small(new Job(!transB, !transA, 1, m, k, pb, ldb, pa, lda, pc, m, accumulate, path), a.Length);
                else
                    Small(in job, b.Length);
                return;
            }
            if (work > ParallelThreshold && threads > 1 && WorkerPool.TryEnter(threads, out float* sharedB))
            {
                try { job.RunShared(threads, sharedB); }
                finally { WorkerPool.Exit(); }
                return;
            }
            job.RunPacked();
        }
    }

    private static void CheckSpan(int length, int rows, int cols, int ld, string name)
    {
        if (ld < cols || (long)(rows - 1) * ld + cols > length)
            throw new ArgumentException($"Sgemm: {name} of {rows}x{cols} with leading dimension {ld} needs {(long)(rows - 1) * ld + cols} elements, span has {length}");
    }

    /// <summary>Whether the 128-bit path's multiply-add is fused here (it always is on the wider paths).</summary>
    internal static bool Vector128Fuses => System.Runtime.Intrinsics.X86.Fma.IsSupported || System.Runtime.Intrinsics.Arm.AdvSimd.IsSupported;

    internal static GemmPath Resolve(GemmPath path) => path != GemmPath.Auto ? path
        : Vector512.IsHardwareAccelerated ? GemmPath.Vector512
        : Vector256.IsHardwareAccelerated ? GemmPath.Vector256
        : Vector128.IsHardwareAccelerated ? (OperatingSystem.IsBrowser() ? GemmPath.Vector128Wide : GemmPath.Vector128)
        : GemmPath.Scalar;

    /// <summary>One product, as raw pointers, so worker threads can run parts of it.</summary>
    internal readonly struct Job(bool transA, bool transB, int m, int n, int k, float* a, int lda, float* b, int ldb,
        float* c, int ldc, bool accumulate, GemmPath path)
    {
        public readonly bool TransA = transA, TransB = transB, Accumulate = accumulate;
        public readonly int M = m, N = n, K = k, Lda = lda, Ldb = ldb, Ldc = ldc;
        public readonly float* A = a, B = b, C = c;
        public readonly GemmPath Path = path;

        // One parallel step: the packed block of B shared by all threads and how its work is cut into tasks.
        private readonly float* _sharedB;
        private readonly int _jc, _nc, _pc, _kc, _mcp, _icBlocks, _jrGroups;
        private readonly bool _packStep;

        private Job(in Job j, float* sharedB, int jc, int nc, int pc, int kc, int mcp, int icBlocks, int jrGroups, bool packStep)
            : this(j.TransA, j.TransB, j.M, j.N, j.K, j.A, j.Lda, j.B, j.Ldb, j.C, j.Ldc, j.Accumulate, j.Path)
        {
            _sharedB = sharedB; _jc = jc; _nc = nc; _pc = pc; _kc = kc; _mcp = mcp; _icBlocks = icBlocks; _jrGroups = jrGroups;
            _packStep = packStep;
        }

        private void Kernel(out int mr, out int nr, out delegate*<int, float*, float*, float*, int, bool, void> kernel)
        {
            switch (Path)
            {
                case GemmPath.Vector512: mr = GemmKernels.Mr512; nr = GemmKernels.Nr512; kernel = &GemmKernels.Kernel512; break;
                case GemmPath.Vector256: mr = GemmKernels.Mr256; nr = GemmKernels.Nr256; kernel = &GemmKernels.Kernel256; break;
                case GemmPath.Vector128: mr = GemmKernels.Mr128; nr = GemmKernels.Nr128; kernel = &GemmKernels.Kernel128; break;
                case GemmPath.Vector128Wide: mr = GemmKernels.Mr128Wide; nr = GemmKernels.Nr128Wide; kernel = &GemmKernels.Kernel128Wide; break;
                default: mr = GemmKernels.MrScalar; nr = GemmKernels.NrScalar; kernel = &GemmKernels.KernelScalar; break;
            }
        }

        private static float* PackABuffer()
        {
            var packA = _packA ??= GC.AllocateUninitializedArray<float>(MC * KC + 64, pinned: true);
            return Align64((float*)Unsafe.AsPointer(ref packA[0]));
        }

        /// <summary>
        /// The parallel algorithm: for each KC x NC block of B, the caller packs it once into a shared buffer, then
        /// every thread claims tasks (a block of rows of A, packed by the thread, times a group of B's panels) from a
        /// counter. Small tasks let a thread that the OS runs take more of them; no task reduces over k.
        /// </summary>
        public void RunShared(int threads, float* sharedB)
        {
            Kernel(out int mr, out int nr, out _);
            int mcp = RowBlock(M, mr, threads);
            int icBlocks = (M + mcp - 1) / mcp;
            for (int jc = 0; jc < N; jc += NC)
            {
                int nc = Math.Min(NC, N - jc);
                int panels = (nc + nr - 1) / nr;
                int jrGroups = Math.Clamp((4 * threads + icBlocks - 1) / icBlocks, 1, Math.Max(1, panels / 4));
                for (int pc = 0; pc < K; pc += KC)
                {
                    int kc = Math.Min(KC, K - pc);
                    // Step 1: the threads pack the block of B together (groups of panels); step 2: they multiply.
                    int packGroups = Math.Min(panels, 2 * threads);
                    WorkerPool.RunStep(packGroups, new Job(this, sharedB, jc, nc, pc, kc, mcp, icBlocks, packGroups, packStep: true));
                    WorkerPool.RunStep(icBlocks * jrGroups, new Job(this, sharedB, jc, nc, pc, kc, mcp, icBlocks, jrGroups, packStep: false));
                }
            }
        }

        /// <summary>
        /// Rows per block of A in the parallel algorithm: a multiple of MR, at most MC, at least two blocks per thread,
        /// and of the block counts that allows, the one whose blocks the threads share most evenly. Each step ends
        /// when its last block is done, so 2,048 rows in 11 blocks of 192 kept one of two threads idle for most of a
        /// block per step (sgemm-2048 scaled 1.83x on two cores against 1.97x at 1,024); 16 blocks of 128 do not.
        /// </summary>
        internal static int RowBlock(int m, int mr, int threads)
        {
            int most = MC / mr * mr;
            int fewest = Math.Max(2 * threads, (m + most - 1) / most);
            int best = most;
            long bestSpan = long.MaxValue;
            Span<long> load = threads <= 64 ? stackalloc long[threads] : new long[threads];
            for (int blocks = fewest; blocks <= fewest + 4 * threads; blocks++)
            {
                int rows = Math.Min(most, Math.Max(mr, ((m + blocks - 1) / blocks + mr - 1) / mr * mr));
                // Threads take the blocks in order, each the next one as it finishes: the step lasts as long as the
                // most rows one thread gets.
                load.Clear();
                for (int r0 = 0; r0 < m; r0 += rows)
                {
                    int t = 0;
                    for (int i = 1; i < threads; i++) if (load[i] < load[t]) t = i;
                    load[t] += Math.Min(rows, m - r0);
                }
                long span = 0;
                foreach (long l in load) span = Math.Max(span, l);
                if (span < bestSpan) (best, bestSpan) = (rows, span);
            }
            return best;
        }

        /// <summary>One task of a parallel step (called by <see cref="WorkerPool"/>).</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void RunTask(int task)
        {
            Kernel(out int mr, out int nr, out var kernel);
            if (_packStep)
            {
                int all = (_nc + nr - 1) / nr;
                int q0 = all * task / _jrGroups, q1 = all * (task + 1) / _jrGroups;
                if (q1 > q0) PackB(_sharedB + (long)q0 * nr * _kc, _pc, _kc, _jc + q0 * nr, Math.Min(_nc, q1 * nr) - q0 * nr, nr);
                return;
            }
            int ib = task / _jrGroups, jg = task % _jrGroups;
            int ic = ib * _mcp, mc = Math.Min(_mcp, M - ic);
            int panels = (_nc + nr - 1) / nr;
            int p0 = panels * jg / _jrGroups, p1 = panels * (jg + 1) / _jrGroups;
            if (mc <= 0 || p1 <= p0) return;
            float* ap = PackABuffer();
            PackA(ap, ic, mc, _pc, _kc, mr);
            Macro(ap, _sharedB, ic, mc, _jc, _nc, p0 * nr, Math.Min(_nc, p1 * nr), _kc, Accumulate || _pc > 0, mr, nr, kernel);
        }

        /// <summary>The packed, blocked algorithm on the whole product, on the calling thread.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void RunPacked()
        {
            Kernel(out int mr, out int nr, out var kernel);
            int mcMax = MC / mr * mr;
            var packB = _packB ??= GC.AllocateUninitializedArray<float>(NC * KC + 64, pinned: true);
            float* ap = PackABuffer();
            float* bp = Align64((float*)Unsafe.AsPointer(ref packB[0]));
            for (int jc = 0; jc < N; jc += NC)
            {
                int nc = Math.Min(NC, N - jc);
                for (int pc = 0; pc < K; pc += KC)
                {
                    int kc = Math.Min(KC, K - pc);
                    PackB(bp, pc, kc, jc, nc, nr);
                    for (int ic = 0; ic < M; ic += mcMax)
                    {
                        int mc = Math.Min(mcMax, M - ic);
                        PackA(ap, ic, mc, pc, kc, mr);
                        Macro(ap, bp, ic, mc, jc, nc, 0, nc, kc, Accumulate || pc > 0, mr, nr, kernel);
                    }
                }
            }
        }

        /// <summary>
        /// The macro-kernel: C[ic..ic+mc, jc+jr0..jc+jr1] (+)= packed A block · packed B panels, tile by tile; edge
        /// tiles run the full kernel on a scratch tile and copy the valid part (same FMA chain per element).
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void Macro(float* ap, float* bp, int ic, int mc, int jc, int nc, int jr0, int jr1, int kc, bool load,
            int mr, int nr, delegate*<int, float*, float*, float*, int, bool, void> kernel)
        {
            float* tile = stackalloc float[GemmKernels.Mr512 * GemmKernels.Nr512 + 16];
            float* tp = Align64(tile);
            for (int jr = jr0; jr < jr1; jr += nr)
            {
                int nw = Math.Min(nr, nc - jr);
                float* bPanel = bp + (long)jr * kc;
                for (int ir = 0; ir < mc; ir += mr)
                {
                    int mw = Math.Min(mr, mc - ir);
                    float* aPanel = ap + (long)ir * kc;
                    float* cTile = C + (long)(ic + ir) * Ldc + jc + jr;
                    // A last panel of 8 or fewer rows (of 12) runs an 8- or 4-row kernel on the same packed panel.
                    var k = kernel;
                    int rows = mr;
                    if (mw < mr && Path == GemmPath.Vector512)
                    {
                        if (mw <= 4) { k = &GemmKernels.Kernel512Rows4; rows = 4; }
                        else if (mw <= 8) { k = &GemmKernels.Kernel512Rows8; rows = 8; }
                    }
                    if (mw == rows && nw == nr)
                    {
                        k(kc, aPanel, bPanel, cTile, Ldc, load);
                        continue;
                    }
                    for (int r = 0; r < rows; r++)
                        for (int q = 0; q < nr; q++)
                            tp[r * nr + q] = load && r < mw && q < nw ? cTile[(long)r * Ldc + q] : 0f;
                    k(kc, aPanel, bPanel, tp, nr, true);
                    for (int r = 0; r < mw; r++)
                        new Span<float>(tp + r * nr, nw).CopyTo(new Span<float>(cTile + (long)r * Ldc, nw));
                }
            }
        }

        internal static float* Align64(float* p) => (float*)(((nint)p + 63) & ~(nint)63);

        /// <summary>Packs op(A)[ic..ic+mc, pc..pc+kc] as MR-row panels: panel r holds, for each k, MR values.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void PackA(float* dst, int ic, int mc, int pc, int kc, int mr)
        {
            for (int ir = 0; ir < mc; ir += mr)
            {
                int mw = Math.Min(mr, mc - ir);
                float* panel = dst + (long)ir * kc;
                if (TransA)
                {
                    // op(A)(i, p) = A[p, i]: each k step is a contiguous run of MR values.
                    float* src = A + (long)pc * Lda + ic + ir;
                    if (mw == mr && mr == 12) // the full AVX-512 panel: one 8- and one 4-float copy per k step
                        for (int p = 0; p < kc; p++)
                        {
                            float* s = src + (long)p * Lda;
                            float* d = panel + p * 12;
                            Vector256.Store(Vector256.Load(s), d);
                            Vector128.Store(Vector128.Load(s + 8), d + 8);
                        }
                    else
                        for (int p = 0; p < kc; p++)
                        {
                            float* s = src + (long)p * Lda;
                            float* d = panel + p * mr;
                            int r = 0;
                            for (; r < mw; r++) d[r] = s[r];
                            for (; r < mr; r++) d[r] = 0f;
                        }
                }
                else
                {
                    // Rows of A are contiguous in k: a blocked transpose into the panel.
                    Transpose.Block(A + (long)(ic + ir) * Lda + pc, Lda, mw, kc, panel, mr);
                    for (int r = mw; r < mr; r++)
                        for (int p = 0; p < kc; p++) panel[p * mr + r] = 0f;
                }
            }
        }

        /// <summary>Packs op(B)[pc..pc+kc, jc..jc+nc] as NR-column panels: panel j holds, for each k, NR values.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void PackB(float* dst, int pc, int kc, int jc, int nc, int nr)
        {
            for (int jr = 0; jr < nc; jr += nr)
            {
                int nw = Math.Min(nr, nc - jr);
                float* panel = dst + (long)jr * kc;
                if (!TransB)
                {
                    float* src = B + (long)pc * Ldb + jc + jr;
                    if (nw == nr && Path is GemmPath.Vector128 or GemmPath.Vector128Wide)
                    {
                        // Vector copies, not Span.CopyTo: in the browser's interpreter a call per row cost more
                        // than the copy.
                        for (int p = 0; p < kc; p++)
                        {
                            float* s = src + (long)p * Ldb;
                            float* d = panel + p * nr;
                            for (int q = 0; q < nr; q += 4) Vector128.Load(s + q).Store(d + q);
                        }
                    }
                    else if (nw == nr)
                    {
                        for (int p = 0; p < kc; p++)
                            new ReadOnlySpan<float>(src + (long)p * Ldb, nr).CopyTo(new Span<float>(panel + p * nr, nr));
                    }
                    else
                    {
                        for (int p = 0; p < kc; p++)
                        {
                            float* s = src + (long)p * Ldb;
                            float* d = panel + p * nr;
                            int q = 0;
                            for (; q < nw; q++) d[q] = s[q];
                            for (; q < nr; q++) d[q] = 0f;
                        }
                    }
                }
                else
                {
                    // op(B)(p, j) = B[j, p]: rows of B are contiguous in k, a blocked transpose into the panel.
                    Transpose.Block(B + (long)(jc + jr) * Ldb + pc, Ldb, nw, kc, panel, nr);
                    for (int q = nw; q < nr; q++)
                        for (int p = 0; p < kc; p++) panel[p * nr + q] = 0f;
                }
            }
        }
    }

    /// <summary>
    /// Small and skinny products without packing: C[i, :] = fma chain over p of op(A)(i, p) · op(B)[p, :], four rows
    /// at a time (independent chains), B's rows read as vectors. A transposed B is first transposed into a scratch
    /// buffer (k x n, cheap at these sizes), as is, on the 128-bit path, a B whose last row a vector load would read
    /// past the span's end.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Small(in Job job, int bLength)
    {
        int m = job.M, n = job.N, k = job.K;
        float* b = job.B;
        int ldb = job.Ldb;
        // The 128-bit kernels read B's last block of columns as a whole vector (SSE has no masked load), so a row of B
        // must be readable to a multiple of 4; the others read B only within its n columns.
        int readable = job.Path is GemmPath.Vector128 or GemmPath.Vector128Wide ? 4 : 1;
        if (job.TransB || (long)(k - 1) * ldb + (n + readable - 1) / readable * readable > bLength)
        {
            // Scratch rows padded to whole vectors, from a 64-byte boundary: no load splits a cache line (unpadded rows
            // of 15 made a 30x15x20 product 11% slower).
            int width = job.Path switch { GemmPath.Vector512 => 16, GemmPath.Vector256 => 8, GemmPath.Vector128 or GemmPath.Vector128Wide => 4, _ => 1 };
            int padded = (n + width - 1) / width * width;
            int need = k * padded;
            // Tiny products (the lecture's MLP) use the stack; larger ones a pinned per-thread buffer.
            float* tb;
            if (need <= StackScratch)
            {
                float* onStack = stackalloc float[StackScratch + 16];
                tb = Job.Align64(onStack);
            }
            else
            {
                var t = _transB;
                if (t is null || t.Length < need + 16) _transB = t = GC.AllocateUninitializedArray<float>(Math.Max(need + 16, 4096), pinned: true);
                tb = Job.Align64((float*)Unsafe.AsPointer(ref t[0]));
            }
            if (job.TransB)
            {
                Transpose.Block(job.B, job.Ldb, n, k, tb, padded);
            }
            else
            {
                for (int p = 0; p < k; p++)
                    new ReadOnlySpan<float>(job.B + (long)p * job.Ldb, n).CopyTo(new Span<float>(tb + p * padded, n));
            }
            for (int p = 0; p < k; p++)
                for (int j = n; j < padded; j++) tb[p * padded + j] = 0f;
            b = tb;
            ldb = padded;
        }
        // op(A)(i, p) sits at a[i * sa + p * sp].
        long sa = job.TransA ? 1 : job.Lda, sp = job.TransA ? job.Lda : 1;
        switch (job.Path)
        {
            case GemmPath.Vector512: GemmKernels.Small512(m, n, k, job.A, sa, sp, b, ldb, job.C, job.Ldc, job.Accumulate); break;
            case GemmPath.Vector256: GemmKernels.Small256(m, n, k, job.A, sa, sp, b, ldb, job.C, job.Ldc, job.Accumulate); break;
            case GemmPath.Vector128 or GemmPath.Vector128Wide: GemmKernels.Small128(m, n, k, job.A, sa, sp, b, ldb, job.C, job.Ldc, job.Accumulate); break;
            default: SmallRowsScalar(m, n, k, job.A, sa, sp, b, ldb, job.C, job.Ldc, job.Accumulate, 0); break;
        }
    }

    /// <summary>Products with at most this many multiply-adds run <see cref="Tiny"/> on the browser's path.</summary>
    internal const long TinyThreshold = 4096;

    /// <summary>
    /// The browser's tiny products (a 1-50-1 network's are 50 multiply-adds): one plain loop per element, the same
    /// multiply-add chain in k order as the 128-bit kernels (fused where they fuse), without their setup, scratch copies
    /// and calls, which the interpreter pays for one by one (a no-grad (1x1)·(1x50) product took 3-6 µs in Chromium).
    /// </summary>
    private static void Tiny(in Job job)
    {
        long sa = job.TransA ? 1 : job.Lda, sp = job.TransA ? job.Lda : 1;
        long sb = job.TransB ? 1 : job.Ldb, sq = job.TransB ? job.Ldb : 1; // op(B)(p, j) at b[p * sb + j * sq]
        bool fused = Vector128Fuses;
        for (int i = 0; i < job.M; i++)
        {
            float* ai = job.A + i * sa;
            float* ci = job.C + (long)i * job.Ldc;
            for (int j = 0; j < job.N; j++)
            {
                float* bj = job.B + j * sq;
                float c = job.Accumulate ? ci[j] : 0f;
                if (fused)
                    for (int p = 0; p < job.K; p++) c = MathF.FusedMultiplyAdd(ai[p * sp], bj[p * sb], c);
                else
                    for (int p = 0; p < job.K; p++) c = ai[p * sp] * bj[p * sb] + c;
                ci[j] = c;
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void SmallRowsScalar(int m, int n, int k, float* a, long sa, long sp, float* b, int ldb, float* c, int ldc, bool acc, int j0)
    {
        for (int i = 0; i < m; i++)
        {
            float* ai = a + i * sa;
            float* ci = c + (long)i * ldc;
            int j = j0;
            for (; j + 4 <= n; j += 4)
            {
                float c0 = 0, c1 = 0, c2 = 0, c3 = 0;
                if (acc) { c0 = ci[j]; c1 = ci[j + 1]; c2 = ci[j + 2]; c3 = ci[j + 3]; }
                float* bj = b + j;
                for (int p = 0; p < k; p++)
                {
                    float av = ai[p * sp];
                    float* bp = bj + (long)p * ldb;
                    c0 = MathF.FusedMultiplyAdd(av, bp[0], c0);
                    c1 = MathF.FusedMultiplyAdd(av, bp[1], c1);
                    c2 = MathF.FusedMultiplyAdd(av, bp[2], c2);
                    c3 = MathF.FusedMultiplyAdd(av, bp[3], c3);
                }
                ci[j] = c0; ci[j + 1] = c1; ci[j + 2] = c2; ci[j + 3] = c3;
            }
            for (; j < n; j++)
            {
                float c0 = acc ? ci[j] : 0f;
                for (int p = 0; p < k; p++) c0 = MathF.FusedMultiplyAdd(ai[p * sp], b[(long)p * ldb + j], c0);
                ci[j] = c0;
            }
        }
    }

    /// <summary>Simple, independent loops in double precision: the test oracle, never used by the library.</summary>
    internal static void Reference(bool transA, bool transB, int m, int n, int k,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, Span<float> c, int ldc, bool accumulate)
    {
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                double s = accumulate ? c[i * ldc + j] : 0.0;
                for (int p = 0; p < k; p++)
                    s += (double)(transA ? a[p * lda + i] : a[i * lda + p]) * (transB ? b[j * ldb + p] : b[p * ldb + j]);
                c[i * ldc + j] = (float)s;
            }
    }
}
