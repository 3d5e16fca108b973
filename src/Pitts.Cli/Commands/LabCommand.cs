using System.CommandLine;
using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Pitts.Cli.Commands;

/// <summary>pitts lab: starts the web lab (src/Pitts.Lab) as a child process; the lab prints its address.</summary>
public static class LabCommand
{
    /// <summary>
    /// Finds the lab: <c>$PITTS_LAB</c> (a Pitts.Lab.dll or a folder holding Pitts.Lab.csproj), else
    /// src/Pitts.Lab/Pitts.Lab.csproj in <paramref name="start"/> or a folder above it. Returns the file, or null.
    /// </summary>
    public static string? Locate(string start)
    {
        var env = Environment.GetEnvironmentVariable("PITTS_LAB");
        if (!string.IsNullOrEmpty(env))
        {
            if (File.Exists(env) && (env.EndsWith(".dll", StringComparison.OrdinalIgnoreCase) || env.EndsWith(".csproj", StringComparison.OrdinalIgnoreCase))) return Path.GetFullPath(env);
            var proj = Path.Combine(env, "Pitts.Lab.csproj");
            if (File.Exists(proj)) return Path.GetFullPath(proj);
        }
        for (var d = new DirectoryInfo(start); d is not null; d = d.Parent)
        {
            var proj = Path.Combine(d.FullName, "src", "Pitts.Lab", "Pitts.Lab.csproj");
            if (File.Exists(proj)) return proj;
        }
        return null;
    }

    /// <summary>Builds the lab command.</summary>
    public static Command Create()
    {
        var port = new Option<int?>("--port") { Description = "TCP port (default 5080; 0 picks a free port)" };
        var any = new Option<bool>("--listen-any") { Description = "Listen on every network interface, not only loopback (the lab has no authentication)" };
        var hosts = new Option<string?>("--allowed-hosts") { Description = "Host names accepted besides localhost, 127.0.0.1 and [::1], separated by ';'" };
        var cmd = new Command("lab", "Start the interactive web lab and print its address (Ctrl+C stops it)");
        cmd.Options.Add(port);
        cmd.Options.Add(any);
        cmd.Options.Add(hosts);
        cmd.SetBody(ctx =>
        {
            CommandKit.Require(ctx.Get(port) is null or (>= 0 and <= 65535), $"--port: {ctx.Get(port)} is not a port number from 0 to 65535");
            var lab = Locate(Directory.GetCurrentDirectory()) ?? Locate(AppContext.BaseDirectory);
            if (lab is null)
            {
                ctx.Error.WriteLine("pitts lab: the lab (src/Pitts.Lab) was not found; run from the Pitts repository or set PITTS_LAB to Pitts.Lab.dll or its project folder");
                return CommandKit.ExitFailure;
            }
            var psi = new ProcessStartInfo("dotnet") { UseShellExecute = false };
            if (lab.EndsWith(".dll", StringComparison.OrdinalIgnoreCase)) psi.ArgumentList.Add(lab);
            else
            {
                foreach (var a in new[] { "run", "--project", lab, "-c", "Release", "--" }) psi.ArgumentList.Add(a);
                ctx.Error.WriteLine($"pitts lab: starting {lab} (the first start builds it, which takes a minute)");
            }
            if (ctx.Get(port) is { } p) { psi.ArgumentList.Add("--port"); psi.ArgumentList.Add(p.ToString(System.Globalization.CultureInfo.InvariantCulture)); }
            if (ctx.Get(any)) psi.ArgumentList.Add("--listen-any");
            if (ctx.Get(hosts) is { } h) { psi.ArgumentList.Add("--allowed-hosts"); psi.ArgumentList.Add(h); }
            using var child = Process.Start(psi) ?? throw new IOException("could not start 'dotnet'");
            return Supervise(child);
        });
        return cmd;
    }

    /// <summary>
    /// Waits for the lab and takes it down with pitts: Ctrl+C in a terminal reaches both (same process group), so
    /// pitts waits for the lab to stop, and kills it after <see cref="Grace"/> if it does not; SIGTERM or SIGHUP
    /// (kill, timeout, a closed terminal, a service manager) reach pitts alone, so pitts kills the lab's whole
    /// process tree (dotnet run and the server) before it exits with 128 + the signal number. Without this the
    /// server outlived pitts and kept the port.
    /// </summary>
    internal static int Supervise(Process child)
    {
        int code = -1;
        void KillTree()
        {
            try { child.Kill(entireProcessTree: true); }
            catch (InvalidOperationException) { } // already gone
        }
        void OnSignal(PosixSignalContext c, int exit)
        {
            c.Cancel = true; // keep pitts alive until the lab is down
            code = exit;
            KillTree();
        }
        ConsoleCancelEventHandler onCancel = (_, e) =>
        {
            e.Cancel = true;
            code = 130;
            _ = Task.Delay(Grace).ContinueWith(_ => { if (!child.HasExited) KillTree(); }, TaskScheduler.Default);
        };
        Console.CancelKeyPress += onCancel;
        using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => OnSignal(c, 143));
        using var hup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, c => OnSignal(c, 129));
        try { child.WaitForExit(); }
        finally { Console.CancelKeyPress -= onCancel; }
        return code >= 0 ? code : child.ExitCode;
    }

    /// <summary>How long Ctrl+C gives the lab to stop on its own.</summary>
    private static readonly TimeSpan Grace = TimeSpan.FromSeconds(5);
}
