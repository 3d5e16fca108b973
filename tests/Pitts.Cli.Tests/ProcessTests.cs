using System.Diagnostics;
using Pitts.IO;

namespace Pitts.Cli.Tests;

/// <summary>The tool run as a separate process, as a user runs it: exit codes, redirected output, and Ctrl+C (SIGINT).</summary>
public sealed class ProcessTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("pitts-proc-");

    public void Dispose() => _dir.Delete(true);

    private static Process Start(params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Repo.Root,
        };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Pitts.Cli.dll"));
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["PITTS_DATA"] = Path.Combine(Repo.Root, "data");
        return Process.Start(psi)!;
    }

    private static (int Code, string Out, string Err) Run(params string[] args)
    {
        using var p = Start(args);
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        Assert.True(p.WaitForExit(120_000), "the tool did not finish in 2 minutes");
        return (p.ExitCode, stdout.Result, stderr.Result);
    }

    [Fact]
    public void Redirected_training_prints_plain_lines_and_exits_0()
    {
        var (code, o, e) = Run("train", "--dataset", "circle", "--epochs", "3", "--lr", "0.01");
        Assert.Equal(0, code);
        Assert.Equal("", e);
        Assert.DoesNotContain('\u001b', o); // no ANSI escapes when the output is not a terminal
        Assert.Equal(3, o.Split('\n').Count(l => l.StartsWith("epoch ", StringComparison.Ordinal)));
        Assert.Contains("Total params", o);
    }

    [Fact]
    public void Help_of_the_built_executable_says_pitts_not_the_file_name()
    {
        // Run as the real file (Pitts.Cli.dll): System.CommandLine's RootCommand would name the usage after it.
        var (code, o, e) = Run("--help");
        Assert.Equal(0, code);
        Assert.Equal("", e);
        Assert.Equal("pitts [command] [options]", HelpTests.UsageLine(o));
        Assert.DoesNotContain("Pitts.Cli", o);
        (code, o, _) = Run("train", "--help");
        Assert.Equal(0, code);
        Assert.StartsWith("pitts train ", HelpTests.UsageLine(o));
    }

    [Fact]
    public void Bad_usage_exits_2_with_one_line_and_no_stack_trace()
    {
        foreach (var args in new[] { new[] { "train", "--model", "resnet" }, ["train", "--epochs", "-1"], ["train", "--no-such-option"], ["eval", "/no/such/file.safetensors"] })
        {
            var (code, o, e) = Run(args);
            Assert.Equal(2, code);
            Assert.Equal("", o);
            Assert.Single(e.Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.DoesNotContain("   at ", e);
        }
    }

    [Fact]
    public void Help_lists_the_commands()
    {
        var (code, o, _) = Run("--help");
        Assert.Equal(0, code);
        foreach (var c in new[] { "train", "eval", "predict", "summary", "plot", "data", "lab", "mp", "hh" }) Assert.Contains(c, o);
    }

    [Fact]
    public async Task Ctrl_c_before_the_first_epoch_ends_does_not_claim_an_older_file_at_the_save_path()
    {
        string ck = Path.Combine(_dir.FullName, "old.safetensors");
        Assert.Equal(0, Run("train", "--dataset", "sine", "--epochs", "1", "--save", ck, "--quiet").Code);
        var before = await File.ReadAllBytesAsync(ck);
        // 784-2048-2048-10 (5.8 million weights): an epoch of 6,797 images is hundreds of GFLOP, many seconds.
        using var p = Start("train", "--dataset", "mnist", "--hidden", "2048,2048", "--epochs", "5", "--save", ck);
        var stderr = p.StandardError.ReadToEndAsync();
        // The layer table is printed before training starts; interrupt half a second after it appears.
        string? line;
        while ((line = await p.StandardOutput.ReadLineAsync()) is not null && !line.StartsWith("Total params", StringComparison.Ordinal)) { }
        Assert.NotNull(line);
        var stdout = p.StandardOutput.ReadToEndAsync();
        await Task.Delay(500);
        using (var kill = Process.Start("kill", ["-INT", p.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])) await kill.WaitForExitAsync();
        Assert.True(p.WaitForExit(60_000));
        string err = await stderr;
        await stdout;
        Assert.Equal(130, p.ExitCode);
        Assert.Contains("no epoch had finished, so nothing was saved", err);
        Assert.Equal(before, await File.ReadAllBytesAsync(ck)); // the older file is untouched
    }

    [Fact]
    public async Task Ctrl_c_stops_after_the_current_batch_and_keeps_the_last_epochs_checkpoint()
    {
        string ck = Path.Combine(_dir.FullName, "run.safetensors");
        using var p = Start("train", "--dataset", "mnist", "--limit", "3000", "--hidden", "64", "--epochs", "500", "--save", ck);
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        var sw = Stopwatch.StartNew();
        while (!File.Exists(ck) && sw.Elapsed < TimeSpan.FromSeconds(90) && !p.HasExited) await Task.Delay(50);
        Assert.True(File.Exists(ck), "no checkpoint after 90 s");
        await Task.Delay(300); // somewhere inside the next epoch
        using (var kill = Process.Start("kill", ["-INT", p.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])) kill.WaitForExit();
        Assert.True(p.WaitForExit(60_000), "the tool did not stop after SIGINT");
        Assert.Equal(130, p.ExitCode);
        string err = await stderr, output = await stdout;
        Assert.Contains("interrupted during epoch", err);
        Assert.Contains("--resume", err);
        // The kept checkpoint is whole and names a completed epoch, and the run can continue from it.
        var file = Safetensors.Load(ck);
        int epoch = int.Parse(file.Metadata["pitts.epoch"], System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(epoch, 1, 499);
        Assert.DoesNotContain("split", output); // no final metrics for an interrupted run
        var resumed = Run("train", "--resume", ck, "--epochs", (epoch + 1).ToString(System.Globalization.CultureInfo.InvariantCulture), "--quiet");
        Assert.Equal(0, resumed.Code);
        Assert.Equal((epoch + 1).ToString(System.Globalization.CultureInfo.InvariantCulture), Safetensors.ReadHeader(ck).Metadata["pitts.epoch"]);
    }

    [Fact]
    public async Task Sigterm_while_checkpoints_are_written_stops_like_ctrl_c_and_leaves_no_temporary()
    {
        // Saves of ~19 MB (a 784-2048-10 MLP with Adam's moments) after every short epoch; SIGTERM lands at random
        // moments, some of them inside a save: the run stops after the current batch (exit 143), the save in flight
        // finishes, and no temporary is left.
        var rng = new Random(15);
        for (int run = 0; run < 4; run++)
        {
            string ck = Path.Combine(_dir.FullName, $"term{run}.safetensors");
            using var p = Start("train", "--dataset", "mnist", "--limit", "100", "--hidden", "2048", "--epochs", "500", "--save", ck, "--quiet");
            var stdout = p.StandardOutput.ReadToEndAsync();
            var stderr = p.StandardError.ReadToEndAsync();
            var sw = Stopwatch.StartNew();
            while (!File.Exists(ck) && sw.Elapsed < TimeSpan.FromSeconds(90) && !p.HasExited) await Task.Delay(20);
            Assert.True(File.Exists(ck), "no checkpoint after 90 s");
            await Task.Delay(rng.Next(0, 400));
            using (var kill = Process.Start("kill", ["-TERM", p.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])) await kill.WaitForExitAsync();
            Assert.True(p.WaitForExit(60_000), "the tool did not stop after SIGTERM");
            await stdout;
            string err = await stderr;
            Assert.Equal(143, p.ExitCode);
            Assert.Contains("interrupted during epoch", err);
            Assert.Empty(Directory.EnumerateFiles(_dir.FullName, $".term{run}.safetensors.*.tmp"));
            Assert.NotEmpty(Safetensors.Load(ck).Tensors); // the checkpoint left is whole
        }
    }
}
