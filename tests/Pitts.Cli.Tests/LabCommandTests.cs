using System.Diagnostics;
using System.Net.Sockets;
using System.Text.RegularExpressions;

namespace Pitts.Cli.Tests;

/// <summary>
/// pitts lab as a user runs it, with the real lab server (in process) on a folder shaped like the published lab: it
/// serves the files with the security headers, their brotli twins and index.html for deep links, and when pitts is
/// stopped by a signal (SIGTERM from kill, timeout or a service manager; SIGHUP from a closed terminal; SIGINT) it
/// stops serving, exits with 128 + the signal number and frees its port.
/// </summary>
public sealed partial class LabCommandTests
{
    /// <summary>A folder shaped like the published lab (an index.html and one asset with its brotli twin), for PITTS_LAB.</summary>
    private static string FakeLab()
    {
        var dir = Directory.CreateTempSubdirectory("pitts-lab-").FullName;
        File.WriteAllText(Path.Combine(dir, "index.html"), "<!DOCTYPE html><title>Pitts lab</title><script src=\"_framework/blazor.webassembly.js\"></script>");
        Directory.CreateDirectory(Path.Combine(dir, "_framework"));
        File.WriteAllText(Path.Combine(dir, "_framework", "blazor.webassembly.js"), "console.log('plain');");
        using (var br = new System.IO.Compression.BrotliStream(File.Create(Path.Combine(dir, "_framework", "blazor.webassembly.js.br")), System.IO.Compression.CompressionLevel.Fastest))
            br.Write("console.log('brotli');"u8);
        return dir;
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
    [InlineData("INT", 130)]
    public async Task A_signal_to_pitts_alone_stops_the_lab_and_frees_its_port(string signal, int expectedCode)
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS()) return; // POSIX signals
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Pitts.Cli.dll"));
        foreach (var a in new[] { "lab", "--port", "0" }) psi.ArgumentList.Add(a);
        psi.Environment["PITTS_LAB"] = FakeLab();
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
            if (signal == "TERM")
            {
                using var http = new HttpClient(new HttpClientHandler { AutomaticDecompression = System.Net.DecompressionMethods.None });
                var url = $"http://127.0.0.1:{port}";
                using var deep = await http.GetAsync(url + "/backprop");
                Assert.Contains("blazor.webassembly.js", await deep.Content.ReadAsStringAsync());
                Assert.Equal("nosniff", Assert.Single(deep.Headers.GetValues("X-Content-Type-Options")));
                Assert.Contains("frame-ancestors 'self'", Assert.Single(deep.Headers.GetValues("Content-Security-Policy")));
                Assert.Contains("'wasm-unsafe-eval'", Assert.Single(deep.Headers.GetValues("Content-Security-Policy")));
                using var req = new HttpRequestMessage(HttpMethod.Get, url + "/_framework/blazor.webassembly.js");
                req.Headers.AcceptEncoding.ParseAdd("br");
                using var js = await http.SendAsync(req);
                Assert.Equal("br", Assert.Single(js.Content.Headers.ContentEncoding));
                Assert.Equal("text/javascript", js.Content.Headers.ContentType?.MediaType);
                using var plain = await http.GetAsync(url + "/_framework/blazor.webassembly.js");
                Assert.Equal("console.log('plain');", await plain.Content.ReadAsStringAsync());
                using var missing = await http.GetAsync(url + "/nothing.js");
                Assert.Equal(System.Net.HttpStatusCode.NotFound, missing.StatusCode);
            }

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
