using Pitts.Cli.Plotting;
using Pitts.Cli.Training;

namespace Pitts.Cli.Tests;

/// <summary>
/// What a new user trips over: values of the wrong type, a missing or mistyped command, a run of a single epoch.
/// Each refusal is one line naming the command, the option and what was expected in words; never a .NET type name.
/// </summary>
public sealed class UserMistakeTests
{
    [Theory]
    [InlineData(new[] { "train", "--lr", "abc" }, "pitts train: --lr: 'abc' is not a number (see 'pitts train --help')")]
    [InlineData(new[] { "train", "-e", "2.5" }, "pitts train: --epochs: '2.5' is not a whole number")]
    [InlineData(new[] { "train", "--limit", "ten" }, "pitts train: --limit: 'ten' is not a whole number")]
    [InlineData(new[] { "hh", "run", "--current", "abc" }, "pitts hh run: --current: 'abc' is not a number (see 'pitts hh run --help')")]
    [InlineData(new[] { "mp", "-w", "1,1", "-t", "x" }, "pitts mp: --threshold: 'x' is not a number")]
    [InlineData(new[] { "data", "get", "spiral", "--samples", "many" }, "pitts data get: --samples: 'many' is not a whole number")]
    public void A_value_of_the_wrong_type_is_named_in_words(string[] args, string expected)
    {
        var r = CliRunner.Run(args);
        CliRunner.AssertBadInput(r, expected);
        Assert.DoesNotContain("System.", r.Err);
        Assert.DoesNotContain("Cannot parse", r.Err);
    }

    [Theory]
    [InlineData(new[] { "train", "--model", "cnn", "--dataset", "mnist", "--kernel", "4" }, "pitts train: --kernel: the kernel size must be odd and in 1..15, got 4")]
    [InlineData(new[] { "train", "--model", "cnn", "--dataset", "mnist", "--schedule", "linear" }, "pitts train: unknown schedule 'linear' (known: constant, cosine)")]
    [InlineData(new[] { "train", "--model", "transformer", "--dataset", "damped-oscillator", "--heads", "0" }, "pitts train: --heads: the number of attention heads must be positive, got 0")]
    [InlineData(new[] { "train", "--model", "transformer", "--dataset", "damped-oscillator", "--heads", "3" }, "pitts train: --heads: the transformer width 32 must be a multiple of the 3 heads")]
    public void Model_options_are_refused_by_their_own_names(string[] args, string expected)
    {
        var r = CliRunner.Run(args);
        CliRunner.AssertBadInput(r, expected);
        Assert.DoesNotContain("ModelSpec", r.Err);
    }

    [Fact]
    public void No_command_lists_the_commands()
    {
        var r = CliRunner.Run();
        CliRunner.AssertBadInput(r, "pitts: expected a command: mp, hh, train, eval, predict, summary, plot, export, data, lab");
        Assert.DoesNotContain("Required command was not provided", r.Err);
    }

    [Fact]
    public void A_mistyped_command_is_named_once_with_the_commands()
    {
        var r = CliRunner.Run("trian", "-e", "1");
        CliRunner.AssertBadInput(r, "pitts: unknown command 'trian'; expected a command: mp, hh, train,");
        Assert.DoesNotContain("Required command was not provided", r.Err);
    }

    [Fact]
    public void A_mistyped_subcommand_names_its_group_and_its_help()
    {
        var r = CliRunner.Run("hh", "runn");
        CliRunner.AssertBadInput(r, "pitts hh: unknown command 'runn'; expected a command: run, spikes, fi, rates, clamp, excitability, bench (see 'pitts hh --help')");
    }

    [Fact]
    public void An_unknown_option_points_to_its_commands_help()
    {
        var r = CliRunner.Run("train", "--bogus");
        CliRunner.AssertBadInput(r, "pitts train: ");
        Assert.Contains("'--bogus'", r.Err);
        Assert.Contains("(see 'pitts train --help')", r.Err);
    }

    [Fact]
    public void Curves_of_a_single_epoch_mark_the_point_instead_of_drawing_an_empty_frame()
    {
        var one = new[] { CheckpointInfo.Record(1, 2.30, 0.12, 2.29, 0.10, 0.3, 0.001f) };
        var (loss, metric) = Figures.CurvePlots(one, "one epoch");
        Assert.NotNull(metric);
        foreach (var plot in new[] { loss, metric! })
        {
            var lines = plot.GetPlottables().OfType<ScottPlot.Plottables.Scatter>().ToArray();
            Assert.NotEmpty(lines);
            Assert.All(lines, s => Assert.True(s.MarkerSize > 0, "a single point on a line without markers is invisible"));
        }
    }

    [Fact]
    public void Curves_of_many_epochs_stay_plain_lines()
    {
        var many = Enumerable.Range(1, 200).Select(e => CheckpointInfo.Record(e, 1.0 / e, null, 1.1 / e, 0.5, 0.01, 0.001f, "regression")).ToArray();
        var (loss, _) = Figures.CurvePlots(many, "many epochs");
        Assert.All(loss.GetPlottables().OfType<ScottPlot.Plottables.Scatter>(), s => Assert.Equal(0, s.MarkerSize));
    }

    [Fact]
    public void One_epoch_is_reported_in_the_singular()
    {
        var r = CliRunner.Run("train", "-d", "sine", "--samples", "40", "-e", "1", "-q");
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("1 epoch in ", r.Out);
        Assert.DoesNotContain("1 epochs", r.Out);
        // A run under a second gives its time in milliseconds, not "in 0.0 s".
        Assert.Matches(@"1 epoch in \d+ ms", r.Out);
        Assert.DoesNotContain("0.0 s", r.Out);
    }

    [Fact]
    public void Data_list_lines_up_its_descriptions_however_long_the_data_folder()
    {
        // The shipped MNIST lives beside the tool: in an installed tool or a build folder its path is longer than 40
        // characters, which pushed that row's description out of the column.
        var r = CliRunner.Run("data", "list");
        Assert.Equal(0, r.ExitCode);
        var lines = r.Out.Split('\n');
        int column = lines[0].IndexOf("description", StringComparison.Ordinal);
        Assert.True(column > 0, lines[0]);
        foreach (var (name, start) in new[] { ("mnist ", "10,000 MNIST"), ("mnist-full ", "the full MNIST"), ("fashion-mnist ", "Fashion-MNIST ("), ("sine ", "y = sin x") })
        {
            string row = lines.Single(l => l.StartsWith(name, StringComparison.Ordinal));
            Assert.True(row.IndexOf(start, StringComparison.Ordinal) == column, $"'{start}' not at column {column}:\n{lines[0]}\n{row}");
        }
    }
}
