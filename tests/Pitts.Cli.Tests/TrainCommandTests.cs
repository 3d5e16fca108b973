using System.Runtime.CompilerServices;
using System.Text.Json;
using Pitts.IO;

namespace Pitts.Cli.Tests;

/// <summary>Where the repository is (found from this source file), and a scratch folder per test.</summary>
internal static class Repo
{
    public static string Root { get; } = FindRoot();

    private static string FindRoot([CallerFilePath] string source = "")
    {
        for (var d = new DirectoryInfo(Path.GetDirectoryName(source)!); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "Pitts.slnx"))) return d.FullName;
        throw new InvalidOperationException("repository root not found");
    }

    /// <summary>Points the tool at the repository's data folder (the shipped MNIST subset).</summary>
    public static void UseRepoData() => Environment.SetEnvironmentVariable("PITTS_DATA", Path.Combine(Root, "data"));
}

/// <summary>The train, eval, predict, summary, plot and data commands in-process: happy paths on tiny data and every bad-usage path.</summary>
public sealed class TrainCommandTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("pitts-cli-");

    static TrainCommandTests() => Repo.UseRepoData();

    public void Dispose() => _dir.Delete(true);

    private string P(string name) => Path.Combine(_dir.FullName, name);

    private static JsonElement Json(string text) => JsonDocument.Parse(text).RootElement;

    [Fact]
    public void Train_prints_summary_then_one_line_per_epoch_then_the_metrics_and_fits_a_sine()
    {
        var r = CliRunner.Run("train", "--dataset", "sine", "--hidden", "32", "--activation", "tanh", "--lr", "0.01", "--epochs", "60", "--batch-size", "32");
        Assert.Equal(0, r.ExitCode);
        Assert.Equal("", r.Err);
        var lines = r.Out.Split('\n');
        int summary = Array.FindIndex(lines, l => l.StartsWith("Total params: 97", StringComparison.Ordinal)); // 1-32-1: 64 + 33
        int first = Array.FindIndex(lines, l => l.StartsWith("epoch  1/60", StringComparison.Ordinal));
        int last = Array.FindIndex(lines, l => l.StartsWith("epoch 60/60", StringComparison.Ordinal));
        int table = Array.FindIndex(lines, l => l.StartsWith("split", StringComparison.Ordinal));
        Assert.True(summary >= 0 && summary < first && first < last && last < table, r.Out);
        Assert.Equal(60, lines.Count(l => l.StartsWith("epoch ", StringComparison.Ordinal)));
        // y = sin x + N(0, 0.05²): a fitted model's test R² is close to the noise ceiling 1 - 0.0025/0.5 ≈ 0.995.
        var test = lines.Single(l => l.StartsWith("test ", StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(double.Parse(test[3], System.Globalization.CultureInfo.InvariantCulture) > 0.97, r.Out);
    }

    [Fact]
    public void Json_output_holds_metrics_and_history()
    {
        var r = CliRunner.Run("train", "--dataset", "gauss", "--epochs", "5", "--lr", "0.01", "--json");
        Assert.Equal(0, r.ExitCode);
        var j = Json(r.Out);
        Assert.Equal("classification", j.GetProperty("task").GetString());
        Assert.Equal(5, j.GetProperty("history").GetArrayLength());
        // Two Gaussian blobs at (2, 2) and (-2, -2) with variance 0.5 are separable: a trained classifier gets them all.
        Assert.True(j.GetProperty("metrics").GetProperty("test").GetProperty("accuracy").GetDouble() >= 0.98, r.Out);
        Assert.Contains("epoch 5/5", r.Err); // progress goes to stderr when stdout carries JSON
    }

    [Fact]
    public void Resumed_run_equals_the_uninterrupted_run_bit_for_bit()
    {
        // Dropout, input noise and shuffling draw from the run's generator, so this also checks that its state is restored.
        string[] common = ["train", "--dataset", "moons", "--hidden", "16,16", "--dropout", "0.2", "--augment", "noise", "--optimizer", "adamw", "--lr", "0.01", "--batch-size", "16", "--seed", "5", "--quiet"];
        var full = CliRunner.Run([.. common, "--epochs", "6", "--save", P("full.safetensors")]);
        var part = CliRunner.Run([.. common, "--epochs", "3", "--save", P("part.safetensors")]);
        var resumed = CliRunner.Run("train", "--resume", P("part.safetensors"), "--epochs", "6", "--quiet");
        Assert.Equal(0, full.ExitCode);
        Assert.Equal(0, part.ExitCode);
        Assert.Equal(0, resumed.ExitCode);
        var a = Safetensors.Load(P("full.safetensors"));
        var b = Safetensors.Load(P("part.safetensors"));
        Assert.Equal(a.Tensors.Keys.Order(), b.Tensors.Keys.Order());
        foreach (var (name, t) in a.Tensors) Assert.Equal(t.ToArray(), b.Tensors[name].ToArray());
        Assert.Equal(a.Metadata["pitts.rng"], b.Metadata["pitts.rng"]);
        Assert.Equal("6", b.Metadata["pitts.epoch"]);
        Assert.Equal(full.Out.Split('\n').Where(l => l.StartsWith("test", StringComparison.Ordinal)), resumed.Out.Split('\n').Where(l => l.StartsWith("test", StringComparison.Ordinal)));
    }

    [Fact]
    public void Gradient_trained_polynomial_reaches_the_closed_form_least_squares_optimum()
    {
        // The oracle is the QR least-squares fit of the same features (Models.LinearModel): training cannot beat it and,
        // on this convex problem, full-batch Adam gets within 1% of it.
        var r = CliRunner.Run("train", "-m", "poly", "--degree", "3", "--dataset", "polynomial", "--samples", "60", "--lr", "0.05",
            "--batch-size", "0", "--epochs", "600", "--json");
        Assert.Equal(0, r.ExitCode);
        var j = Json(r.Out);
        double trained = j.GetProperty("metrics").GetProperty("train").GetProperty("loss").GetDouble();
        double optimum = j.GetProperty("least_squares").GetProperty("train_loss").GetDouble();
        Assert.True(trained >= optimum * (1 - 1e-4), $"trained {trained} below the least-squares optimum {optimum}");
        Assert.True(trained <= optimum * 1.01, $"trained {trained}, optimum {optimum}");
        // The noise is N(0, 0.15²), so the optimum's mean squared residual is near 0.0225.
        Assert.InRange(optimum, 0.01, 0.04);
    }

    [Fact]
    public void A_diverging_loss_stops_with_exit_1_naming_epoch_and_step()
    {
        var r = CliRunner.Run("train", "--dataset", "sine", "--optimizer", "sgd", "--lr", "1000", "--epochs", "5", "--quiet");
        Assert.Equal(1, r.ExitCode);
        var line = Assert.Single(r.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Matches(@"^pitts train: the loss became (NaN|Infinity|-Infinity) at epoch \d+, step \d+; lower --lr", line);
    }

    [Fact]
    public void Resume_refuses_options_that_the_checkpoint_fixes()
    {
        Assert.Equal(0, CliRunner.Run("train", "--dataset", "sine", "--epochs", "1", "--save", P("m.safetensors"), "--quiet").ExitCode);
        CliRunner.AssertBadInput(CliRunner.Run("train", "--resume", P("m.safetensors"), "--lr", "0.5"), "drop --lr");
    }

    [Fact]
    public void Eval_reproduces_the_metrics_printed_at_the_end_of_training()
    {
        var t = CliRunner.Run("train", "--dataset", "spiral", "--hidden", "16,16", "--epochs", "10", "--lr", "0.01", "--save", P("s.safetensors"), "--json");
        var e = CliRunner.Run("eval", P("s.safetensors"), "--json");
        Assert.Equal(0, e.ExitCode);
        var tm = Json(t.Out).GetProperty("metrics");
        var em = Json(e.Out).GetProperty("metrics");
        foreach (var split in new[] { "train", "validation", "test" })
        {
            Assert.Equal(tm.GetProperty(split).GetProperty("loss").GetDouble(), em.GetProperty(split).GetProperty("loss").GetDouble(), 12);
            Assert.Equal(tm.GetProperty(split).GetProperty("accuracy").GetDouble(), em.GetProperty(split).GetProperty("accuracy").GetDouble());
        }
        // On all of a data set given by name: the 400 points of the same spiral, so the accuracy is the
        // sample-weighted mean of the three splits'.
        var all = Json(CliRunner.Run("eval", P("s.safetensors"), "--dataset", "spiral", "--json").Out).GetProperty("metrics").GetProperty("all");
        Assert.Equal(400, all.GetProperty("samples").GetInt32());
        double weighted = new[] { "train", "validation", "test" }.Sum(k => em.GetProperty(k).GetProperty("accuracy").GetDouble() * em.GetProperty(k).GetProperty("samples").GetInt32()) / 400;
        Assert.Equal(weighted, all.GetProperty("accuracy").GetDouble(), 9);
    }

    [Fact]
    public void Predict_gives_values_close_to_the_true_function_and_classes_with_probabilities()
    {
        Assert.Equal(0, CliRunner.Run("train", "--dataset", "sine", "--hidden", "32", "--activation", "tanh", "--lr", "0.01", "--epochs", "200", "--batch-size", "16", "--save", P("sin.safetensors"), "--quiet").ExitCode);
        var r = CliRunner.Run("predict", P("sin.safetensors"), "--values", "-1.5;0;0.5;2");
        Assert.Equal(0, r.ExitCode);
        var (header, rows) = CliRunner.Csv(r.Out);
        Assert.Equal(["y"], header);
        double[] xs = [-1.5, 0, 0.5, 2];
        for (int i = 0; i < xs.Length; i++) Assert.InRange(rows[i][0] - Math.Sin(xs[i]), -0.1, 0.1);

        File.WriteAllText(P("in.csv"), "x\n0.5\n2\n");
        var fromFile = CliRunner.Run("predict", P("sin.safetensors"), "--input", P("in.csv"));
        Assert.Equal(rows[2][0], CliRunner.Csv(fromFile.Out).Rows[0][0]);

        Assert.Equal(0, CliRunner.Run("train", "--dataset", "gauss", "--epochs", "5", "--lr", "0.01", "--save", P("g.safetensors"), "--quiet").ExitCode);
        var c = CliRunner.Run("predict", P("g.safetensors"), "--values", "2,2;-2,-2", "--json");
        var arr = Json(c.Out);
        Assert.Equal(2, arr.GetArrayLength());
        Assert.NotEqual(arr[0].GetProperty("class").GetDouble(), arr[1].GetProperty("class").GetDouble());
        foreach (var row in arr.EnumerateArray())
        {
            Assert.Equal(1.0, row.GetProperty("p0").GetDouble() + row.GetProperty("p1").GetDouble(), 5);
            Assert.True(row.GetProperty("probability").GetDouble() > 0.9);
        }
    }

    [Fact]
    public void Summary_shows_the_layers_of_a_checkpoint_and_the_tensors_of_a_foreign_file()
    {
        Assert.Equal(0, CliRunner.Run("train", "--dataset", "sine", "--hidden", "20,15", "--epochs", "1", "--save", P("net.safetensors"), "--quiet").ExitCode);
        var s = CliRunner.Run("summary", P("net.safetensors"));
        Assert.Equal(0, s.ExitCode);
        Assert.Contains("fc2 (Linear)", s.Out);
        Assert.Contains("Total params: 371", s.Out); // the lecture's Net: 1-20-15-1 = 40 + 315 + 16
        Assert.Contains("fc1.weight", s.Out);

        // A file written by PyTorch (scripts/data/safetensors_reference.py): names, dtypes and shapes.
        var torch = CliRunner.Run("summary", Path.Combine(Repo.Root, "tests/Pitts.Tests/IO/Golden/reference_all_dtypes.safetensors"), "--json");
        Assert.Equal(0, torch.ExitCode);
        var tensors = Json(torch.Out).GetProperty("tensors").EnumerateArray().ToDictionary(t => t.GetProperty("name").GetString()!);
        Assert.Equal("F64", tensors["double"].GetProperty("dtype").GetString());
        Assert.Equal([2, 2], tensors["double"].GetProperty("shape").EnumerateArray().Select(e => e.GetInt32()));
        Assert.Equal("BF16", tensors["brain"].GetProperty("dtype").GetString());
        Assert.Equal("I64", tensors["step"].GetProperty("dtype").GetString());
        Assert.False(Json(torch.Out).TryGetProperty("model", out _));
    }

    [Fact]
    public void Every_figure_kind_is_written_as_a_png_of_the_stated_size()
    {
        Assert.Equal(0, CliRunner.Run("train", "--dataset", "sine", "--epochs", "3", "--save", P("sine.safetensors"), "--plot", P("c.png"), "--plot", "fit=" + P("f.png"), "--quiet").ExitCode);
        Assert.Equal(0, CliRunner.Run("train", "--dataset", "xor", "--epochs", "3", "--save", P("xor.safetensors"), "--plot", "boundary=" + P("b.png"), "--quiet").ExitCode);
        Assert.Equal(0, CliRunner.Run("train", "-m", "autoencoder", "--dataset", "mnist", "--limit", "300", "--hidden", "16", "--epochs", "1", "--denoise", "0.3", "--save", P("ae.safetensors"), "--quiet").ExitCode);
        Assert.Equal(0, CliRunner.Run("train", "-m", "cnn", "--dataset", "mnist", "--limit", "200", "--hidden", "4", "--epochs", "1", "--save", P("cnn.safetensors"), "--quiet").ExitCode);
        Assert.Equal(0, CliRunner.Run("train", "-m", "rnn", "--dataset", "damped-oscillator", "--samples", "200", "--hidden", "8", "--epochs", "1", "--save", P("rnn.safetensors"), "--quiet").ExitCode);
        foreach (var (kind, model) in new[] { ("reconstructions", "ae"), ("latent", "ae"), ("filters", "cnn"), ("features", "cnn"), ("trajectory", "rnn"), ("curves", "xor") })
        {
            var r = CliRunner.Run("plot", kind, P(model + ".safetensors"), "-o", P(kind + ".png"));
            Assert.True(r.ExitCode == 0, kind + ": " + r.Err);
        }
        foreach (var (png, w, h) in new[] { ("c.png", 1200, 480), ("f.png", 800, 500), ("b.png", 760, 620), ("latent.png", 800, 680), ("trajectory.png", 900, 500), ("curves.png", 1200, 480), ("reconstructions.png", 510, 1521), ("filters.png", 440, 165) })
        {
            var bytes = File.ReadAllBytes(P(png));
            Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], bytes[..4]);
            // IHDR: width and height, big-endian, at bytes 16..24.
            Assert.Equal(w, System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(16)));
            Assert.Equal(h, System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(20)));
            Assert.True(bytes.Length > 5000, png + " looks empty");
        }
    }

    [Fact]
    public void Plot_kinds_that_do_not_fit_the_model_are_refused()
    {
        Assert.Equal(0, CliRunner.Run("train", "--dataset", "sine", "--epochs", "1", "--save", P("sine.safetensors"), "--quiet").ExitCode);
        CliRunner.AssertBadInput(CliRunner.Run("plot", "boundary", P("sine.safetensors"), "-o", P("x.png")), "pitts plot: boundary needs a classifier with two inputs");
        CliRunner.AssertBadInput(CliRunner.Run("plot", "latent", P("sine.safetensors"), "-o", P("x.png")), "pitts plot: latent needs an autoencoder");
        CliRunner.AssertBadInput(CliRunner.Run("plot", "filters", P("sine.safetensors"), "-o", P("x.png")), "needs a convolutional model");
        CliRunner.AssertBadInput(CliRunner.Run("plot", "pie", P("sine.safetensors")), "unknown figure 'pie'");
        CliRunner.AssertBadInput(CliRunner.Run("plot", "fit", P("sine.safetensors"), "-o", P("x.jpg")), "must end in .png");
    }

    [Fact]
    public void Data_commands_list_describe_write_and_verify()
    {
        var list = CliRunner.Run("data", "list");
        Assert.Equal(0, list.ExitCode);
        foreach (var n in new[] { "mnist", "fashion-mnist", "sine", "spiral", "lorenz" }) Assert.Contains(n, list.Out);

        // The shipped subset's label counts, against data/mnist/summary.json written when it was converted.
        var info = Json(CliRunner.Run("data", "info", "mnist", "--json").Out);
        var summary = Json(File.ReadAllText(Path.Combine(Repo.Root, "data/mnist/summary.json")));
        Assert.Equal(summary.GetProperty("trainLabelCounts").EnumerateArray().Select(e => e.GetInt32()), info.GetProperty("class_counts").EnumerateArray().Select(e => e.GetInt32()));
        Assert.Equal(summary.GetProperty("test").GetInt32(), info.GetProperty("test_samples").GetInt32());

        var get = CliRunner.Run("data", "get", "polynomial", "--samples", "12");
        var (header, rows) = CliRunner.Csv(get.Out);
        Assert.Equal(["x0", "y"], header);
        Assert.Equal(12, rows.Length);
        var v = CliRunner.Run("data", "verify", "mnist");
        Assert.Equal(0, v.ExitCode);
        Assert.Equal(4, v.Out.Split('\n').Count(l => l.Contains("sha256 matches")));
    }

    [Fact]
    public void Verify_reports_a_corrupted_file()
    {
        var src = Path.Combine(Repo.Root, "data/mnist");
        foreach (var f in Directory.GetFiles(src)) File.Copy(f, P(Path.GetFileName(f)));
        var labels = P("t10k-labels-idx1-ubyte.gz");
        var bytes = File.ReadAllBytes(labels);
        bytes[^12] ^= 0xFF;
        File.WriteAllBytes(labels, bytes);
        var r = CliRunner.Run("data", "verify", _dir.FullName);
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("FAIL", r.Out.Split('\n').Single(l => l.Contains("t10k-labels")));
    }

    [Fact]
    public void A_folder_of_idx_files_and_an_npy_table_are_data_sets()
    {
        // The shipped subset copied to a folder of its own is read as "a directory of IDX files".
        foreach (var f in Directory.GetFiles(Path.Combine(Repo.Root, "data/mnist"), "*-ubyte.gz")) File.Copy(f, P(Path.GetFileName(f)));
        var r = CliRunner.Run("train", "--dataset", _dir.FullName, "--limit", "500", "--epochs", "2", "--lr", "0.003", "--json");
        Assert.Equal(0, r.ExitCode);
        var m = Json(r.Out).GetProperty("metrics");
        Assert.Equal(100, m.GetProperty("test").GetProperty("samples").GetInt32()); // --limit 500 keeps 500/5 test images
        Assert.True(m.GetProperty("train").GetProperty("accuracy").GetDouble() > 0.5, r.Out); // ten classes: chance is 0.1

        // A .npy table (NumPy's format, written by Pitts.IO.Npy.Save), last column the class.
        var g = new Generator(9);
        var rows = new float[120 * 3];
        for (int i = 0; i < 120; i++)
        {
            float a = g.NextFloat() * 2 - 1, b = g.NextFloat() * 2 - 1;
            (rows[3 * i], rows[3 * i + 1], rows[3 * i + 2]) = (a, b, a + b > 0 ? 1 : 0);
        }
        Npy.Save(P("t.npy"), Tensor.FromArray(rows, 120, 3));
        var n = CliRunner.Run("train", "--dataset", P("t.npy"), "-m", "linear", "--epochs", "40", "--lr", "0.05", "--batch-size", "8", "--json");
        Assert.Equal(0, n.ExitCode);
        Assert.Equal("classification", Json(n.Out).GetProperty("task").GetString());
        Assert.True(Json(n.Out).GetProperty("metrics").GetProperty("train").GetProperty("accuracy").GetDouble() > 0.95, n.Out); // a linear boundary
    }

    [Fact]
    public void Lab_is_found_from_the_repository_and_not_from_elsewhere()
    {
        // In a checkout: the client project (published or not), and its publish folder once published.
        var root = Commands.LabCommand.Locate(Path.Combine(Repo.Root, "docs"), out var project);
        Assert.Equal(Path.Combine(Repo.Root, "src", "Pitts.Lab.Client", "Pitts.Lab.Client.csproj"), project);
        Assert.True(root is null || root == Commands.LabCommand.PublishDir(Repo.Root), root);
        Assert.Null(Commands.LabCommand.Locate(Path.GetTempPath(), out var none));
        Assert.Null(none);
    }

    // ------------------------------------------------------------------ bad usage: one line, exit code 2

    [Fact]
    public void Unknown_model_dataset_activation_and_optimizer_are_named()
    {
        CliRunner.AssertBadInput(CliRunner.Run("train", "--model", "resnet"), "unknown model 'resnet'");
        CliRunner.AssertBadInput(CliRunner.Run("train", "--dataset", "imagenet"), "unknown dataset 'imagenet'");
        CliRunner.AssertBadInput(CliRunner.Run("train", "--activation", "swish"), "unknown activation 'swish'");
        CliRunner.AssertBadInput(CliRunner.Run("train", "--optimizer", "lbfgs"), "unknown optimizer 'lbfgs'");
        CliRunner.AssertBadInput(CliRunner.Run("train", "-m", "cnn", "--dataset", "sine"), "model 'cnn' needs images");
    }

    [Theory]
    [InlineData("--epochs", "-3", "--epochs must be zero or more, got -3")]
    [InlineData("--lr", "0", "--lr must be a positive number")]
    [InlineData("--batch-size", "-1", "--batch-size must be zero")]
    [InlineData("--dropout", "1", "--dropout must be in [0, 1)")]
    [InlineData("--val-split", "0.9", "--test-split must be in [0, 1) with --val-split + --test-split < 1")]
    [InlineData("--hidden", "32,x", "--hidden: 'x' is not a positive whole number")]
    [InlineData("--hidden", "0", "--hidden: '0' is not a positive whole number")]
    [InlineData("--augment", "mixup", "unknown augmentation 'mixup'")]
    [InlineData("--save", "model.pt", "--save: 'model.pt' must end in .safetensors")]
    [InlineData("--plot", "x.svg", "--plot: 'x.svg' must end in .png")]
    [InlineData("--epochs", "many", "many")]
    public void Bad_values_are_refused_with_one_line(string option, string value, string expected) =>
        CliRunner.AssertBadInput(CliRunner.Run("train", option, value), expected);

    [Fact]
    public void Missing_files_are_named()
    {
        CliRunner.AssertBadInput(CliRunner.Run("train", "--dataset", P("nope.csv")), "file not found");
        CliRunner.AssertBadInput(CliRunner.Run("eval", P("nope.safetensors")), "file not found");
        CliRunner.AssertBadInput(CliRunner.Run("summary", P("nope.safetensors")), "file not found");
        CliRunner.AssertBadInput(CliRunner.Run("train", "--resume", P("nope.safetensors")), "file not found");
        CliRunner.AssertBadInput(CliRunner.Run("train", "--save", P("no/such/dir/m.safetensors")), "does not exist");
    }

    [Fact]
    public void Corrupt_and_foreign_checkpoints_get_a_one_line_reason()
    {
        File.WriteAllBytes(P("junk.safetensors"), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
        foreach (var cmd in new[] { "eval", "summary" })
        {
            var r = CliRunner.Run(cmd, P("junk.safetensors"));
            CliRunner.AssertBadInput(r, "junk.safetensors");
        }
        // A truncated real checkpoint.
        Assert.Equal(0, CliRunner.Run("train", "--dataset", "sine", "--epochs", "1", "--save", P("m.safetensors"), "--quiet").ExitCode);
        var bytes = File.ReadAllBytes(P("m.safetensors"));
        File.WriteAllBytes(P("cut.safetensors"), bytes[..(bytes.Length - 10)]);
        CliRunner.AssertBadInput(CliRunner.Run("eval", P("cut.safetensors")), "cut.safetensors");
        CliRunner.AssertBadInput(CliRunner.Run("predict", P("cut.safetensors"), "--values", "1"), "cut.safetensors");
        // A valid safetensors file that is not a zoo checkpoint: summary lists it, eval explains.
        Safetensors.Save(P("plain.safetensors"), new Dictionary<string, Tensor> { ["w"] = Tensor.Ones(2, 3) });
        Assert.Equal(0, CliRunner.Run("summary", P("plain.safetensors")).ExitCode);
        CliRunner.AssertBadInput(CliRunner.Run("eval", P("plain.safetensors")), "not a Pitts zoo checkpoint");
    }

    [Fact]
    public void Csv_with_ragged_rows_or_non_numbers_is_refused_naming_the_line()
    {
        File.WriteAllText(P("ragged.csv"), "x,y\n1,2\n3,4,5\n");
        var r = CliRunner.Run("train", "--dataset", P("ragged.csv"));
        CliRunner.AssertBadInput(r, "line 3");
        File.WriteAllText(P("words.csv"), "x,y\n1,2\n3,abc\n");
        r = CliRunner.Run("train", "--dataset", P("words.csv"));
        CliRunner.AssertBadInput(r, "line 3");
        Assert.Contains("abc", r.Err);
        File.WriteAllText(P("nan.csv"), "x,y\n1,2\n3,nan\n4,5\n");
        CliRunner.AssertBadInput(CliRunner.Run("train", "--dataset", P("nan.csv")), "row 2, column 2");
    }

    [Fact]
    public void A_csv_trains_and_its_model_predicts_new_rows()
    {
        // y = 3x₁ - 2x₂ + 1 exactly: a linear model recovers it (R² ≈ 1).
        var g = new Generator(2);
        var lines = new List<string> { "a,b,y" };
        for (int i = 0; i < 200; i++)
        {
            float a = g.NextFloat() * 4 - 2, b = g.NextFloat() * 4 - 2;
            lines.Add(FormattableString.Invariant($"{a},{b},{3 * a - 2 * b + 1}"));
        }
        File.WriteAllLines(P("lin.csv"), lines);
        var r = CliRunner.Run("train", "-m", "linear", "--dataset", P("lin.csv"), "--lr", "0.05", "--epochs", "60", "--batch-size", "16", "--save", P("lin.safetensors"), "--json");
        Assert.Equal(0, r.ExitCode);
        Assert.True(Json(r.Out).GetProperty("metrics").GetProperty("test").GetProperty("r2").GetDouble() > 0.9999, r.Out);
        var p = CliRunner.Csv(CliRunner.Run("predict", P("lin.safetensors"), "--values", "1,1;0,0.5").Out).Rows;
        Assert.Equal(2.0, p[0][0], 1);
        Assert.Equal(0.0, p[1][0], 1);
        CliRunner.AssertBadInput(CliRunner.Run("predict", P("lin.safetensors"), "--values", "1,2,3"), "has 3 values, the model takes 2");
    }
}
