using Microsoft.Extensions.Primitives;

namespace Pitts.Lab.Services;

/// <summary>
/// The first middleware of the lab: security headers on every response, a 400 for a request without a Host or with
/// one the lab does not answer to (only loopback names and --allowed-hosts: no DNS rebinding), and on
/// the Blazor hub (<c>/_blazor</c>) a same-origin check and a cap on the connections open at once, so a web page the
/// user visits cannot open circuits on the local lab, and a script cannot open thousands.
/// </summary>
public sealed class RequestGuard(RequestDelegate next, ILogger<RequestGuard> log, IReadOnlyList<string> allowedHosts)
{
    /// <summary>The most hub connections (one per open lab tab) served at once; more are refused with 503.</summary>
    public const int MaxCircuits = 64;

    /// <summary>
    /// The Content-Security-Policy of every response: scripts and connections from the lab itself only (the
    /// websocket included: 'self' covers ws: on the same host), inline styles (KaTeX and SVG style attributes),
    /// data: images (the empty favicon), and framing only by the lab's own pages.
    /// </summary>
    public const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; font-src 'self' data:; " +
        "connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'self'";

    private int _open;

    /// <summary>Hub connections open now.</summary>
    public int Open => Volatile.Read(ref _open);

    /// <summary>Applies the headers and the checks, then passes the request on.</summary>
    public async Task InvokeAsync(HttpContext context)
    {
        var headers = context.Response.Headers;
        headers.XContentTypeOptions = "nosniff";
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        headers["Referrer-Policy"] = "same-origin";

        if (string.IsNullOrWhiteSpace(context.Request.Host.Host))
        {
            // HTTP/1.0 allows a request without Host; the lab answers only requests that name it.
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            await context.Response.WriteAsync("400 Bad Request: the request has no Host header\n");
            return;
        }
        if (!allowedHosts.Contains(context.Request.Host.Host, StringComparer.OrdinalIgnoreCase))
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            await context.Response.WriteAsync("400 Bad Request: the lab does not answer to this host name (see --allowed-hosts)\n");
            return;
        }
        if (!context.Request.Path.StartsWithSegments("/_blazor"))
        {
            await next(context);
            return;
        }
        if (context.Request.Headers.Origin is { Count: > 0 } origin && !SameOrigin(origin, context.Request))
        {
            log.LogWarning("refused a /_blazor request from origin {Origin} (the lab only accepts its own pages)", origin.ToString());
            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            await context.Response.WriteAsync("403 Forbidden: the lab accepts connections from its own pages only\n");
            return;
        }
        if (context.Request.Path.StartsWithSegments("/_blazor/negotiate"))
        {
            await next(context);
            return;
        }
        if (Interlocked.Increment(ref _open) > MaxCircuits)
        {
            Interlocked.Decrement(ref _open);
            context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            await context.Response.WriteAsync($"503 Service Unavailable: {MaxCircuits} lab pages are open at once; close some\n");
            return;
        }
        try
        {
            await next(context);
        }
        finally
        {
            Interlocked.Decrement(ref _open);
        }
    }

    /// <summary>True when the Origin header names the scheme, host and port the request was sent to ("null" never is).</summary>
    public static bool SameOrigin(StringValues origin, HttpRequest request)
    {
        if (origin.Count != 1 || !Uri.TryCreate(origin[0], UriKind.Absolute, out var o) || o.AbsolutePath != "/" && o.AbsolutePath.Length > 0)
            return false;
        if (!string.Equals(o.Scheme, request.Scheme, StringComparison.OrdinalIgnoreCase)) return false;
        var host = request.Host;
        int port = host.Port ?? (request.IsHttps ? 443 : 80);
        return string.Equals(o.IdnHost, host.Host.Trim('[', ']'), StringComparison.OrdinalIgnoreCase) && o.Port == port;
    }
}
