using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace Pitts.Kernels;

/// <summary>
/// Persistent background threads for running the steps of a parallel GEMM, and the independent tasks of
/// <see cref="For"/> (convolution samples, pooling planes, attention heads), with little dispatch overhead. A step's
/// tasks (fixed by the shape) are claimed from a shared counter by the caller and the workers, so when a worker is
/// slow to be scheduled (a busy machine) the caller simply runs more tasks itself; which thread runs a task never
/// changes its values. A worker polls for the next step for <see cref="SpinMicroseconds"/> (long enough to catch the
/// next step of the same product, which follows within microseconds) and then blocks: spinning across products, as
/// OpenBLAS does, was measured to triple the wall time of a CNN step on a loaded 2-core machine (the spinner takes
/// the core from the thread that has the work). One parallel product runs at a time; a caller that finds the pool
/// busy runs its product alone.
/// </summary>
internal static unsafe class WorkerPool
{
    private sealed class Batch(Gemm.Job job, Action<int>? body, int tasks)
    {
        public readonly Gemm.Job Job = job;
        public readonly Action<int>? Body = body; // a parallel loop's body, or null for a GEMM step
        public readonly int Tasks = tasks;
        public int Next, Completed;
        public Exception? Error;

        /// <summary>Claims and runs tasks until none is left.</summary>
        public void Work()
        {
            int t;
            while ((t = Interlocked.Increment(ref Next) - 1) < Tasks)
            {
                try
                {
                    if (Body is null) Job.RunTask(t);
                    else Body(t);
                }
                catch (Exception e) { Error = e; }
                Interlocked.Increment(ref Completed);
            }
        }
    }

    private sealed class Worker
    {
        public readonly ManualResetEventSlim Wake = new(false, 0);
        public int Sleeping;
    }

    /// <summary>How long an idle worker polls for the next step before blocking.</summary>
    internal static int SpinMicroseconds { get; set; } = 50;

    private static readonly object Gate = new();
    private static Worker[] _workers = [];
    private static volatile Batch? _current;
    private static long _generation;
    private static int _threads;
    private static float[]? _sharedB;

    /// <summary>Takes the pool for one product over <paramref name="threads"/> threads; false when another caller holds it.</summary>
    public static bool TryEnter(int threads, out float* sharedB)
    {
        sharedB = null;
        // Not re-entrant: a product inside a task of a parallel loop (which holds the pool) runs on its own thread.
        if (Monitor.IsEntered(Gate) || !Monitor.TryEnter(Gate)) return false;
        EnsureWorkers(threads - 1);
        _threads = threads;
        _sharedB ??= GC.AllocateUninitializedArray<float>(Gemm.SharedBFloats + 64, pinned: true);
        sharedB = (float*)(((nint)Unsafe.AsPointer(ref _sharedB[0]) + 63) & ~(nint)63);
        return true;
    }

    /// <summary>Releases the pool taken by <see cref="TryEnter"/>.</summary>
    public static void Exit() => Monitor.Exit(Gate);

    /// <summary>Runs the <paramref name="tasks"/> tasks of one step on the caller and the workers, and waits for all of them.</summary>
    public static void RunStep(int tasks, in Gemm.Job step) => Run(new Batch(step, null, tasks));

    /// <summary>
    /// Runs <paramref name="body"/>(0) … <paramref name="body"/>(tasks - 1) on the caller and the workers (at most
    /// <see cref="Gemm.MaxThreads"/> threads), or on the caller alone when the pool is busy. Tasks must write disjoint
    /// outputs, so that results do not depend on which thread ran which task; a GEMM inside a task runs on that task's
    /// thread.
    /// </summary>
    public static void For(int tasks, Action<int> body)
    {
        int threads = Math.Min(Gemm.MaxThreads, tasks);
        if (threads <= 1 || !TryEnter(threads, out _))
        {
            for (int t = 0; t < tasks; t++) body(t);
            return;
        }
        try { Run(new Batch(default, body, tasks)); }
        finally { Exit(); }
    }

    private static void Run(Batch batch)
    {
        int tasks = batch.Tasks;
        _current = batch;
        Interlocked.Increment(ref _generation);
        for (int w = 0; w < _threads - 1; w++)
            if (Volatile.Read(ref _workers[w].Sleeping) != 0) _workers[w].Wake.Set();
        batch.Work();
        var spin = new SpinWait();
        while (Volatile.Read(ref batch.Completed) < tasks) spin.SpinOnce(sleep1Threshold: -1);
        _current = null;
        if (batch.Error is { } e) throw new AggregateException("a parallel task failed", e);
    }

    private static void EnsureWorkers(int count)
    {
        if (_workers.Length >= count) return;
        var list = new Worker[count];
        Array.Copy(_workers, list, _workers.Length);
        for (int i = _workers.Length; i < count; i++)
        {
            var w = list[i] = new Worker();
            var t = new Thread(() => Loop(w)) { IsBackground = true, Name = $"Pitts GEMM worker {i + 1}" };
            t.Start();
        }
        _workers = list;
    }

    private static void Loop(Worker w)
    {
        long seen = Interlocked.Read(ref _generation);
        while (true)
        {
            // Poll for a new step for a short while, then block until woken.
            long deadline = Stopwatch.GetTimestamp() + SpinMicroseconds * Stopwatch.Frequency / 1_000_000;
            while (Interlocked.Read(ref _generation) == seen && Stopwatch.GetTimestamp() < deadline)
                Thread.SpinWait(20);
            if (Interlocked.Read(ref _generation) == seen)
            {
                w.Wake.Reset();
                Interlocked.Exchange(ref w.Sleeping, 1);
                // Re-check after announcing sleep, so a step published in between is not missed.
                if (Interlocked.Read(ref _generation) == seen) w.Wake.Wait();
                Interlocked.Exchange(ref w.Sleeping, 0);
            }
            seen = Interlocked.Read(ref _generation);
            _current?.Work();
        }
    }
}
