using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Pitts.IO;
using Pitts.Models;

namespace Pitts.Cli.Tests;

/// <summary>
/// pitts export --pytorch and pitts predict --out Y.npy against PyTorch itself: tiny models of every zoo kind are
/// trained with the CLI, exported, and run by Debian's python3-torch (tests/Pitts.Cli.Tests/PyTorch/check_export.py),
/// which must give the raw outputs pitts predict wrote; numpy reads the .npy (an independent reader).
/// </summary>
public sealed class PyTorchExportTests(PyTorchExportTests.TorchRuns torch) : IDisposable, IClassFixture<PyTorchExportTests.TorchRuns>
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("pitts-ptexport-");

    static PyTorchExportTests() => Repo.UseRepoData();

    public void Dispose() => _dir.Delete(true);

    private string P(string name) => Path.Combine(_dir.FullName, name);

    private const string Python = "/usr/bin/python3";

    /// <summary>Runs check_export.py once on (export folder, inputs, Pitts's outputs) triples; returns its JSON, one object per triple.</summary>
    internal static JsonElement[] CheckWithPyTorch(IEnumerable<(string Folder, string Inputs, string Outputs)> runs)
    {
        Assert.True(File.Exists(Python), $"{Python} is missing: run scripts/install-test-deps.sh (Debian's python3-torch)");
        var psi = new ProcessStartInfo(Python) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(Path.Combine(Repo.Root, "tests", "Pitts.Cli.Tests", "PyTorch", "check_export.py"));
        foreach (var (folder, inputs, outputs) in runs)
            foreach (var a in new[] { folder, inputs, outputs }) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        Assert.True(p.WaitForExit(300_000), "python3 did not finish in 5 minutes");
        Assert.True(p.ExitCode == 0, $"python3 check_export.py failed (exit {p.ExitCode}; is python3-torch installed? scripts/install-test-deps.sh):\n{stderr.Result}");
        return [.. JsonDocument.Parse(stdout.Result).RootElement.EnumerateArray()];
    }

    public static TheoryData<string, string[]> ZooModels => new()
    {
        // Every zoo kind, and between them every activation and dropout (identity in eval mode) once.
        { "mlp", ["-m", "mlp", "-d", "gauss", "--hidden", "8,6", "--activation", "gelu", "--dropout", "0.2"] },
        { "mlp", ["-m", "mlp", "-d", "moons", "--hidden", "6", "--activation", "softplus"] },
        { "mlp", ["-m", "mlp", "-d", "sine", "--hidden", "7,5", "--activation", "sigmoid"] },
        { "mlp", ["-m", "mlp", "-d", "spiral", "--hidden", "6", "--activation", "tanh"] },
        { "cnn", ["-m", "cnn", "-d", "mnist", "--limit", "200", "--hidden", "4,6", "--activation", "leaky-relu", "--dropout", "0.1"] },
        { "autoencoder", ["-m", "autoencoder", "-d", "mnist", "--limit", "200", "--hidden", "16", "--activation", "elu"] },
        { "rnn", ["-m", "rnn", "-d", "damped-oscillator", "--hidden", "6,6"] },
        { "lstm", ["-m", "lstm", "-d", "damped-oscillator", "--hidden", "5"] },
        { "transformer", ["-m", "transformer", "-d", "damped-oscillator", "--hidden", "8", "--heads", "2", "--dropout", "0.1"] },
        { "linear", ["-m", "linear", "-d", "sine"] },
        { "poly", ["-m", "poly", "-d", "polynomial", "--degree", "4"] },
    };

    /// <summary>
    /// Every ZooModels case trained with the CLI, exported, run through pitts predict and then, all in one python3 process
    /// (importing torch takes seconds, more on a loaded machine), through PyTorch; each theory case checks its own result.
    /// </summary>
    public sealed class TorchRuns : IDisposable
    {
        public sealed record Run(ModelSpec Spec, SafetensorsFile File, double[][] Rows, JsonElement Result);

        private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("pitts-ptexport-all-");
        private readonly Dictionary<string, Run> _runs = [];

        public TorchRuns()
        {
            Repo.UseRepoData();
            var prepared = new List<(string Key, ModelSpec Spec, SafetensorsFile File, double[][] Rows, string Folder, string X, string Y)>();
            int i = 0;
            foreach (var row in ZooModels)
            {
                string kind = (string)row[0];
                string[] train = (string[])row[1];
                string dir = Path.Combine(_dir.FullName, (i++).ToString(CultureInfo.InvariantCulture));
                Directory.CreateDirectory(dir);
                string P(string name) => Path.Combine(dir, name);
                string ckpt = P("model.ckpt.safetensors");
                var t = CliRunner.Run(["train", .. train, "--epochs", "2", "--quiet", "--save", ckpt]);
                Assert.True(t.ExitCode == 0, t.Err);
                var file = Safetensors.Load(ckpt);
                var spec = ModelSpec.FromJson(file.Metadata["pitts.model"]);
                Assert.Equal(kind, spec.Kind);

                var e = CliRunner.Run("export", ckpt, "--pytorch", P("torch"));
                Assert.True(e.ExitCode == 0, e.Err);
                Assert.Equal("", e.Out);
                Assert.True(File.Exists(P("torch/model.py")) && File.Exists(P("torch/model.safetensors")));

                // Raw inputs spread around the data (images in [0, 1], others in [-2, 2]): the export standardises them as Pitts does.
                int n = 5;
                var x = Tensor.Rand([n, .. spec.InputShape], new Generator(7));
                if (kind is not "cnn" and not "autoencoder") x = x * 4f - 2f;
                Npy.Save(P("x.npy"), x);
                var r = CliRunner.Run("predict", ckpt, "--input", P("x.npy"), "--out", P("y.npy"));
                Assert.True(r.ExitCode == 0, r.Err);
                Assert.Equal("", r.Out);
                Assert.Contains("wrote ", r.Err);
                var csv = CliRunner.Run("predict", ckpt, "--input", P("x.npy"));
                var (_, rows) = CliRunner.Csv(csv.Out);
                prepared.Add((Key(kind, train), spec, file, rows, P("torch"), P("x.npy"), P("y.npy")));
            }
            var results = CheckWithPyTorch(prepared.Select(r => (r.Folder, r.X, r.Y)));
            Assert.Equal(prepared.Count, results.Length);
            for (int k = 0; k < prepared.Count; k++)
                _runs[prepared[k].Key] = new(prepared[k].Spec, prepared[k].File, prepared[k].Rows, results[k]);
        }

        public static string Key(string kind, string[] train) => kind + " " + string.Join(' ', train);

        public Run this[string kind, string[] train] => _runs[Key(kind, train)];

        public void Dispose() => _dir.Delete(true);
    }

    [Theory]
    [MemberData(nameof(ZooModels))]
    public void Exported_model_gives_pitts_predict_outputs_in_pytorch(string kind, string[] train)
    {
        var (spec, file, rows, j) = torch[kind, train];
        int n = 5;
        int[] expectedShape = kind == "autoencoder" ? [n, .. spec.InputShape] : [n, spec.Outputs];
        Assert.Equal("float32", j.GetProperty("pitts_dtype").GetString());
        Assert.Equal(expectedShape, j.GetProperty("pitts_shape").EnumerateArray().Select(v => v.GetInt32()));
        Assert.Equal(expectedShape, j.GetProperty("torch_shape").EnumerateArray().Select(v => v.GetInt32()));
        double diff = j.GetProperty("max_abs_diff").GetDouble();
        Assert.True(diff <= 1e-5, $"{kind}: PyTorch differs from pitts predict by {diff}");
        Assert.False(j.GetProperty("training").GetBoolean());
        Assert.Empty(j.GetProperty("parameters_without_grad").EnumerateArray());
        // The same parameter names as the checkpoint (its weights; the training state is not exported).
        Assert.Equal(file.Tensors.Keys.Where(k => !k.StartsWith("training.", StringComparison.Ordinal)).Order(),
            j.GetProperty("state_dict").EnumerateArray().Select(v => v.GetString()!).Order());

        var values = j.GetProperty("pitts_values").EnumerateArray().Select(v => v.GetDouble()).ToArray();
        if (spec.Task == "classification")
        {
            // predict's CSV (class, probability, p0..) against the exported model's predict(): softmax and argmax.
            var classes = j.GetProperty("classes").EnumerateArray().Select(v => v.GetInt32()).ToArray();
            var probs = j.GetProperty("probabilities").EnumerateArray().Select(v => v.GetDouble()).ToArray();
            for (int i = 0; i < n; i++)
            {
                Assert.Equal(rows[i][0], classes[i]);
                Assert.True(Math.Abs(rows[i][1] - probs[i]) <= 1e-5, $"sample {i}: probability {rows[i][1]} vs {probs[i]}");
            }
        }
        else
        {
            // numpy's reading of the .npy is the numbers predict prints (CSV, shortest round-trip float form).
            Assert.Equal(rows.SelectMany(row => row).ToArray(), values.Select(v => (double)(float)v).ToArray());
        }
    }

    [Fact]
    public void Exported_weights_are_a_pitts_checkpoint_with_the_same_outputs()
    {
        string ckpt = P("m.safetensors");
        Assert.Equal(0, CliRunner.Run("train", "-d", "circle", "--hidden", "5", "-e", "2", "-q", "--save", ckpt).ExitCode);
        Assert.Equal(0, CliRunner.Run("export", ckpt, "--pytorch", P("out")).ExitCode);
        var a = CliRunner.Run("predict", ckpt, "--values", "0.1,0.2;-1,0.5;2,2");
        var b = CliRunner.Run("predict", P("out/model.safetensors"), "--values", "0.1,0.2;-1,0.5;2,2");
        Assert.Equal(0, b.ExitCode);
        Assert.Equal(a.Out, b.Out);
        Assert.DoesNotContain(Safetensors.Load(P("out/model.safetensors")).Tensors.Keys, k => k.StartsWith("training.", StringComparison.Ordinal));
    }

    [Fact]
    public void Export_refuses_to_overwrite_the_checkpoint_and_bad_folders()
    {
        Directory.CreateDirectory(P("here"));
        string ckpt = P("here/model.safetensors");
        Assert.Equal(0, CliRunner.Run("train", "-d", "circle", "--hidden", "4", "-e", "1", "-q", "--save", ckpt).ExitCode);
        byte[] before = File.ReadAllBytes(ckpt);
        CliRunner.AssertBadInput(CliRunner.Run("export", ckpt, "--pytorch", P("here")), "would overwrite");
        Assert.Equal(before, File.ReadAllBytes(ckpt));
        Assert.False(File.Exists(P("here/model.py")));
        CliRunner.AssertBadInput(CliRunner.Run("export", ckpt, "--pytorch", ckpt), "is a file");
        CliRunner.AssertBadInput(CliRunner.Run("export", ckpt), "or --pytorch DIR");
        CliRunner.AssertBadInput(CliRunner.Run("export", P("none.safetensors"), "--pytorch", P("x")), "file not found");
        Assert.Empty(Directory.GetFiles(P("here"), "*.tmp"));
    }

    [Fact]
    public void Predict_out_npy_refuses_json_and_its_own_inputs()
    {
        string ckpt = P("m.safetensors");
        Assert.Equal(0, CliRunner.Run("train", "-d", "sine", "--hidden", "4", "-e", "1", "-q", "--save", ckpt).ExitCode);
        Npy.Save(P("x.npy"), Tensor.FromArray([0.5f, 1f, 2f], 3, 1));
        CliRunner.AssertBadInput(CliRunner.Run("predict", ckpt, "-i", P("x.npy"), "--out", P("y.npy"), "--json"), "--json and --out FILE.npy");
        CliRunner.AssertBadInput(CliRunner.Run("predict", ckpt, "-i", P("x.npy"), "--out", P("x.npy")), "is also an input of this command");
        CliRunner.AssertBadInput(CliRunner.Run("predict", ckpt, "-i", P("x.npy"), "--out", P("no/such/y.npy")), "does not exist");
        // Written next to a CSV of the same predictions: the .npy holds the same float32 values.
        Assert.Equal(0, CliRunner.Run("predict", ckpt, "-i", P("x.npy"), "--out", P("y.npy")).ExitCode);
        var (_, rows) = CliRunner.Csv(CliRunner.Run("predict", ckpt, "-i", P("x.npy")).Out);
        var y = Npy.Load(P("y.npy"));
        Assert.Equal([3, 1], y.Shape);
        Assert.Equal(rows.Select(row => (float)row[0]), y.ToArray());
    }
}
