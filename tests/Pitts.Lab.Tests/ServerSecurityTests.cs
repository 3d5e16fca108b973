using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Pitts.Lab.Tests;

/// <summary>
/// Issue 15, finding 7, over raw HTTP against the real lab server (static files since the lab runs in the browser,
/// so there is no hub to guard): a request without Host gets a 400 and no logged stack trace, and every response
/// carries nosniff and a CSP with frame-ancestors 'self' that the WebAssembly pages work under in Chromium.
/// </summary>
[Collection("lab")]
public sealed class ServerSecurityTests(LabFixture lab)
{
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
    [InlineData("/_framework/blazor.webassembly.js", HttpStatusCode.OK)]
    [InlineData("/no-such-page", HttpStatusCode.OK)] // index.html: the app's router shows its not-found page
    [InlineData("/no-such-file.js", HttpStatusCode.NotFound)]
    public async Task Every_response_carries_nosniff_and_a_CSP_with_frame_ancestors(string path, HttpStatusCode expected)
    {
        using var http = new HttpClient();
        using var res = await http.GetAsync(lab.BaseUrl + path);
        Assert.Equal(expected, res.StatusCode);
        Assert.Equal("nosniff", Assert.Single(res.Headers.GetValues("X-Content-Type-Options")));
        string csp = Assert.Single(res.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("frame-ancestors 'self'", csp);
        Assert.Contains("script-src 'self' 'wasm-unsafe-eval';", csp);
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
        await using var p = await lab.OpenAsync(path); // waits for the app: its WebAssembly was compiled under the policy
        await p.Page.WaitForTimeoutAsync(500);
        Assert.DoesNotContain(p.Errors, e => e.Contains("Content Security Policy", StringComparison.OrdinalIgnoreCase));
        Assert.Empty(p.Errors);
        Assert.True(await p.Page.EvaluateAsync<bool>("() => window.Blazor !== undefined"));
    }
}
