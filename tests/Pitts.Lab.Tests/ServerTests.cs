using System.Net;

namespace Pitts.Lab.Tests;

/// <summary>The server's guard rails over plain HTTP.</summary>
[Collection("lab")]
public sealed class ServerTests(LabFixture lab)
{
    [Theory]
    [InlineData("evil.example")]
    [InlineData("attacker.test:80")]
    [InlineData("127.0.0.2")]
    public async Task ForeignHostHeaderIsRefused(string host)
    {
        using var http = new HttpClient();
        using var req = new HttpRequestMessage(HttpMethod.Get, lab.BaseUrl + "/backprop");
        req.Headers.Host = host;
        using var res = await http.SendAsync(req);
        Assert.Equal(HttpStatusCode.BadRequest, res.StatusCode);
    }

    [Theory]
    [InlineData("localhost")]
    [InlineData("127.0.0.1")]
    public async Task LoopbackHostNamesAreServed(string host)
    {
        using var http = new HttpClient();
        using var req = new HttpRequestMessage(HttpMethod.Get, lab.BaseUrl + "/backprop");
        req.Headers.Host = host;
        using var res = await http.SendAsync(req);
        Assert.Equal(HttpStatusCode.OK, res.StatusCode);
    }

    [Fact]
    public void ListensOnLoopbackByDefault()
    {
        Assert.StartsWith("http://127.0.0.1:", lab.BaseUrl);
        var o = LabOptions.Parse([]);
        Assert.False(o.ListenAny);
        Assert.Equal(LabOptions.DefaultPort, o.Port);
        Assert.Throws<ArgumentException>(() => LabOptions.Parse(["--port", "http"]));
        Assert.Throws<ArgumentException>(() => LabOptions.Parse(["--allowed-hosts", "*"]));
        Assert.Throws<ArgumentException>(() => LabOptions.Parse(["--bogus"]));
    }

    [Theory]
    [InlineData("/backprop")]
    [InlineData("/universal-approximation")]
    [InlineData("/playground")]
    public async Task ADeepLinkIsTheAppsIndexHtml(string path)
    {
        // A static host answers a chapter's address with index.html, whose router shows the chapter.
        using var http = new HttpClient();
        string index = await http.GetStringAsync(lab.BaseUrl + "/index.html");
        string html = await http.GetStringAsync(lab.BaseUrl + path);
        Assert.Equal(index, html);
        Assert.Contains("_framework/blazor.webassembly.js", html);
    }

    [Fact]
    public async Task APostIsRefused()
    {
        // Static files only: nothing on the server takes a request body.
        using var http = new HttpClient();
        using var res = await http.PostAsync(lab.BaseUrl + "/backprop", new FormUrlEncodedContent([new("x", "1")]));
        Assert.Equal(HttpStatusCode.MethodNotAllowed, res.StatusCode);
    }
}
