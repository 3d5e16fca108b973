namespace Pitts.Lab.Services;

/// <summary>Counts the lab's live trainings and gates their compute so many pages training at once stay responsive.</summary>
public sealed class LabMonitor
{
    private int _running;
    private long _stepsDone;

    /// <summary>The most trainings that may run at once across all pages; more are refused with a message.</summary>
    public const int MaxConcurrentTrainings = 64;

    /// <summary>
    /// Trainings take turns on this gate in slices of about 15 ms, so that at most (cores - 1) compute at once and
    /// one core always remains for serving pages.
    /// </summary>
    public SemaphoreSlim ComputeGate { get; } = new(Math.Max(1, Environment.ProcessorCount - 1));

    /// <summary>
    /// Redraws per second that all running trainings share: each page draws at most its own rate and at most this
    /// divided by the number of running trainings (twenty pages training at once draw 3 frames a second each), so
    /// rendering many live plots cannot take the core kept for serving new pages.
    /// </summary>
    public const double FrameBudgetPerSecond = 60;

    /// <summary>The redraw rate a training asking for <paramref name="wanted"/> frames a second gets now.</summary>
    public double FrameRate(double wanted) => Math.Min(wanted, Math.Max(1, FrameBudgetPerSecond / Math.Max(1, Running)));

    /// <summary>Trainings currently running.</summary>
    public int Running => Volatile.Read(ref _running);

    /// <summary>Registers a starting training; false when the lab is at its limit.</summary>
    public bool TryEnter()
    {
        if (Interlocked.Increment(ref _running) > MaxConcurrentTrainings)
        {
            Interlocked.Decrement(ref _running);
            return false;
        }
        return true;
    }

    /// <summary>Registers the end of a training.</summary>
    public void Exit() => Interlocked.Decrement(ref _running);

    /// <summary>Counts training steps (for the status endpoint).</summary>
    public void AddSteps(int n) => Interlocked.Add(ref _stepsDone, n);

    /// <summary>The state reported by <c>/api/status</c>.</summary>
    public object Snapshot() => new
    {
        runningTrainings = Running,
        stepsDone = Interlocked.Read(ref _stepsDone),
        managedMemoryMB = Math.Round(GC.GetTotalMemory(false) / 1048576.0, 1),
        workingSetMB = Math.Round(Environment.WorkingSet / 1048576.0, 1),
    };
}
