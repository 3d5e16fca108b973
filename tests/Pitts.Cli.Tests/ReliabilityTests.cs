using System.Buffers.Binary;
using System.Diagnostics;
using System.IO.Compression;
using System.Text;
using Pitts.IO;
using Xunit.Abstractions;

namespace Pitts.Cli.Tests;

/// <summary>
/// Issue 15 through the command line: outputs that would overwrite an input, temporaries left by a kill, metadata
/// that used to leak FormatException/OverflowException/JsonException, IDX folders whose splits disagree, what
/// <c>data verify</c> checks, and hostile files refused in a child process whose GC heap is capped at 1 GiB.
/// </summary>
public sealed class ReliabilityTests(ITestOutputHelper log) : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("pitts-rel-");

    public void Dispose() => _dir.Delete(true);

    private string P(string name) => Path.Combine(_dir.FullName, name);

    private string Checkpoint(string name = "ck.safetensors")
    {
        var r = CliRunner.Run("train", "--dataset", "circle", "--epochs", "2", "--save", P(name), "--quiet");
        Assert.Equal(0, r.ExitCode);
        return P(name);
    }

    // ------------------------------------------------------------------ finding 3: outputs never replace inputs

    [Theory]
    [InlineData("eval")]
    [InlineData("predict")]
    [InlineData("summary")]
    [InlineData("summary-json")]
    [InlineData("summary-dotted")]
    [InlineData("summary-symlink")]
    public void An_output_that_is_an_input_is_refused_and_the_input_kept(string how)
    {
        string ck = Checkpoint();
        var before = File.ReadAllBytes(ck);
        string target = ck;
        if (how == "summary-dotted") target = Path.Combine(_dir.FullName, "sub", "..", "ck.safetensors");
        if (how == "summary-symlink")
        {
            target = P("table.txt");
            File.CreateSymbolicLink(target, ck);
        }
        var r = how switch
        {
            "eval" => CliRunner.Run("eval", ck, "-o", target),
            "predict" => CliRunner.Run("predict", ck, "--values", "0.1,0.2", "-o", target),
            "summary-json" => CliRunner.Run("summary", ck, "--json", "-o", target),
            _ => CliRunner.Run("summary", ck, "-o", target),
        };
        CliRunner.AssertBadInput(r, "is also an input of this command; refusing to overwrite it");
        Assert.Equal(before, File.ReadAllBytes(ck));
        Assert.Equal(0, CliRunner.Run("summary", ck).ExitCode);
    }

    [Fact]
    public void A_figure_path_that_links_to_the_checkpoint_is_refused()
    {
        string ck = Checkpoint();
        var before = File.ReadAllBytes(ck);
        File.CreateSymbolicLink(P("curve.png"), ck);
        CliRunner.AssertBadInput(CliRunner.Run("plot", "curves", ck, "-o", P("curve.png")), "--output: ");
        Assert.Equal(before, File.ReadAllBytes(ck));
    }

    [Fact]
    public void A_text_output_is_written_whole_and_leaves_no_temporary()
    {
        string ck = Checkpoint();
        var r = CliRunner.Run("summary", ck, "-o", P("s.txt"));
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("Total params", File.ReadAllText(P("s.txt")));
        Assert.Empty(Directory.EnumerateFiles(_dir.FullName, "*.tmp"));
    }

    // ------------------------------------------------------------------ finding 4: temporaries

    [Fact]
    public void The_next_save_removes_temporaries_a_kill_left_but_not_one_still_being_written()
    {
        string ck = Checkpoint();
        string stale = Path.Combine(_dir.FullName, ".ck.safetensors.0123456789abcdef0123456789abcdef.tmp");
        string busy = Path.Combine(_dir.FullName, ".ck.safetensors.fedcba9876543210fedcba9876543210.tmp");
        string other = Path.Combine(_dir.FullName, ".other.safetensors.0123456789abcdef0123456789abcdef.tmp");
        foreach (var f in new[] { stale, busy, other }) File.WriteAllBytes(f, new byte[1000]);
        using (new FileStream(busy, FileMode.Open, FileAccess.ReadWrite, FileShare.None)) // another writer's file
        {
            var r = CliRunner.Run("train", "--resume", ck, "--epochs", "3", "--quiet");
            Assert.Equal(0, r.ExitCode);
        }
        Assert.False(File.Exists(stale));
        Assert.True(File.Exists(busy));
        Assert.True(File.Exists(other)); // a temporary of another target is not this save's to remove
    }

    // ------------------------------------------------------------------ finding 5: typed errors from metadata

    [Theory]
    [InlineData("pitts.epoch", "abc", "metadata 'pitts.epoch' must be a whole number")]
    [InlineData("pitts.epoch", "-5", "metadata 'pitts.epoch' must be a whole number of finished epochs (0 or more), found '-5'")]
    [InlineData("pitts.epoch", "99999999999", "metadata 'pitts.epoch' must be a whole number")]
    [InlineData("pitts.rng", "zz,1,2,3", "metadata 'pitts.rng' must be four comma-separated hexadecimal words")]
    [InlineData("pitts.rng", "1,2", "metadata 'pitts.rng' must be four comma-separated hexadecimal words")]
    [InlineData("pitts.rng", "0,0,0,0", "not all zero")]
    [InlineData("pitts.rng", "1ffffffffffffffff,1,2,3", "metadata 'pitts.rng' must be four")]
    [InlineData("pitts.history", "{", "metadata 'pitts.history' is not valid")]
    [InlineData("pitts.history", "[1,2]", "metadata 'pitts.history' is not valid")]
    [InlineData("pitts.history", "[null]", "metadata 'pitts.history' holds a null record")]
    [InlineData("pitts.early", "[]", "metadata 'pitts.early' is not valid")]
    [InlineData("pitts.train", "{\"epochs\":", "training options are not valid JSON")]
    public void Bad_resume_metadata_is_one_line_and_exit_2(string key, string value, string expected)
    {
        string ck = Checkpoint();
        var raw = Safetensors.LoadRaw(ck);
        var meta = raw.Header.Metadata.ToDictionary();
        meta[key] = value;
        Safetensors.SaveRaw(ck, raw.Tensors, meta);
        var r = CliRunner.Run("train", "--resume", ck, "--epochs", "3", "--quiet");
        CliRunner.AssertBadInput(r, expected);
        Assert.DoesNotContain("Exception", r.Err);
    }

    [Fact]
    public void Bad_metrics_metadata_in_summary_is_a_typed_error()
    {
        string ck = Checkpoint();
        var raw = Safetensors.LoadRaw(ck);
        var meta = raw.Header.Metadata.ToDictionary();
        meta["pitts.metrics"] = "{\"train\": 5}";
        Safetensors.SaveRaw(ck, raw.Tensors, meta);
        CliRunner.AssertBadInput(CliRunner.Run("summary", ck), "metadata 'pitts.metrics' is not valid");
    }

    [Fact]
    public void A_lone_surrogate_key_is_a_typed_error()
    {
        var json = Encoding.UTF8.GetBytes("{\"w\\ud800\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}");
        var b = new byte[8 + json.Length + 4];
        BinaryPrimitives.WriteUInt64LittleEndian(b, (ulong)json.Length);
        json.CopyTo(b, 8);
        File.WriteAllBytes(P("s.safetensors"), b);
        var r = CliRunner.Run("summary", P("s.safetensors"));
        CliRunner.AssertBadInput(r, "not valid Unicode");
        Assert.DoesNotContain("InvalidOperationException", r.Err);
    }

    // ------------------------------------------------------------------ finding 6: IDX folders and data verify

    private string IdxFolder(string name, int[] train, int trainLabels, int[]? test = null, int testLabels = 0)
    {
        string dir = P(name);
        Directory.CreateDirectory(dir);
        Tensor Images(int[] shape) => Tensor.FromArray(Enumerable.Range(0, shape.Aggregate(1, (a, b) => a * b)).Select(i => (float)(i * 37 % 256)).ToArray(), shape);
        Tensor Labels(int n) => Tensor.FromArray(Enumerable.Range(0, n).Select(i => (float)(i % 10)).ToArray(), n);
        Idx.Write(Path.Combine(dir, "train-images-idx3-ubyte"), Images(train));
        Idx.Write(Path.Combine(dir, "train-labels-idx1-ubyte"), Labels(trainLabels));
        if (test is not null)
        {
            Idx.Write(Path.Combine(dir, "t10k-images-idx3-ubyte"), Images(test));
            Idx.Write(Path.Combine(dir, "t10k-labels-idx1-ubyte"), Labels(testLabels));
        }
        return dir;
    }

    [Theory]
    [InlineData("mlp")]
    [InlineData("cnn")]
    public void Test_images_of_another_size_than_the_training_images_are_refused(string model)
    {
        string dir = IdxFolder("odd", [20, 28, 28], 20, [10, 14, 56], 10);
        var r = CliRunner.Run("train", "-m", model, "--dataset", dir, "--epochs", "1", "--quiet", "--hidden", "4");
        CliRunner.AssertBadInput(r, "the test images are 14x56 but the training images are 28x28");
    }

    [Fact]
    public void Data_verify_fails_a_label_count_that_differs_from_the_image_count()
    {
        string dir = IdxFolder("count", [10, 4, 4], 9, [5, 4, 4], 5);
        var r = CliRunner.Run("data", "verify", dir);
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("FAIL 9 labels for 10 images", r.Out);
    }

    [Theory]
    [InlineData(new[] { 10, 16 }, "FAIL images of rank 2 (10x16)")]
    [InlineData(new[] { 10, 1, 4, 4 }, "FAIL images of rank 4 (10x1x4x4)")]
    public void Data_verify_fails_images_that_are_not_rank_3(int[] shape, string expected)
    {
        string dir = IdxFolder("rank", shape, 10);
        var r = CliRunner.Run("data", "verify", dir);
        Assert.Equal(1, r.ExitCode);
        Assert.Contains(expected, r.Out);
    }

    [Fact]
    public void Data_verify_fails_splits_of_different_image_sizes_and_passes_a_good_folder()
    {
        var r = CliRunner.Run("data", "verify", IdxFolder("sizes", [10, 28, 28], 10, [5, 14, 56], 5));
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("FAIL test images are 14x56, training images 28x28", r.Out);
        var ok = CliRunner.Run("data", "verify", IdxFolder("good", [10, 28, 28], 10, [5, 28, 28], 5));
        Assert.Equal(0, ok.ExitCode);
        Assert.DoesNotContain("FAIL", ok.Out);
    }

    [Fact]
    public void Data_verify_refuses_to_write_its_table_over_a_file_it_verifies()
    {
        string dir = IdxFolder("keep", [10, 4, 4], 10, [5, 4, 4], 5);
        string target = Path.Combine(dir, "train-labels-idx1-ubyte");
        byte[] before = File.ReadAllBytes(target);
        var r = CliRunner.Run("data", "verify", dir, "-o", target);
        CliRunner.AssertBadInput(r, "is one of the files being verified");
        Assert.Equal(before, File.ReadAllBytes(target));
        var fine = CliRunner.Run("data", "verify", dir, "-o", Path.Combine(dir, "report.txt"));
        Assert.Equal(0, fine.ExitCode);
        Assert.Contains("ok 10", File.ReadAllText(Path.Combine(dir, "report.txt")));
    }

    // ------------------------------------------------------------------ findings 1 and 2: memory, in a child process

    private static byte[] GzipBomb(int[] shape, int bodyBytes)
    {
        // The same recipe as Pitts.Tests' HostileFiles.IdxGzipBomb: incompressible stored blocks, forged ISIZE.
        var header = new byte[4 + 4 * shape.Length];
        header[2] = 0x08;
        header[3] = (byte)shape.Length;
        long total = header.Length;
        long numel = 1;
        for (int i = 0; i < shape.Length; i++) { BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4 + 4 * i), shape[i]); numel *= shape[i]; }
        total += numel;
        var body = new byte[bodyBytes];
        new Random(15).NextBytes(body);
        using var ms = new MemoryStream();
        using (var z = new GZipStream(ms, CompressionLevel.NoCompression, leaveOpen: true)) { z.Write(header); z.Write(body); }
        var file = ms.ToArray();
        BinaryPrimitives.WriteUInt32LittleEndian(file.AsSpan(file.Length - 4), (uint)(total & 0xFFFFFFFF));
        return file;
    }

    // Runs the real tool with a 1 GiB GC heap limit and samples its peak working set (VmHWM) until it exits.
    private (int Code, string Err, long PeakBytes) RunCapped(params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Pitts.Cli.dll"));
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["DOTNET_GCHeapHardLimit"] = "0x40000000";
        using var p = Process.Start(psi)!;
        var err = p.StandardError.ReadToEndAsync();
        var output = p.StandardOutput.ReadToEndAsync();
        long peak = 0;
        var sw = Stopwatch.StartNew();
        while (!p.HasExited && sw.Elapsed < TimeSpan.FromMinutes(2))
        {
            try
            {
                foreach (var line in File.ReadLines($"/proc/{p.Id}/status"))
                    if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                        peak = Math.Max(peak, 1024 * long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture));
            }
            catch (IOException) { }
            Thread.Sleep(10);
        }
        Assert.True(p.WaitForExit(1000), "the tool did not finish in 2 minutes");
        log.WriteLine($"pitts {string.Join(' ', args.Select(Path.GetFileName))}: exit {p.ExitCode}, peak working set {peak / 1048576.0:0} MiB: {err.Result.Trim()}");
        return (p.ExitCode, err.Result, peak);
    }

    public static TheoryData<string> HostileCases() => ["billion-unit-checkpoint", "gzip-bomb-1e9", "gzip-bomb-46340", "one-line-csv", "sparse-nul-csv"];

    [Theory]
    [MemberData(nameof(HostileCases))]
    public void A_hostile_file_is_refused_with_exit_2_under_a_1_GiB_heap(string kind)
    {
        string[] args;
        string expected;
        switch (kind)
        {
            case "billion-unit-checkpoint":
                {
                    string ck = Checkpoint();
                    var raw = Safetensors.LoadRaw(ck);
                    var meta = raw.Header.Metadata.ToDictionary();
                    var spec = meta["pitts.model"];
                    meta["pitts.model"] = System.Text.RegularExpressions.Regex.Replace(spec, "\"hidden\":\\[[0-9,]*\\]", "\"hidden\":[1000000000]");
                    Assert.NotEqual(spec, meta["pitts.model"]);
                    Safetensors.SaveRaw(ck, raw.Tensors, meta);
                    args = ["summary", ck];
                    expected = "hidden sizes (1000000000) must be at most 16,777,216";
                    break;
                }
            case "gzip-bomb-1e9" or "gzip-bomb-46340":
                {
                    string dir = P("bomb");
                    Directory.CreateDirectory(dir);
                    File.WriteAllBytes(Path.Combine(dir, "train-images-idx3-ubyte.gz"),
                        kind == "gzip-bomb-1e9" ? GzipBomb([1000, 1000, 1000], 1 << 20) : GzipBomb([1, 46340, 46340], 2_100_000));
                    File.WriteAllBytes(Path.Combine(dir, "train-labels-idx1-ubyte.gz"), GzipBomb([1000], 0));
                    args = ["data", "info", dir];
                    expected = "more than the limit of 268,435,456";
                    break;
                }
            case "one-line-csv":
                {
                    string csv = P("line.csv");
                    using (var w = new StreamWriter(csv))
                        for (int i = 0; i < 10_000_000; i++) w.Write("1,"); // 20 MB, one line
                    args = ["train", "--dataset", csv, "--epochs", "1"];
                    expected = "line 1 is longer than the limit of 1,048,576 characters";
                    break;
                }
            default:
                {
                    string csv = P("nuls.csv");
                    using (var fs = new FileStream(csv, FileMode.CreateNew)) fs.SetLength(1L << 30);
                    args = ["train", "--dataset", csv, "--epochs", "1"];
                    expected = "longer than the limit";
                    break;
                }
        }
        var (code, err, peak) = RunCapped(args);
        Assert.Equal(2, code);
        Assert.Contains(expected, err);
        Assert.Single(err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.True(peak > 0 && peak < 1L << 30, $"peak working set {peak:N0} bytes");
    }

    [Fact]
    public void The_read_budget_is_raised_with_max_input_mb()
    {
        // 40 MB of IDX images: refused under --max-input-mb 16, read under the default 256.
        string dir = IdxFolder("big", [700, 240, 240], 700);
        var refused = CliRunner.Run("--max-input-mb", "16", "data", "info", dir);
        CliRunner.AssertBadInput(refused, "more than the limit of 16,777,216");
        Assert.Equal(0, CliRunner.Run("data", "info", dir).ExitCode);
        CliRunner.AssertBadInput(CliRunner.Run("data", "info", dir, "--max-input-mb", "0"), "--max-input-mb must be in 1..");
    }
}
