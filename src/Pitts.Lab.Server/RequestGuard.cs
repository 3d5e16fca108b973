namespace Pitts.Lab.Services;

/// <summary>
/// The first middleware of the lab's static server: security headers on every response, and a 400 for a request
/// without a Host or with one the lab does not answer to (only loopback names and --allowed-hosts: no DNS rebinding).
/// </summary>
public sealed class RequestGuard(RequestDelegate next, IReadOnlyList<string> allowedHosts)
{
    /// <summary>
    /// The Content-Security-Policy of every response: scripts, WebAssembly and fetches from the lab itself only
    /// ('wasm-unsafe-eval' lets the .NET runtime compile its WebAssembly, the jiterpreter's included; no JavaScript eval),
    /// inline styles (KaTeX and SVG style attributes), data: and blob: images (the empty favicon, heat maps, downloads),
    /// and framing only by the lab's own pages.
    /// </summary>
    public const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; font-src 'self' data:; " +
        "connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'self'";

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
        await next(context);
    }
}
