using System.CommandLine;
using System.Diagnostics;
using Pitts.Lab;

namespace Pitts.Cli.Commands;

/// <summary>
/// pitts lab: serves the lab, a static WebAssembly app whose widgets compute in the browser, on 127.0.0.1 (the
/// server of src/Pitts.Lab.Server, in process) and prints its address.
/// </summary>
public static class LabCommand
{
    /// <summary>
    /// Finds the published lab (the folder holding its index.html): <c>$PITTS_LAB</c>; the <c>lab</c> folder beside
    /// pitts (the installed tool carries it); or, in a checkout (<paramref name="start"/> or a folder above it), the
    /// publish output of src/Pitts.Lab.Client. Returns the folder, or null; <paramref name="project"/> is the
    /// checkout's client project when one was found (to publish it).
    /// </summary>
    public static string? Locate(string start, out string? project)
    {
        project = null;
        var env = Environment.GetEnvironmentVariable("PITTS_LAB");
        if (!string.IsNullOrEmpty(env))
        {
            foreach (var dir in new[] { env, Path.Combine(env, "wwwroot") })
                if (File.Exists(Path.Combine(dir, "index.html"))) return Path.GetFullPath(dir);
        }
        var beside = Path.Combine(AppContext.BaseDirectory, "lab");
        if (File.Exists(Path.Combine(beside, "index.html"))) return beside;
        for (var d = new DirectoryInfo(start); d is not null; d = d.Parent)
        {
            var proj = Path.Combine(d.FullName, "src", "Pitts.Lab.Client", "Pitts.Lab.Client.csproj");
            if (!File.Exists(proj)) continue;
            project = proj;
            var published = PublishDir(d.FullName);
            return File.Exists(Path.Combine(published, "index.html")) ? published : null;
        }
        return null;
    }

    /// <summary>Where <c>dotnet publish src/Pitts.Lab.Client -c Release</c> puts the lab in the checkout at <paramref name="repo"/>.</summary>
    public static string PublishDir(string repo) => Path.Combine(repo, "artifacts", "publish", "Pitts.Lab.Client", "release", "wwwroot");

    /// <summary>Builds the lab command.</summary>
    public static Command Create()
    {
        var port = new Option<int?>("--port") { Description = "TCP port (default 5080; 0 picks a free port)" };
        var any = new Option<bool>("--listen-any") { Description = "Listen on every network interface, not only loopback (the lab has no authentication)" };
        var hosts = new Option<string?>("--allowed-hosts") { Description = "Host names accepted besides localhost, 127.0.0.1 and [::1], separated by ';'" };
        var cmd = new Command("lab", "Serve the interactive web lab (it runs in your browser) and print its address (Ctrl+C stops it)");
        cmd.Options.Add(port);
        cmd.Options.Add(any);
        cmd.Options.Add(hosts);
        cmd.SetBody(ctx =>
        {
            CommandKit.Require(ctx.Get(port) is null or (>= 0 and <= 65535), $"--port: {ctx.Get(port)} is not a port number from 0 to 65535");
            var root = Locate(Directory.GetCurrentDirectory(), out var project);
            if (root is null && project is null) root = Locate(AppContext.BaseDirectory, out project);
            if (root is null && project is not null)
            {
                ctx.Error.WriteLine($"pitts lab: publishing {project} (the first time takes a few minutes)");
                var psi = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true };
                foreach (var a in new[] { "publish", project, "-c", "Release", "--nologo", "-v", "q" }) psi.ArgumentList.Add(a);
                using var publish = Process.Start(psi) ?? throw new IOException("could not start 'dotnet'");
                string log = publish.StandardOutput.ReadToEnd();
                publish.WaitForExit();
                if (publish.ExitCode != 0)
                {
                    ctx.Error.WriteLine(log);
                    ctx.Error.WriteLine("pitts lab: publishing the lab failed");
                    return CommandKit.ExitFailure;
                }
                root = Locate(Path.GetDirectoryName(project)!, out _);
            }
            if (root is null)
            {
                ctx.Error.WriteLine("pitts lab: the lab's files were not found; install the pitts tool, run from the Pitts repository, or set PITTS_LAB to the published lab's folder");
                return CommandKit.ExitFailure;
            }
            var args = new List<string> { "--root", root };
            if (ctx.Get(port) is { } p) { args.Add("--port"); args.Add(p.ToString(System.Globalization.CultureInfo.InvariantCulture)); }
            if (ctx.Get(any)) args.Add("--listen-any");
            if (ctx.Get(hosts) is { } h) { args.Add("--allowed-hosts"); args.Add(h); }
            return LabServer.Run([.. args], ctx.Out, ctx.Error);
        });
        return cmd;
    }
}
