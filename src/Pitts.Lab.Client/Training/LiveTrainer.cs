using System.Diagnostics;

namespace Pitts.Lab.Services;

/// <summary>What one training step reports back to <see cref="LiveTrainer"/>.</summary>
public enum StepOutcome
{
    /// <summary>Keep going.</summary>
    Continue,

    /// <summary>The run reached its last epoch.</summary>
    Finished,

    /// <summary>The loss became NaN or infinite.</summary>
    Diverged,
}

/// <summary>
/// Runs a page's training loop on the browser's one thread without freezing it: run, pause, single step, reset, and
/// cancellation when the page goes away. Steps run in slices of about <see cref="SliceMilliseconds"/> ms; between
/// slices the loop yields to the browser (a timer, so it repaints and handles input), and the page is asked to redraw
/// at most <see cref="FramesPerSecond"/> times a second. <see cref="Sync"/> is kept for pages that read the model
/// while it trains (uncontended on one thread).
/// </summary>
public sealed class LiveTrainer : IDisposable
{
    private readonly Func<StepOutcome> _step;
    private readonly Func<Task> _requestFrame;
    private CancellationTokenSource _cts = new();
    private Task _loop = Task.CompletedTask;
    private bool _running;
    private bool _disposed;

    /// <summary>Longest run of steps between two yields to the browser, in milliseconds.</summary>
    public const int SliceMilliseconds = 12;

    /// <summary>Creates a trainer around <paramref name="step"/> (one epoch or one optimizer step).</summary>
    public LiveTrainer(Func<StepOutcome> step, Func<Task> requestFrame)
    {
        _step = step;
        _requestFrame = requestFrame;
    }

    /// <summary>Redraws per second while running.</summary>
    public double FramesPerSecond { get; init; } = 20;

    /// <summary>When set, one step per interval (for animations such as optimizer paths) instead of flat out.</summary>
    public TimeSpan? StepInterval { get; init; }

    /// <summary>
    /// What the divergence message tells the reader to do, after "The loss became NaN or infinite at step N:": by
    /// default to lower the learning rate, which a page without that control replaces with something it offers.
    /// </summary>
    public string DivergenceAdvice { get; init; } = "learning rate too high? Lower it and press Reset.";

    /// <summary>Lock held around every step; take it when reading the model to draw it.</summary>
    public object Sync { get; } = new();

    /// <summary>True while the loop runs.</summary>
    public bool IsRunning => _running;

    /// <summary>Steps run since the last reset.</summary>
    public int Steps { get; private set; }

    /// <summary>Frames the page was asked to draw since the last reset.</summary>
    public int Frames { get; private set; }

    /// <summary>Longest slice of steps so far, in milliseconds (the longest the loop held the browser's thread).</summary>
    public double LongestSliceMs { get; private set; }

    /// <summary>A message for the reader (divergence, an error), or null.</summary>
    public string? Message { get; private set; }

    /// <summary>True when the last run stopped because the loss became NaN or infinite.</summary>
    public bool Diverged { get; private set; }

    /// <summary>True when the run reached its last epoch.</summary>
    public bool Finished { get; private set; }

    /// <summary>Starts (or resumes) the loop.</summary>
    public void Run()
    {
        if (_running || _disposed || Finished || Diverged) return;
        Message = null;
        _running = true;
        _loop = LoopAsync(_cts.Token);
    }

    /// <summary>Pauses the loop after the current step.</summary>
    public async Task PauseAsync()
    {
        _running = false;
        await _loop;
    }

    /// <summary>Runs exactly one step (pausing first if running).</summary>
    public async Task StepAsync()
    {
        await PauseAsync();
        if (_disposed || Finished || Diverged) return;
        lock (Sync) Apply(_step());
    }

    /// <summary>Stops the loop and calls <paramref name="reinitialise"/> under the lock to start over.</summary>
    public async Task ResetAsync(Action reinitialise)
    {
        _running = false;
        _cts.Cancel();
        try { await _loop; } catch (OperationCanceledException) { }
        _cts.Dispose();
        _cts = new CancellationTokenSource();
        lock (Sync)
        {
            Steps = 0;
            Frames = 0;
            Message = null;
            Diverged = false;
            Finished = false;
            reinitialise();
        }
    }

    private void Apply(StepOutcome outcome)
    {
        Steps++;
        if (outcome == StepOutcome.Diverged)
        {
            Diverged = true;
            _running = false;
            Message = $"The loss became NaN or infinite at step {Steps}: {DivergenceAdvice}";
        }
        else if (outcome == StepOutcome.Finished)
        {
            Finished = true;
            _running = false;
        }
    }

    private async Task LoopAsync(CancellationToken ct)
    {
        long sliceTicks = Stopwatch.Frequency * SliceMilliseconds / 1000;
        long lastFrame = Stopwatch.GetTimestamp();
        LabProbe.Running++;
        try
        {
            // The caller (a click handler) returns first, so the button's new state is drawn before the first slice.
            await Task.Yield();
            while (_running && !ct.IsCancellationRequested)
            {
                long start = Stopwatch.GetTimestamp();
                do
                {
                    lock (Sync) Apply(_step());
                }
                while (StepInterval is null && _running && !ct.IsCancellationRequested && Stopwatch.GetTimestamp() - start < sliceTicks);
                double sliceMs = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
                LongestSliceMs = Math.Max(LongestSliceMs, sliceMs);
                LabProbe.LongestSlice = Math.Max(LabProbe.LongestSlice, sliceMs);

                if (StepInterval is { } interval)
                {
                    Frame();
                    await Task.Delay(interval, ct);
                    continue;
                }

                if (Stopwatch.GetTimestamp() - lastFrame >= (long)(Stopwatch.Frequency / FramesPerSecond))
                {
                    lastFrame = Stopwatch.GetTimestamp();
                    Frame();
                }
                // A timer, not Task.Yield: in the browser a yield would run the next slice before the page repaints.
                await Task.Delay(1, ct);
            }
        }
        catch (OperationCanceledException) { }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            Message = "Training stopped: " + e.Message;
        }
        finally
        {
            _running = false;
            LabProbe.Running--;
        }
        if (!ct.IsCancellationRequested) Frame();
    }

    private void Frame()
    {
        Frames++;
        try { _ = _requestFrame(); } catch (ObjectDisposedException) { }
    }

    /// <summary>Cancels the loop (the page closed).</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _running = false;
        _cts.Cancel();
    }
}
