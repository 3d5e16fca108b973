using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Pitts.Lab.Hosting;
using Pitts.Lab.Layout;
using Pitts.Lab.Services;

namespace Pitts.Lab;

/// <summary>Command-line options of the lab server.</summary>
/// <param name="Port">TCP port; 0 picks a free one.</param>
/// <param name="ListenAny">Listen on every network interface instead of loopback only.</param>
/// <param name="ExtraAllowedHosts">Host names accepted besides the loopback names (for --listen-any).</param>
/// <param name="OpenHelp">True when --help was given.</param>
public sealed record LabOptions(int Port, bool ListenAny, IReadOnlyList<string> ExtraAllowedHosts, bool OpenHelp)
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
          --help                   show this text
        """;

    /// <summary>Parses the command line; throws <see cref="ArgumentException"/> with a user-facing message.</summary>
    public static LabOptions Parse(IReadOnlyList<string> args)
    {
        int port = DefaultPort;
        bool any = false, help = false;
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
                case "--help" or "-h": help = true; break;
                default: throw new ArgumentException($"unknown option '{a}'");
            }
        }
        return new LabOptions(port, any, hosts, help);
    }
}

/// <summary>The lab's web server: <c>dotnet run --project src/Pitts.Lab</c> or <c>pitts lab</c>.</summary>
public static class LabServer
{
    /// <summary>Entry point of the lab executable.</summary>
    public static int Main(string[] args) => Run(args, Console.Out, Console.Error);

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
        app.WaitForShutdown();
        return 0;
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
            ApplicationName = typeof(LabServer).Assembly.GetName().Name,
            ContentRootPath = AppContext.BaseDirectory,
        });
        // Static web assets (blazor.web.js, the scoped CSS bundle) are served from the build output in every
        // environment, so `dotnet run` and the built dll work alike.
        builder.WebHost.UseStaticWebAssets();

        // Host names are checked by RequestGuard (not the built-in host filter, whose 400s would carry none of the
        // security headers): the loopback names and --allowed-hosts, against DNS rebinding.
        var hosts = LabOptions.LoopbackHosts.Concat(options.ExtraAllowedHosts).ToArray();
        builder.Configuration["AllowedHosts"] = "*";

        builder.WebHost.ConfigureKestrel(k =>
        {
            if (options.ListenAny) k.Listen(IPAddress.IPv6Any, options.Port, _ => { });
            else k.Listen(IPAddress.Loopback, options.Port);
            k.Limits.MaxRequestBodySize = 1 << 20;
        });

        // A port already in use is reported by Run in one line; the host's own error log would repeat it.
        builder.Logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.Critical);

        builder.Services.AddRazorComponents()
            .AddInteractiveServerComponents(o =>
            {
                // A closed tab's circuit (and its training) goes away quickly; few disconnected circuits are kept.
                o.DisconnectedCircuitRetentionPeriod = TimeSpan.FromSeconds(20);
                o.DisconnectedCircuitMaxRetained = 20;
                o.MaxBufferedUnacknowledgedRenderBatches = 4;
            })
            .AddHubOptions(h => h.MaximumReceiveMessageSize = 64 * 1024);
        // Keys for antiforgery tokens and circuits live in memory only: nothing is written to the user's profile.
        builder.Services.AddDataProtection().UseEphemeralDataProtectionProvider();
        builder.Services.AddSingleton<LabMonitor>();
        builder.Services.AddScoped<UrlState>();

        var app = builder.Build();
        app.UseMiddleware<RequestGuard>((IReadOnlyList<string>)hosts);
        app.UseExceptionHandler("/Error", createScopeForErrors: true);
        app.UseStatusCodePagesWithReExecute("/not-found", createScopeForStatusCodePages: true);
        app.UseAntiforgery();
        app.MapStaticAssets();
        app.MapGet("/api/status", (LabMonitor m) => Results.Json(m.Snapshot()));
        // RequestGuard's policy already says frame-ancestors 'self'; Blazor would add a second CSP header saying it again.
        app.MapRazorComponents<App>().AddAdditionalAssemblies(typeof(Routes).Assembly).AddInteractiveServerRenderMode(o => o.ContentSecurityFrameAncestorsPolicy = null);
        return app;
    }
}
