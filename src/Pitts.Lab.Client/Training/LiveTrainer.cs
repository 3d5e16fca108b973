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
/// Runs a page's training loop off the UI thread: run, pause, single step, reset, and cancellation when the page
/// (its circuit) goes away. Steps run in slices of about 15 ms on <see cref="LabMonitor.ComputeGate"/> and the page
/// is asked to redraw at most <see cref="FramesPerSecond"/> times a second, less when many pages train at once
/// (<see cref="LabMonitor.FrameRate"/>). Every step and every read of the
/// model's state for drawing happens under <see cref="Sync"/>.
/// </summary>
public sealed class LiveTrainer : IDisposable
{
    private readonly LabMonitor _monitor;
    private readonly Func<StepOutcome> _step;
    private readonly Func<Task> _requestFrame;
    private CancellationTokenSource _cts = new();
    private Task _loop = Task.CompletedTask;
    private volatile bool _running;
    private bool _disposed;

    /// <summary>Creates a trainer around <paramref name="step"/> (one epoch or one optimizer step).</summary>
    public LiveTrainer(LabMonitor monitor, Func<StepOutcome> step, Func<Task> requestFrame)
    {
        _monitor = monitor;
        _step = step;
        _requestFrame = requestFrame;
    }

    /// <summary>Redraws per second while running.</summary>
    public double FramesPerSecond { get; init; } = 20;

    /// <summary>When set, one step per interval (for animations such as optimizer paths) instead of flat out.</summary>
    public TimeSpan? StepInterval { get; init; }

    /// <summary>Lock held around every step; take it when reading the model to draw it.</summary>
    public object Sync { get; } = new();

    /// <summary>True while the loop runs.</summary>
    public bool IsRunning => _running;

    /// <summary>Steps run since the last reset.</summary>
    public int Steps { get; private set; }

    /// <summary>Frames the page was asked to draw since the last reset.</summary>
    public int Frames { get; private set; }

    /// <summary>A message for the reader (divergence, busy lab), or null.</summary>
    public string? Message { get; private set; }

    /// <summary>True when the last run stopped because the loss became NaN or infinite.</summary>
    public bool Diverged { get; private set; }

    /// <summary>True when the run reached its last epoch.</summary>
    public bool Finished { get; private set; }

    /// <summary>Starts (or resumes) the loop.</summary>
    public void Run()
    {
        if (_running || _disposed || Finished || Diverged) return;
        if (!_monitor.TryEnter())
        {
            Message = "The lab is busy with many trainings at once; try again in a moment.";
            return;
        }
        Message = null;
        _running = true;
        var ct = _cts.Token;
        _loop = Task.Run(() => LoopAsync(ct));
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
        await Task.Run(() => { lock (Sync) Apply(_step()); });
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
        _monitor.AddSteps(1);
        if (outcome == StepOutcome.Diverged)
        {
            Diverged = true;
            _running = false;
            Message = $"The loss became NaN or infinite at step {Steps}: learning rate too high? Lower it and press Reset.";
        }
        else if (outcome == StepOutcome.Finished)
        {
            Finished = true;
            _running = false;
        }
    }

    private async Task LoopAsync(CancellationToken ct)
    {
        long sliceTicks = Stopwatch.Frequency * 15 / 1000;
        long lastFrame = Stopwatch.GetTimestamp();
        try
        {
            while (_running && !ct.IsCancellationRequested)
            {
                await _monitor.ComputeGate.WaitAsync(ct);
                try
                {
                    long start = Stopwatch.GetTimestamp();
                    do
                    {
                        lock (Sync) Apply(_step());
                    }
                    while (StepInterval is null && _running && !ct.IsCancellationRequested && Stopwatch.GetTimestamp() - start < sliceTicks);
                }
                finally { _monitor.ComputeGate.Release(); }

                if (StepInterval is { } interval)
                {
                    Frame();
                    await Task.Delay(interval, ct);
                    continue;
                }

                if (Stopwatch.GetTimestamp() - lastFrame >= (long)(Stopwatch.Frequency / _monitor.FrameRate(FramesPerSecond)))
                {
                    lastFrame = Stopwatch.GetTimestamp();
                    Frame();
                }
                await Task.Yield();
            }
        }
        catch (OperationCanceledException) { }
        catch (Exception e)
        {
            Message = "Training stopped: " + e.Message;
        }
        finally
        {
            _running = false;
            _monitor.Exit();
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
