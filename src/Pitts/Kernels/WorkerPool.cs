namespace Pitts.Kernels;

/// <summary>
/// Persistent background threads for splitting one GEMM over the cores with little dispatch overhead: the caller
/// runs part 0 itself, each worker runs one other part, and the caller waits on a countdown. A second caller that
/// arrives while the pool is busy runs its whole product on its own thread (results are the same either way).
/// </summary>
internal static class WorkerPool
{
    private sealed class Worker
    {
        public readonly ManualResetEventSlim Start = new(false, 2000);
        public int Part, Parts;
    }

    private static readonly object Gate = new();
    private static Worker[] _workers = [];
    private static Gemm.Job _job;
    private static CountdownEvent? _done;
    private static Exception? _error;

    /// <summary>Runs <paramref name="job"/> split into <paramref name="parts"/> fixed parts of C.</summary>
    public static void Run(int parts, in Gemm.Job job)
    {
        if (!Monitor.TryEnter(Gate))
        {
            job.RunPart(0, 1);
            return;
        }
        try
        {
            EnsureWorkers(parts - 1);
            _job = job;
            _error = null;
            _done ??= new CountdownEvent(1);
            _done.Reset(parts - 1);
            for (int w = 0; w < parts - 1; w++)
            {
                _workers[w].Part = w + 1;
                _workers[w].Parts = parts;
                _workers[w].Start.Set();
            }
            job.RunPart(0, parts);
            _done.Wait();
            if (_error is { } e) throw new AggregateException("Sgemm: a worker thread failed", e);
        }
        finally
        {
            Monitor.Exit(Gate);
        }
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
        while (true)
        {
            w.Start.Wait();
            w.Start.Reset();
            try { _job.RunPart(w.Part, w.Parts); }
            catch (Exception e) { _error = e; }
            _done!.Signal();
        }
    }
}
