using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using Pitts.Lab.Services;

namespace Pitts.Lab.Tests;

/// <summary>
/// Issue 15, finding 7, over raw HTTP and websockets against the real lab process: the Blazor hub accepts its own
/// pages only, caps the connections open at once, a request without Host gets a 400 and no logged stack trace, and
/// every response carries nosniff and a CSP with frame-ancestors 'self' that the pages work under in Chromium.
/// </summary>
[Collection("lab")]
public sealed class ServerSecurityTests(LabFixture lab)
{
    private Uri HubUri => new(lab.BaseUrl.Replace("http://", "ws://") + "/_blazor");

    private static async Task<(WebSocketState State, HttpStatusCode Status)> Connect(Uri uri, string? origin, ClientWebSocket? keep = null)
    {
        var ws = keep ?? new ClientWebSocket();
        ws.Options.CollectHttpResponseDetails = true;
        if (origin is not null) ws.Options.SetRequestHeader("Origin", origin);
        try
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            await ws.ConnectAsync(uri, cts.Token);
        }
        catch (WebSocketException) { }
        var result = (ws.State, ws.HttpStatusCode);
        if (keep is null) ws.Dispose();
        return result;
    }

    [Theory]
    [InlineData("https://evil.example")]
    [InlineData("null")]
    [InlineData("http://localhost.evil.example")]
    [InlineData("http://127.0.0.1:1")]
    [InlineData("not a url")]
    public async Task A_hub_connection_from_another_origin_is_refused_with_403(string origin)
    {
        var (state, status) = await Connect(HubUri, origin);
        Assert.NotEqual(WebSocketState.Open, state);
        Assert.Equal(HttpStatusCode.Forbidden, status);
    }

    [Fact]
    public async Task A_cross_origin_negotiate_is_refused_too()
    {
        using var http = new HttpClient();
        using var req = new HttpRequestMessage(HttpMethod.Post, lab.BaseUrl + "/_blazor/negotiate?negotiateVersion=1");
        req.Headers.Add("Origin", "https://evil.example");
        using var res = await http.SendAsync(req);
        Assert.Equal(HttpStatusCode.Forbidden, res.StatusCode);
    }

    [Fact]
    public async Task A_hub_connection_from_the_labs_own_origin_is_accepted()
    {
        var (state, status) = await Connect(HubUri, lab.BaseUrl);
        Assert.Equal(WebSocketState.Open, state);
        Assert.Equal(HttpStatusCode.SwitchingProtocols, status);
    }

    [Fact]
    public async Task Hub_connections_beyond_the_cap_are_refused_with_503_until_some_close()
    {
        var open = new List<ClientWebSocket>();
        try
        {
            // The lab's other tests may hold a few connections; fill up to the cap, then one more is refused.
            for (int i = 0; i < RequestGuard.MaxCircuits + 8; i++)
            {
                var ws = new ClientWebSocket();
                var (state, status) = await Connect(HubUri, lab.BaseUrl, ws);
                if (state != WebSocketState.Open)
                {
                    Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
                    ws.Dispose();
                    break;
                }
                open.Add(ws);
            }
            Assert.InRange(open.Count, RequestGuard.MaxCircuits - 8, RequestGuard.MaxCircuits);
            var (refused, code) = await Connect(HubUri, lab.BaseUrl);
            Assert.NotEqual(WebSocketState.Open, refused);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, code);
        }
        finally
        {
            foreach (var ws in open)
            {
                try { await ws.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "", CancellationToken.None); } catch (WebSocketException) { }
                ws.Dispose();
            }
        }
        // Closed connections free their places.
        for (int attempt = 0; ; attempt++)
        {
            var (state, _) = await Connect(HubUri, lab.BaseUrl);
            if (state == WebSocketState.Open) break;
            Assert.True(attempt < 50, "no hub connection was accepted after the others closed");
            await Task.Delay(100);
        }
    }

    private async Task<string> Raw(string request)
    {
        var uri = new Uri(lab.BaseUrl);
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(uri.Host, uri.Port);
        using var s = tcp.GetStream();
        await s.WriteAsync(Encoding.ASCII.GetBytes(request));
        using var r = new StreamReader(s, Encoding.ASCII);
        return await r.ReadToEndAsync();
    }

    [Theory]
    [InlineData("GET / HTTP/1.0\r\n\r\n")]
    [InlineData("GET /backprop HTTP/1.0\r\nHost:\r\n\r\n")]
    [InlineData("GET / HTTP/1.1\r\nHost: \r\nConnection: close\r\n\r\n")]
    public async Task A_request_without_a_Host_gets_400_and_no_stack_trace_is_logged(string request)
    {
        int before = lab.LabOutput.Length;
        string response = await Raw(request);
        Assert.StartsWith("HTTP/1.1 400", response);
        await Task.Delay(200);
        string logged = lab.LabOutput[Math.Min(before, lab.LabOutput.Length)..];
        Assert.DoesNotContain("   at ", logged);
        Assert.DoesNotContain("Exception", logged);
    }

    [Theory]
    [InlineData("/", HttpStatusCode.OK)]
    [InlineData("/backprop", HttpStatusCode.OK)]
    [InlineData("/app.css", HttpStatusCode.OK)]
    [InlineData("/lab.js", HttpStatusCode.OK)]
    [InlineData("/api/status", HttpStatusCode.OK)]
    [InlineData("/no-such-page", HttpStatusCode.NotFound)]
    public async Task Every_response_carries_nosniff_and_a_CSP_with_frame_ancestors(string path, HttpStatusCode expected)
    {
        using var http = new HttpClient();
        using var res = await http.GetAsync(lab.BaseUrl + path);
        Assert.Equal(expected, res.StatusCode);
        Assert.Equal("nosniff", Assert.Single(res.Headers.GetValues("X-Content-Type-Options")));
        string csp = Assert.Single(res.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("frame-ancestors 'self'", csp);
        Assert.Contains("script-src 'self';", csp);
    }

    [Fact]
    public async Task A_refusal_carries_the_headers_too()
    {
        using var http = new HttpClient();
        using var req = new HttpRequestMessage(HttpMethod.Get, lab.BaseUrl + "/");
        req.Headers.Host = "evil.example";
        using var res = await http.SendAsync(req);
        Assert.Equal(HttpStatusCode.BadRequest, res.StatusCode);
        Assert.Equal("nosniff", Assert.Single(res.Headers.GetValues("X-Content-Type-Options")));
        Assert.Contains("frame-ancestors 'self'", Assert.Single(res.Headers.GetValues("Content-Security-Policy")));
    }

    [Theory]
    [InlineData("/")]
    [InlineData("/backprop")]
    [InlineData("/convolution")]
    [InlineData("/attention")]
    [InlineData("/playground")]
    [InlineData("/hodgkin-huxley")]
    public async Task Pages_work_under_the_policy_in_Chromium(string path)
    {
        await using var p = await lab.OpenAsync(path); // waits for the circuit: the websocket passed the policy
        await p.Page.WaitForTimeoutAsync(500);
        Assert.DoesNotContain(p.Errors, e => e.Contains("Content Security Policy", StringComparison.OrdinalIgnoreCase));
        Assert.Empty(p.Errors);
        Assert.True(await p.Page.EvaluateAsync<bool>("() => window.Blazor !== undefined"));
    }
}
