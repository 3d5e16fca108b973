using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.FileProviders;
using Pitts.Lab.Services;

namespace Pitts.Lab;

/// <summary>Command-line options of the lab server.</summary>
/// <param name="Port">TCP port; 0 picks a free one.</param>
/// <param name="ListenAny">Listen on every network interface instead of loopback only.</param>
/// <param name="ExtraAllowedHosts">Host names accepted besides the loopback names (for --listen-any).</param>
/// <param name="OpenHelp">True when --help was given.</param>
/// <param name="Root">The folder of the published lab (its index.html); null serves the build's static web assets.</param>
public sealed record LabOptions(int Port, bool ListenAny, IReadOnlyList<string> ExtraAllowedHosts, bool OpenHelp, string? Root = null)
{
    /// <summary>The default port.</summary>
    public const int DefaultPort = 5080;

    /// <summary>The host names always accepted: the loopback names (protects against DNS rebinding).</summary>
    public static readonly string[] LoopbackHosts = ["localhost", "127.0.0.1", "[::1]"];

    /// <summary>The usage text.</summary>
    public const string Usage = """
        Usage: dotnet run --project src/Pitts.Lab -- [options]   (or: pitts lab [options])

        Starts the Pitts lab, the lecture's interactive widgets, on http://127.0.0.1:5080/.

        Options:
          --port N                 TCP port (default 5080; 0 picks a free port)
          --listen-any             listen on every network interface, not only on loopback (the lab has no
                                   authentication: anyone who can reach the port can use this machine's CPU)
          --allowed-hosts A;B      host names the browser may use besides localhost, 127.0.0.1 and [::1]
                                   (needed with --listen-any, e.g. --allowed-hosts mymachine.example.org)
          --root DIR               serve the published lab in DIR (the folder holding its index.html)
          --help                   show this text
        """;

    /// <summary>Parses the command line; throws <see cref="ArgumentException"/> with a user-facing message.</summary>
    public static LabOptions Parse(IReadOnlyList<string> args)
    {
        int port = DefaultPort;
        bool any = false, help = false;
        string? root = null;
        var hosts = new List<string>();
        for (int i = 0; i < args.Count; i++)
        {
            string a = args[i];
            string Next()
            {
                if (i + 1 >= args.Count) throw new ArgumentException($"{a} needs a value");
                return args[++i];
            }
            switch (a)
            {
                case "--port":
                    string p = Next();
                    if (!int.TryParse(p, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out port) || port > 65535)
                        throw new ArgumentException($"--port: '{p}' is not a port number from 0 to 65535");
                    break;
                case "--listen-any": any = true; break;
                case "--allowed-hosts":
                    foreach (var h in Next().Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                    {
                        if (h == "*") throw new ArgumentException("--allowed-hosts: '*' would accept any host name; list the names instead");
                        hosts.Add(h);
                    }
                    break;
                case "--root":
                    root = Path.GetFullPath(Next());
                    if (!File.Exists(Path.Combine(root, "index.html"))) throw new ArgumentException($"--root: '{root}' holds no index.html (publish the lab: dotnet publish src/Pitts.Lab.Client -c Release)");
                    break;
                case "--help" or "-h": help = true; break;
                default: throw new ArgumentException($"unknown option '{a}'");
            }
        }
        return new LabOptions(port, any, hosts, help, root);
    }
}

/// <summary>
/// The lab's web server, static files only (the lab computes in the browser): <c>dotnet run --project src/Pitts.Lab</c>
/// (the build's static web assets) or <c>pitts lab</c> (the published folder, <see cref="LabOptions.Root"/>).
/// </summary>
public static class LabServer
{
    /// <summary>Parses <paramref name="args"/>, starts the lab and blocks until it is stopped (Ctrl+C); returns the exit code.</summary>
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        LabOptions options;
        try { options = LabOptions.Parse(args); }
        catch (ArgumentException e)
        {
            stderr.WriteLine($"pitts lab: {e.Message}");
            stderr.WriteLine(LabOptions.Usage);
            return 2;
        }
        if (options.OpenHelp) { stdout.WriteLine(LabOptions.Usage); return 0; }

        WebApplication app;
        try
        {
            app = Build(options);
            app.Start();
        }
        catch (IOException e) when (e.InnerException is SocketException { SocketErrorCode: SocketError.AddressAlreadyInUse } || e.Message.Contains("address already in use", StringComparison.OrdinalIgnoreCase))
        {
            stderr.WriteLine($"pitts lab: port {options.Port} is already in use; choose another with --port (or --port 0 for any free port)");
            return 1;
        }

        if (options.ListenAny)
        {
            stderr.WriteLine("WARNING: the lab is listening on every network interface (--listen-any). It has no authentication:");
            stderr.WriteLine("         anyone who can reach this port can use it. Only host names given with --allowed-hosts are accepted.");
        }
        foreach (var address in Addresses(app))
            stdout.WriteLine($"Pitts lab running at {address}  (Ctrl+C to stop)");
        stdout.Flush();
        // A signal stops the server gracefully and gives the shell's exit code for it (128 + the signal number);
        // SIGHUP (a closed terminal) too, which would otherwise end the process without stopping the server.
        int code = 0;
        var lifetime = app.Services.GetRequiredService<IHostApplicationLifetime>();
        PosixSignalRegistration Stop(PosixSignal signal, int exit) => PosixSignalRegistration.Create(signal, c =>
        {
            c.Cancel = true;
            code = exit;
            lifetime.StopApplication();
        });
        using (Stop(PosixSignal.SIGINT, 130))
        using (Stop(PosixSignal.SIGTERM, 143))
        using (Stop(PosixSignal.SIGHUP, 129))
            app.WaitForShutdown();
        return code;
    }

    /// <summary>The addresses the started server listens on, with 0.0.0.0 shown as 127.0.0.1 for clicking.</summary>
    public static IEnumerable<string> Addresses(WebApplication app)
    {
        var feature = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>();
        foreach (var a in feature?.Addresses ?? [])
            yield return a.Replace("://0.0.0.0:", "://127.0.0.1:").Replace("://[::]:", "://127.0.0.1:").TrimEnd('/') + "/";
    }

    /// <summary>Builds (without starting) the lab application for <paramref name="options"/>.</summary>
    public static WebApplication Build(LabOptions options)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = [],
            // The static web assets manifest (used without --root) is named after the program that runs: Pitts.Lab.
            ApplicationName = System.Reflection.Assembly.GetEntryAssembly()?.GetName().Name ?? "Pitts.Lab",
            ContentRootPath = AppContext.BaseDirectory,
        });
        // Under `dotnet run` (no --root) the files are the build's static web assets: the client's wwwroot and its
        // _framework, from the build output.
        if (options.Root is null) builder.WebHost.UseStaticWebAssets();

        // Host names are checked by RequestGuard (not the built-in host filter, whose 400s would carry none of the
        // security headers): the loopback names and --allowed-hosts, against DNS rebinding.
        var hosts = LabOptions.LoopbackHosts.Concat(options.ExtraAllowedHosts).ToArray();
        builder.Configuration["AllowedHosts"] = "*";

        builder.WebHost.ConfigureKestrel(k =>
        {
            if (options.ListenAny) k.Listen(IPAddress.IPv6Any, options.Port, _ => { });
            else k.Listen(IPAddress.Loopback, options.Port);
            k.Limits.MaxRequestBodySize = 1 << 16;
        });

        // A port already in use is reported by Run in one line; the host's own error log would repeat it.
        builder.Logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.Critical);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);

        var app = builder.Build();
        app.UseMiddleware<RequestGuard>((IReadOnlyList<string>)hosts);
        IFileProvider files = options.Root is null ? app.Environment.WebRootFileProvider : new PhysicalFileProvider(options.Root);
        StaticLab.Use(app, files);
        return app;
    }
}
