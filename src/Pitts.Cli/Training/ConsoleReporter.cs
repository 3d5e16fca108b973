using System.Diagnostics;
using System.Globalization;
using Pitts.Training;
using Spectre.Console;

namespace Pitts.Cli.Training;

/// <summary>
/// Shows training progress: live Spectre.Console bars (loss, accuracy, speed, time left) when the output is an
/// interactive terminal, and one plain line per epoch otherwise (redirected output, logs, CI).
/// </summary>
public sealed class ConsoleReporter : IProgress<TrainingProgress>
{
    private readonly TextWriter _plain;
    private readonly int _epochs;
    private readonly int _startEpoch;
    private readonly string _task;
    private ProgressTask? _overall, _epoch;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private IAnsiConsole? _console;
    private int _batchesPerEpoch = 1;

    /// <summary>Creates a reporter writing plain lines to <paramref name="plain"/> for a run of <paramref name="epochs"/> epochs starting after <paramref name="startEpoch"/>.</summary>
    public ConsoleReporter(TextWriter plain, int startEpoch, int epochs, string task)
    {
        _plain = plain;
        _startEpoch = startEpoch;
        _epochs = epochs;
        _task = task;
    }

    /// <summary>The running training accuracy shown beside the loss in the live bars (classification), or null.</summary>
    public IMetric? RunningAccuracy { get; init; }

    /// <summary>Shows one progress report of the trainer: a batch moves the bars, an epoch's end prints its line.</summary>
    public void Report(TrainingProgress p)
    {
        if (p.Phase == TrainingPhase.Batch) OnBatch(p.Epoch, p.Step, p.StepsPerEpoch ?? _batchesPerEpoch, p.RunningLoss, p.Samples);
        else if (p.Phase == TrainingPhase.EpochEnd && p.Record is { } r) OnEpoch(r);
    }

    /// <summary>True when stdout is a terminal that can redraw progress bars.</summary>
    public static bool IsInteractive => !Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive && AnsiConsole.Profile.Capabilities.Ansi;

    /// <summary>Runs <paramref name="body"/> with live progress bars on <paramref name="console"/>.</summary>
    public T Live<T>(IAnsiConsole console, int batchesPerEpoch, Func<T> body)
    {
        _console = console;
        _batchesPerEpoch = Math.Max(1, batchesPerEpoch);
        T result = default!;
        console.Progress()
            .AutoClear(false)
            .HideCompleted(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn { Width = 30 }, new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
            .Start(ctx =>
            {
                _overall = ctx.AddTask("[bold]training[/]", maxValue: (double)(_epochs - _startEpoch) * _batchesPerEpoch);
                _epoch = ctx.AddTask($"epoch {_startEpoch + 1}/{_epochs}", maxValue: _batchesPerEpoch);
                result = body();
                if (_overall.Value < _overall.MaxValue) _overall.StopTask();
                _epoch.StopTask();
            });
        return result;
    }

    private void OnBatch(int epoch, int batch, int batches, double runningLoss, long samples)
    {
        if (_overall is null || _epoch is null) return;
        double? runningMetric = RunningAccuracy?.Compute();
        _epoch.MaxValue = batches;
        _epoch.Value = batch;
        _overall.Value = (double)(epoch - 1 - _startEpoch) * batches + batch;
        double rate = samples / Math.Max(1e-9, _clock.Elapsed.TotalSeconds);
        _epoch.Description = $"epoch {epoch}/{_epochs}  loss [yellow]{Num(runningLoss)}[/]" + (runningMetric is { } m ? $"  acc [green]{(m * 100).ToString("0.0", CultureInfo.InvariantCulture)}%[/]" : "")
            + $"  [grey]{rate.ToString("N0", CultureInfo.InvariantCulture)} samples/s[/]";
    }

    private void OnEpoch(EpochRecord r)
    {
        _clock.Restart();
        var line = Line(r, _epochs, _task);
        if (_console is not null)
        {
            // With hundreds of epochs, print every epoch only for short runs, else about 20 lines in all.
            int total = _epochs - _startEpoch, every = Math.Max(1, total / 20);
            if (r.Epoch == _epochs || (r.Epoch - _startEpoch) % every == 0) _console.MarkupLine(Markup.Escape(line));
        }
        else _plain.WriteLine(line);
    }

    /// <summary>The plain one-line summary of an epoch.</summary>
    public static string Line(EpochRecord r, int epochs, string task)
    {
        string metric = task == "classification" ? "acc" : "R²";
        string Fmt(double? v) => v is null ? "-" : task == "classification" ? (v.Value * 100).ToString("0.00", CultureInfo.InvariantCulture) + "%" : v.Value.ToString("0.0000", CultureInfo.InvariantCulture);
        var s = $"epoch {r.Epoch.ToString(CultureInfo.InvariantCulture).PadLeft(epochs.ToString(CultureInfo.InvariantCulture).Length)}/{epochs}  loss {Num(r.Loss)}";
        if (task == "classification") s += $"  {metric} {Fmt(CheckpointInfo.TrainMetric(r))}";
        if (r.ValLoss is not null) s += $"  val_loss {Num(r.ValLoss.Value)}";
        if (CheckpointInfo.ValMetric(r) is { } vm) s += $"  val_{metric} {Fmt(vm)}";
        return s + $"  {r.Duration.TotalSeconds.ToString("0.00", CultureInfo.InvariantCulture)} s";
    }

    /// <summary>A loss value with four significant digits.</summary>
    public static string Num(double v) => v.ToString((Math.Abs(v) < 1e-3 && v != 0) || Math.Abs(v) >= 1e5 ? "0.000e+0" : "0.0000", CultureInfo.InvariantCulture);
}
