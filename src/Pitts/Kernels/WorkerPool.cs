namespace Pitts.Kernels;

/// <summary>
/// Persistent background threads for splitting one GEMM over the cores with little dispatch overhead. The parts of
/// C are fixed by the shape; the caller and the woken workers claim them from a shared counter, so when a worker is
/// slow to be scheduled (a busy machine) the caller simply computes more parts itself. Which thread computes a part
/// never changes its values.
/// </summary>
internal static class WorkerPool
{
    private sealed class Batch(Gemm.Job job, int parts)
    {
        public readonly Gemm.Job Job = job;
        public readonly int Parts = parts;
        public int Next, Completed;
        public Exception? Error;

        /// <summary>Claims and runs parts until none is left.</summary>
        public void Work()
        {
            int p;
            while ((p = Interlocked.Increment(ref Next) - 1) < Parts)
            {
                try { Job.RunPart(p, Parts); }
                catch (Exception e) { Error = e; }
                Interlocked.Increment(ref Completed);
            }
        }
    }

    private static readonly object Gate = new();
    private static ManualResetEventSlim[] _wake = [];
    private static volatile Batch? _current;

    /// <summary>Runs <paramref name="job"/> split into <paramref name="parts"/> fixed parts over up to <paramref name="threads"/> threads.</summary>
    public static void Run(int parts, int threads, in Gemm.Job job)
    {
        var batch = new Batch(job, parts);
        if (threads > 1 && Monitor.TryEnter(Gate))
        {
            try
            {
                EnsureWorkers(threads - 1);
                _current = batch;
                for (int w = 0; w < threads - 1; w++) _wake[w].Set();
                batch.Work();
                var spin = new SpinWait();
                while (Volatile.Read(ref batch.Completed) < parts) spin.SpinOnce();
                _current = null;
            }
            finally
            {
                Monitor.Exit(Gate);
            }
        }
        else
        {
            batch.Work(); // the pool is busy with another caller's product: run on this thread
        }
        if (batch.Error is { } e) throw new AggregateException("Sgemm: a part of the product failed", e);
    }

    private static void EnsureWorkers(int count)
    {
        if (_wake.Length >= count) return;
        var list = new ManualResetEventSlim[count];
        Array.Copy(_wake, list, _wake.Length);
        for (int i = _wake.Length; i < count; i++)
        {
            var ev = list[i] = new ManualResetEventSlim(false, 2047);
            var t = new Thread(() => Loop(ev)) { IsBackground = true, Name = $"Pitts GEMM worker {i + 1}" };
            t.Start();
        }
        _wake = list;
    }

    private static void Loop(ManualResetEventSlim wake)
    {
        while (true)
        {
            wake.Wait();
            wake.Reset();
            _current?.Work();
        }
    }
}
