using System.Globalization;
using Pitts.Models;

namespace Pitts.Onnx.Tests;

/// <summary>pitts export CKPT --onnx gives a file that ONNX Runtime runs to pitts predict's numbers, standardisation included.</summary>
public class ExportCommandTests
{
    private static (int Code, string Out, string Err) Pitts(params string[] args)
    {
        var o = new StringWriter();
        var e = new StringWriter();
        int code = global::Pitts.Cli.Program.Run(args, o, e);
        return (code, o.ToString(), e.ToString());
    }

    private static string Checkpoint(ModelSpec spec, string dir)
    {
        string path = Path.Combine(dir, spec.Kind + ".safetensors");
        ZooCheckpoint.Save(path, spec, spec.Build(new Generator(5)));
        return path;
    }

    public static IEnumerable<object[]> Specs() =>
    [
        [new ModelSpec { Kind = "mlp", InputShape = [3], Hidden = [8], Task = "classification", Outputs = 4, InputMean = [1f, -2f, 0.5f], InputStd = [2f, 0.5f, 3f] }],
        [new ModelSpec { Kind = "lstm", InputShape = [4, 2], Hidden = [5], Task = "regression", Outputs = 2, InputMean = [0.3f, -1f], InputStd = [1.5f, 0.25f] }],
        [new ModelSpec { Kind = "cnn", InputShape = [1, 4, 4], Hidden = [2], Task = "classification", Outputs = 3, InputMean = [.. Enumerable.Range(0, 16).Select(i => i / 10f)], InputStd = [.. Enumerable.Range(0, 16).Select(i => 1f + i / 8f)] }],
        [new ModelSpec { Kind = "poly", InputShape = [2], Task = "regression", Outputs = 1, Degree = 2 }],
    ];

    [Theory]
    [MemberData(nameof(Specs))]
    public void OnnxRuntimeGivesPittsPredictsNumbers(ModelSpec spec)
    {
        string dir = Directory.CreateTempSubdirectory("pitts-onnx-cli").FullName;
        try
        {
            string ck = Checkpoint(spec, dir), onnx = Path.Combine(dir, "model.onnx");
            var (code, _, err) = Pitts("export", ck, "--onnx", onnx);
            Assert.True(code == 0, err);
            Assert.Equal("", Oracles.Check(onnx));

            var g = new Generator(11);
            var x = Tensor.Zeros([3, .. spec.InputShape]);
            var xs = x.AsSpan();
            for (int i = 0; i < xs.Length; i++) xs[i] = MathF.Round(g.NextFloat() * 8f - 4f, 2);
            string values = string.Join(";", Enumerable.Range(0, 3).Select(r =>
                string.Join(",", x.ToArray().Skip(r * spec.InputSize).Take(spec.InputSize).Select(v => v.ToString("R", CultureInfo.InvariantCulture)))));
            var (pcode, csv, perr) = Pitts("predict", ck, "--values", values);
            Assert.True(pcode == 0, perr);
            var lines = csv.Trim().Split('\n');
            var header = lines[0].Split(',');
            var rows = lines.Skip(1).Select(l => l.Split(',').Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray()).ToArray();

            var outputs = Oracles.RunOrtAll(onnx, x);
            var (name, first) = spec.Task == "classification" ? ("probabilities", Array.IndexOf(header, "p0")) : ("output", 0);
            var y = outputs[name];
            int k = y.Length / 3;
            for (int r = 0; r < 3; r++)
                for (int j = 0; j < k; j++)
                    Assert.True(Math.Abs(rows[r][first + j] - y[r * k + j]) <= 1e-5, $"{spec.Kind}: sample {r}, column {header[first + j]}: pitts predict {rows[r][first + j]}, ONNX Runtime {y[r * k + j]}");
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    [Theory]
    [MemberData(nameof(Specs))]
    public void PredictAndSummaryReadTheOnnxFile(ModelSpec spec)
    {
        string dir = Directory.CreateTempSubdirectory("pitts-onnx-cli").FullName;
        try
        {
            string ck = Checkpoint(spec, dir), onnx = Path.Combine(dir, "model.onnx");
            Assert.Equal(0, Pitts("export", ck, "--onnx", onnx).Code);
            var g = new Generator(12);
            string values = string.Join(";", Enumerable.Range(0, 2).Select(_ =>
                string.Join(",", Enumerable.Range(0, spec.InputSize).Select(_ => (g.NextFloat() * 4 - 2).ToString("R", CultureInfo.InvariantCulture)))));
            var fromCheckpoint = Pitts("predict", ck, "--values", values);
            var fromOnnx = Pitts("predict", onnx, "--values", values);
            Assert.True(fromOnnx.Code == 0, fromOnnx.Err);
            var a = fromCheckpoint.Out.Trim().Split('\n');
            var b = fromOnnx.Out.Trim().Split('\n');
            Assert.Equal(a[0], b[0]); // the same columns
            for (int r = 1; r < a.Length; r++)
            {
                var va = a[r].Split(',').Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray();
                var vb = b[r].Split(',').Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray();
                Assert.True(Oracles.MaxDiff([.. va.Select(v => (float)v)], [.. vb.Select(v => (float)v)]) <= 1e-6, $"{a[r]} vs {b[r]}");
            }
            // The standardisation is fixed preprocessing, not a weight: the imported model trains the network's parameters only.
            Assert.Equal(spec.Build().ParameterCount(), Onnx.Load(onnx).ParameterCount());
            var summary = Pitts("summary", onnx);
            Assert.Equal(0, summary.Code);
            Assert.Contains("ONNX, opset 17, producer 'Pitts'", summary.Out, StringComparison.Ordinal);
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    [Fact]
    public void EvalOnTheOnnxFileGivesTheCheckpointsMetrics()
    {
        string dir = Directory.CreateTempSubdirectory("pitts-onnx-cli").FullName;
        try
        {
            var spec = new ModelSpec { Kind = "mlp", InputShape = [2], Hidden = [6], Task = "classification", Outputs = 2, InputMean = [0.5f, 0.25f], InputStd = [0.8f, 0.5f] };
            string ck = Checkpoint(spec, dir), onnx = Path.Combine(dir, "model.onnx");
            Assert.Equal(0, Pitts("export", ck, "--onnx", onnx).Code);
            var a = Pitts("eval", ck, "-d", "moons");
            var b = Pitts("eval", onnx, "-d", "moons");
            Assert.True(b.Code == 0, b.Err);
            Assert.Equal(a.Out.Split('\n')[1..], b.Out.Split('\n')[1..]); // the same table; the first line names the file
            Assert.Contains("accuracy", b.Out, StringComparison.Ordinal);
            Assert.Equal(2, Pitts("eval", onnx).Code); // no data set to evaluate on
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    [Fact]
    public void EvalOnAnExportedAutoencoderScoresTheReconstruction()
    {
        // MNIST's targets are class labels; the autoencoder's outputs have its inputs' shape, so eval scores reconstructions
        // as it does for the checkpoint (it failed with "CrossEntropy: ... needs class-index targets" before).
        string dir = Directory.CreateTempSubdirectory("pitts-onnx-cli").FullName;
        try
        {
            var spec = new ModelSpec { Kind = "autoencoder", InputShape = [1, 28, 28], Hidden = [8], Latent = 2, Task = "reconstruction" };
            string ck = Checkpoint(spec, dir), onnx = Path.Combine(dir, "model.onnx");
            Assert.Equal(0, Pitts("export", ck, "--onnx", onnx).Code);
            var a = Pitts("eval", ck, "-d", "mnist");
            var b = Pitts("eval", onnx, "-d", "mnist");
            Assert.True(a.Code == 0, a.Err);
            Assert.True(b.Code == 0, b.Err);
            Assert.Equal(a.Out.Split('\n')[1..], b.Out.Split('\n')[1..]);
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    [Fact]
    public void AnOutputThatIsTheCheckpointIsRefusedThroughLinksToo()
    {
        string dir = Directory.CreateTempSubdirectory("pitts-onnx-cli").FullName;
        try
        {
            // The checkpoint is named like the weights --pytorch writes, and reached again through a linked folder and a linked file.
            string folder = Path.Combine(dir, "export");
            Directory.CreateDirectory(folder);
            string ck = Path.Combine(folder, "model.safetensors");
            ZooCheckpoint.Save(ck, new ModelSpec { Kind = "mlp", InputShape = [2], Hidden = [4] }, new ModelSpec { Kind = "mlp", InputShape = [2], Hidden = [4] }.Build(new Generator(5)));
            byte[] before = File.ReadAllBytes(ck);
            Directory.CreateSymbolicLink(Path.Combine(dir, "linked"), folder);
            File.CreateSymbolicLink(Path.Combine(dir, "link.onnx"), ck);
            string other = Path.Combine(dir, "other");
            foreach (var args in new[]
            {
                new[] { "export", ck, "--pytorch", folder },
                ["export", ck, "--pytorch", Path.Combine(dir, "linked")],
                ["export", ck, "--onnx", Path.Combine(dir, "link.onnx")],
                ["export", ck, "--onnx", Path.Combine(dir, "linked", "model.safetensors")],
                ["export", ck, "--onnx", Path.Combine(other, "model.py"), "--pytorch", other], // two outputs on one file
            })
            {
                var (code, output, err) = Pitts(args);
                Assert.True(code == 2, $"{string.Join(' ', args)}: exit {code}, {err}");
                Assert.Equal("", output);
                Assert.Single(err.Trim().Split('\n'));
                Assert.Equal(before, File.ReadAllBytes(ck));
            }
            Assert.False(Directory.Exists(other));
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    [Fact]
    public void AFolderThatCannotBeWrittenGivesOneLineAndExitCode2()
    {
        if (!OperatingSystem.IsLinux()) return; // /proc takes no new files, even for root
        string dir = Directory.CreateTempSubdirectory("pitts-onnx-cli").FullName;
        try
        {
            var spec = new ModelSpec { Kind = "mlp", InputShape = [2], Hidden = [4] };
            string ck = Checkpoint(spec, dir);
            foreach (var args in new[] { new[] { "export", ck, "--onnx", "/proc/pitts-test.onnx" }, ["export", ck, "--pytorch", "/proc/pitts-test"], ["export", ck, "--pytorch", "/proc"] })
            {
                var (code, output, err) = Pitts(args);
                Assert.True(code == 2, $"{string.Join(' ', args)}: exit {code}, {err}");
                Assert.Equal("", output);
                Assert.Single(err.Trim().Split('\n'));
                Assert.Contains("/proc", err, StringComparison.Ordinal);
            }
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    [Fact]
    public void MistakesGiveOneLineAndExitCode2()
    {
        string dir = Directory.CreateTempSubdirectory("pitts-onnx-cli").FullName;
        try
        {
            string ck = Checkpoint(new ModelSpec { Kind = "mlp", InputShape = [2], Hidden = [4] }, dir);
            File.WriteAllText(Path.Combine(dir, "junk.onnx"), "not a model");
            Directory.CreateDirectory(Path.Combine(dir, "folder.onnx"));
            foreach (var args in new[] { new[] { "export", ck }, ["export", ck, "--onnx", ck], ["export", Path.Combine(dir, "missing.safetensors"), "--onnx", "x.onnx"], ["export", ck, "--onnx", Path.Combine(dir, "no", "such", "x.onnx")], ["predict", Path.Combine(dir, "junk.onnx"), "--values", "1,2"], ["summary", Path.Combine(dir, "junk.onnx")], ["summary", Path.Combine(dir, "folder.onnx")], ["export", Path.Combine(dir, "junk.onnx"), "--onnx", Path.Combine(dir, "x.onnx")] })
            {
                var (code, output, err) = Pitts(args);
                Assert.Equal(2, code);
                Assert.Equal("", output);
                Assert.Single(err.Trim().Split('\n'));
                Assert.StartsWith($"pitts {args[0]}: ", err, StringComparison.Ordinal);
            }
        }
        finally { Directory.Delete(dir, recursive: true); }
    }
}
