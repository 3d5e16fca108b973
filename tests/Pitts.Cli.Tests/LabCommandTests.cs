using System.Diagnostics;
using System.Net.Sockets;
using System.Text.RegularExpressions;

namespace Pitts.Cli.Tests;

/// <summary>
/// pitts lab as a user runs it, with the real lab server: when pitts is stopped by a signal that reaches it alone
/// (SIGTERM from kill, timeout or a service manager; SIGHUP from a closed terminal; SIGINT sent to pitts only), the
/// lab goes down with it and frees its port.
/// </summary>
public sealed partial class LabCommandTests
{
    /// <summary>The lab built beside this test project (the project references it so that it is built).</summary>
    private static string LabDll()
    {
        var bin = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)); // …/bin/Pitts.Cli.Tests/<config>
        var dll = Path.Combine(bin.Parent!.Parent!.FullName, "Pitts.Lab", bin.Name, "Pitts.Lab.dll");
        Assert.True(File.Exists(dll), $"the lab was not built at {dll}");
        return dll;
    }

    [GeneratedRegex(@"http://127\.0\.0\.1:(\d+)")]
    private static partial Regex Address();

    private static bool Listening(int port)
    {
        try
        {
            using var client = new TcpClient();
            return client.ConnectAsync("127.0.0.1", port).Wait(1000);
        }
        catch (AggregateException) { return false; }
        catch (SocketException) { return false; }
    }

    [Theory]
    [InlineData("TERM", 143)]
    [InlineData("HUP", 129)]
    [InlineData("INT", 130)] // SIGINT to pitts alone (not a terminal's Ctrl+C, which the lab gets too): killed after 5 s
    public async Task A_signal_to_pitts_alone_stops_the_lab_and_frees_its_port(string signal, int expectedCode)
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS()) return; // POSIX signals
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Pitts.Cli.dll"));
        foreach (var a in new[] { "lab", "--port", "0" }) psi.ArgumentList.Add(a);
        psi.Environment["PITTS_LAB"] = LabDll();
        using var pitts = Process.Start(psi)!;
        try
        {
            // The lab prints its address once it listens.
            var lines = new List<string>();
            int port = 0;
            var read = Task.Run(async () =>
            {
                string? line;
                while ((line = await pitts.StandardOutput.ReadLineAsync()) is not null)
                {
                    lock (lines) lines.Add(line);
                    if (Address().Match(line) is { Success: true } m) { port = int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture); return; }
                }
            });
            _ = pitts.StandardError.ReadToEndAsync();
            Assert.True(await Task.WhenAny(read, Task.Delay(60_000)) == read && port > 0, $"the lab printed no address in 60 s: {string.Join(" | ", lines)}");
            Assert.True(Listening(port), "the lab does not answer on its port");

            using (var kill = Process.Start("kill", [$"-{signal}", pitts.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])) kill.WaitForExit(10_000);
            Assert.True(pitts.WaitForExit(30_000), $"pitts did not exit within 30 s of SIG{signal}");
            Assert.Equal(expectedCode, pitts.ExitCode);
            var sw = Stopwatch.StartNew();
            while (Listening(port) && sw.Elapsed < TimeSpan.FromSeconds(15)) await Task.Delay(200);
            Assert.False(Listening(port), $"the lab still holds port {port} after pitts exited");
        }
        finally
        {
            if (!pitts.HasExited) pitts.Kill(entireProcessTree: true);
        }
    }
}
