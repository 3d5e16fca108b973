using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Pitts.Data;
using Pitts.Tests.IO;

namespace Pitts.Tests.Data;

/// <summary>A tiny HTTP server on 127.0.0.1 that serves byte arrays, honours Range, and can misbehave on demand.</summary>
internal sealed class LoopbackServer : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Task _loop;
    public Dictionary<string, byte[]> Files { get; } = [];
    public List<string?> RangeHeaders { get; } = [];
    public int Requests;
    /// <summary>When set, the next response sends only this many bytes and then breaks the connection.</summary>
    public int? CutAfter;
    public bool IgnoreRange;
    public Uri Base { get; }

    public LoopbackServer()
    {
        int port = FreePort();
        Base = new Uri($"http://127.0.0.1:{port}/");
        _listener.Prefixes.Add(Base.ToString());
        _listener.Start();
        _loop = Task.Run(Loop);
    }

    public static int FreePort()
    {
        var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        int port = ((IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        return port;
    }

    private async Task Loop()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext ctx;
            try { ctx = await _listener.GetContextAsync(); } catch { return; }
            Interlocked.Increment(ref Requests);
            var req = ctx.Request;
            var res = ctx.Response;
            string name = req.Url!.AbsolutePath.TrimStart('/');
            lock (RangeHeaders) RangeHeaders.Add(req.Headers["Range"]);
            if (!Files.TryGetValue(name, out var data))
            {
                res.StatusCode = 404;
                res.Close();
                continue;
            }
            long from = 0;
            string? range = req.Headers["Range"];
            if (range is not null && !IgnoreRange && range.StartsWith("bytes=") && range.EndsWith('-'))
            {
                from = long.Parse(range[6..^1]);
                if (from >= data.Length)
                {
                    res.StatusCode = 416;
                    res.Close();
                    continue;
                }
                res.StatusCode = 206;
                res.Headers["Content-Range"] = $"bytes {from}-{data.Length - 1}/{data.Length}";
            }
            res.ContentLength64 = data.Length - from;
            int send = (int)(data.Length - from);
            if (CutAfter is int cut)
            {
                CutAfter = null;
                await res.OutputStream.WriteAsync(data.AsMemory((int)from, cut));
                await res.OutputStream.FlushAsync();
                res.Abort(); // the connection drops mid-body
                continue;
            }
            try
            {
                await res.OutputStream.WriteAsync(data.AsMemory((int)from, send));
                res.Close();
            }
            catch (HttpListenerException) { }
        }
    }

    public void Dispose()
    {
        _listener.Stop();
        _listener.Close();
        try { _loop.Wait(2000); } catch (AggregateException) { }
    }
}

public class DownloadTests
{
    private static byte[] Payload(int n, int seed)
    {
        var b = new byte[n];
        new Random(seed).NextBytes(b);
        return b;
    }

    private static string Sha(byte[] b) => Convert.ToHexStringLower(SHA256.HashData(b));

    [Fact]
    public async Task DownloadsVerifiesAndThenServesFromTheCache()
    {
        using var server = new LoopbackServer();
        var data = Payload(300_000, 1);
        server.Files["a.bin"] = data;
        using var dir = new TempDir();
        string dest = dir.File("a.bin");
        await Downloader.FetchFileAsync(new Uri(server.Base, "a.bin"), dest, Sha(data));
        Assert.Equal(data, File.ReadAllBytes(dest));
        Assert.Equal(1, server.Requests);
        await Downloader.FetchFileAsync(new Uri(server.Base, "a.bin"), dest, Sha(data));
        Assert.Equal(1, server.Requests); // cached: no second request
        Assert.False(File.Exists(dest + ".partial"));
    }

    [Fact]
    public async Task InterruptedDownloadResumesWithARangeRequest()
    {
        using var server = new LoopbackServer();
        var data = Payload(500_000, 2);
        server.Files["big.gz"] = data;
        server.CutAfter = 123_456;
        using var dir = new TempDir();
        string dest = dir.File("big.gz");
        var e = await Assert.ThrowsAsync<DatasetException>(() => Downloader.FetchFileAsync(new Uri(server.Base, "big.gz"), dest, Sha(data)));
        Assert.Contains("resume", e.Message);
        Assert.False(File.Exists(dest));
        long kept = new FileInfo(dest + ".partial").Length;
        Assert.InRange(kept, 1, 123_456);
        await Downloader.FetchFileAsync(new Uri(server.Base, "big.gz"), dest, Sha(data));
        Assert.Equal(data, File.ReadAllBytes(dest));
        Assert.Equal($"bytes={kept}-", server.RangeHeaders[^1]);
    }

    [Fact]
    public async Task ServerThatIgnoresRangeRestartsFromZero()
    {
        using var server = new LoopbackServer { IgnoreRange = true };
        var data = Payload(10_000, 3);
        server.Files["f"] = data;
        using var dir = new TempDir();
        string dest = dir.File("f");
        File.WriteAllBytes(dest + ".partial", data.AsSpan(0, 4000).ToArray());
        await Downloader.FetchFileAsync(new Uri(server.Base, "f"), dest, Sha(data));
        Assert.Equal(data, File.ReadAllBytes(dest));
    }

    [Fact]
    public async Task ChecksumMismatchDeletesTheDownloadAndSaysSo()
    {
        using var server = new LoopbackServer();
        var data = Payload(1000, 4);
        server.Files["f"] = data;
        using var dir = new TempDir();
        string dest = dir.File("f");
        var e = await Assert.ThrowsAsync<DatasetException>(() => Downloader.FetchFileAsync(new Uri(server.Base, "f"), dest, new string('0', 64)));
        Assert.Contains("SHA-256 mismatch", e.Message);
        Assert.Contains(Sha(data), e.Message);
        Assert.Empty(Directory.GetFiles(dir.Path));
    }

    [Fact]
    public async Task CorruptCachedFileIsFetchedAgain()
    {
        using var server = new LoopbackServer();
        var data = Payload(2000, 5);
        server.Files["f"] = data;
        using var dir = new TempDir();
        string dest = dir.File("f");
        File.WriteAllBytes(dest, [1, 2, 3]);
        await Downloader.FetchFileAsync(new Uri(server.Base, "f"), dest, Sha(data));
        Assert.Equal(data, File.ReadAllBytes(dest));
    }

    [Fact]
    public void OfflineGivesAClearMessageAfterTryingEveryMirror()
    {
        int dead1 = LoopbackServer.FreePort(), dead2 = LoopbackServer.FreePort();
        var source = new DatasetSource("offline-test", [new Uri($"http://127.0.0.1:{dead1}/"), new Uri($"http://127.0.0.1:{dead2}/")],
            [new RemoteFile("train-images-idx3-ubyte.gz", new string('a', 64))], Datasets.DigitClasses);
        using var dir = new TempDir();
        var e = Assert.Throws<DatasetException>(() => Downloader.Fetch(source, dir.Path));
        Assert.Contains("offline", e.Message);
        Assert.Contains($"127.0.0.1:{dead1}", e.Message);
        Assert.Contains($"127.0.0.1:{dead2}", e.Message);
        Assert.Contains("Datasets.Mnist()", e.Message);
    }

    [Fact]
    public void MissingFileOnFirstMirrorFallsBackToTheSecondAndTheDatasetLoads()
    {
        // Serve the shipped MNIST subset's four files from the second mirror; the first answers 404.
        using var empty = new LoopbackServer();
        using var server = new LoopbackServer();
        string mnist = Path.Combine(TestFiles.RepoRoot(), "data", "mnist");
        var files = new List<RemoteFile>();
        foreach (var n in Datasets.IdxFileNames)
        {
            var bytes = File.ReadAllBytes(Path.Combine(mnist, n + ".gz"));
            server.Files[n + ".gz"] = bytes;
            files.Add(new RemoteFile(n + ".gz", Sha(bytes)));
        }
        var source = new DatasetSource("mnist-loopback", [empty.Base, server.Base], files, Datasets.DigitClasses);
        using var dir = new TempDir();
        var d = Datasets.Download(source, dir.Path);
        Assert.Equal(7996, d.Train.Count);
        Assert.Equal(4, empty.Requests);
        Assert.Equal(4, server.Requests);
    }

    [Fact]
    public void PublishedChecksumsAreWellFormed()
    {
        foreach (var s in new[] { DatasetSources.Mnist, DatasetSources.FashionMnist })
        {
            Assert.Equal(Datasets.IdxFileNames.Select(n => n + ".gz"), s.Files.Select(f => f.Name));
            Assert.All(s.Files, f => Assert.Matches("^[0-9a-f]{64}$", f.Sha256));
        }
    }
}
