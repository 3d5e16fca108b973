using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;

namespace Pitts.Data;

/// <summary>A file of a downloadable dataset: its name and the SHA-256 of its published bytes (lowercase hex).</summary>
/// <param name="Name">The file name, e.g. train-images-idx3-ubyte.gz.</param>
/// <param name="Sha256">The expected SHA-256 of the file, lowercase hex.</param>
public sealed record RemoteFile(string Name, string Sha256);

/// <summary>A downloadable dataset: its files, their checksums and the mirrors tried in order.</summary>
/// <param name="Name">A short name, also the cache sub-folder, e.g. "mnist".</param>
/// <param name="Mirrors">Base URLs tried in order; a file's URL is the base followed by its name.</param>
/// <param name="Files">The files and their SHA-256 checksums.</param>
/// <param name="Classes">The class names, indexed by label.</param>
public sealed record DatasetSource(string Name, IReadOnlyList<Uri> Mirrors, IReadOnlyList<RemoteFile> Files, IReadOnlyList<string> Classes);

/// <summary>The datasets Pitts knows how to download, with the published SHA-256 of every file.</summary>
public static class DatasetSources
{
    /// <summary>
    /// The full MNIST (LeCun, Cortes and Burges; 60,000 + 10,000 digits) from the mirror torchvision uses and LeCun's page.
    /// </summary>
    public static readonly DatasetSource Mnist = new(
        "mnist",
        [new Uri("https://ossci-datasets.s3.amazonaws.com/mnist/"), new Uri("https://storage.googleapis.com/cvdf-datasets/mnist/"), new Uri("http://yann.lecun.com/exdb/mnist/")],
        [
            new("train-images-idx3-ubyte.gz", "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609"),
            new("train-labels-idx1-ubyte.gz", "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c"),
            new("t10k-images-idx3-ubyte.gz", "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6"),
            new("t10k-labels-idx1-ubyte.gz", "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6"),
        ],
        Datasets.DigitClasses);

    /// <summary>Fashion-MNIST (Zalando Research; 60,000 + 10,000 clothing images) from its S3 bucket and its GitHub repository.</summary>
    public static readonly DatasetSource FashionMnist = new(
        "fashion-mnist",
        [new Uri("http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"), new Uri("https://raw.githubusercontent.com/zalandoresearch/fashion-mnist/master/data/fashion/")],
        [
            new("train-images-idx3-ubyte.gz", "3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84"),
            new("train-labels-idx1-ubyte.gz", "a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845"),
            new("t10k-images-idx3-ubyte.gz", "346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073"),
            new("t10k-labels-idx1-ubyte.gz", "67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5"),
        ],
        Datasets.FashionClasses);
}

/// <summary>
/// Downloads files into a cache folder: a file already there with the right SHA-256 is not fetched again, an interrupted
/// download resumes where it stopped (HTTP Range on the .partial file), every file is checked against its SHA-256
/// before it is given its final name, and a failure to connect says that the machine looks offline.
/// </summary>
public static class Downloader
{
    /// <summary>The cache root: PITTS_CACHE if set, else $XDG_CACHE_HOME/pitts, else ~/.cache/pitts.</summary>
    public static string CacheRoot()
    {
        var env = Environment.GetEnvironmentVariable("PITTS_CACHE");
        if (!string.IsNullOrEmpty(env)) return env;
        var xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
        if (!string.IsNullOrEmpty(xdg)) return Path.Combine(xdg, "pitts");
        return Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "pitts");
    }

    /// <summary>The folder a dataset is cached in: <see cref="CacheRoot"/>/name.</summary>
    public static string CacheFolder(DatasetSource source) => Path.Combine(CacheRoot(), source.Name);

    /// <summary>
    /// Downloads every file of <paramref name="source"/> into <paramref name="folder"/> (default: its cache folder) and
    /// returns the folder; files already present with the right checksum are kept.
    /// </summary>
    public static string Fetch(DatasetSource source, string? folder = null, HttpClient? client = null, IProgress<DownloadProgress>? progress = null, CancellationToken cancellationToken = default) =>
        FetchAsync(source, folder, client, progress, cancellationToken).GetAwaiter().GetResult();

    /// <summary>Asynchronous <see cref="Fetch"/>.</summary>
    public static async Task<string> FetchAsync(DatasetSource source, string? folder = null, HttpClient? client = null, IProgress<DownloadProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        folder ??= CacheFolder(source);
        Directory.CreateDirectory(folder);
        foreach (var file in source.Files)
        {
            string dest = Path.Combine(folder, file.Name);
            var errors = new List<string>();
            bool done = false;
            foreach (var mirror in source.Mirrors)
            {
                try
                {
                    await FetchFileAsync(new Uri(mirror, file.Name), dest, file.Sha256, client, progress, cancellationToken).ConfigureAwait(false);
                    done = true;
                    break;
                }
                catch (DatasetException e) when (!cancellationToken.IsCancellationRequested)
                {
                    errors.Add(e.Message);
                }
            }
            if (!done)
                throw new DatasetException($"Download of {source.Name} failed for {file.Name}:\n  " + string.Join("\n  ", errors) +
                    $"\nIf this machine is offline, copy the four files into '{folder}' by hand, or use the MNIST subset that ships with Pitts (Datasets.Mnist()).");
        }
        return folder;
    }

    /// <summary>
    /// Downloads <paramref name="url"/> to <paramref name="destination"/> unless it is already there with SHA-256
    /// <paramref name="sha256"/>; resumes a previous partial download, verifies the checksum, then renames into place.
    /// </summary>
    public static async Task FetchFileAsync(Uri url, string destination, string sha256, HttpClient? client = null, IProgress<DownloadProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(url);
        ArgumentNullException.ThrowIfNull(destination);
        sha256 = sha256.ToLowerInvariant();
        if (File.Exists(destination))
        {
            if (Sha256Of(destination) == sha256) return;
            File.Delete(destination); // a corrupt or stale copy: fetch it again
        }
        string partial = destination + ".partial";
        var http = client ?? Shared.Value;
        long have = File.Exists(partial) ? new FileInfo(partial).Length : 0;
        using (var request = new HttpRequestMessage(HttpMethod.Get, url))
        {
            if (have > 0) request.Headers.Range = new RangeHeaderValue(have, null);
            HttpResponseMessage response;
            try
            {
                response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
            }
            catch (HttpRequestException e)
            {
                throw new DatasetException($"{url}: cannot connect ({e.Message}); the machine looks offline or the server is down", e);
            }
            catch (TaskCanceledException e) when (!cancellationToken.IsCancellationRequested)
            {
                throw new DatasetException($"{url}: the server did not answer in time", e);
            }
            using (response)
            {
                if (response.StatusCode == HttpStatusCode.RequestedRangeNotSatisfiable)
                {
                    // The partial file is as long as (or longer than) the resource: check it as it is.
                    have = -1;
                }
                else
                {
                    if (!response.IsSuccessStatusCode)
                        throw new DatasetException($"{url}: the server answered {(int)response.StatusCode} {response.ReasonPhrase}");
                    bool resumed = response.StatusCode == HttpStatusCode.PartialContent;
                    if (resumed && response.Content.Headers.ContentRange?.From != have)
                        throw new DatasetException($"{url}: asked to resume at byte {have} but the server sent range {response.Content.Headers.ContentRange}");
                    long offset = resumed ? have : 0;
                    long? total = response.Content.Headers.ContentLength + offset;
                    try
                    {
                        using var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
                        using var fs = new FileStream(partial, resumed ? FileMode.Append : FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16);
                        var buffer = new byte[1 << 16];
                        int n;
                        long done = offset;
                        while ((n = await body.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
                        {
                            await fs.WriteAsync(buffer.AsMemory(0, n), cancellationToken).ConfigureAwait(false);
                            done += n;
                            progress?.Report(new DownloadProgress(url, done, total));
                        }
                        fs.Flush(flushToDisk: true);
                    }
                    catch (Exception e) when (e is IOException or HttpRequestException)
                    {
                        throw new DatasetException($"{url}: the download broke off ({e.Message}); run again to resume from the {new FileInfo(partial).Length} bytes kept in '{partial}'", e);
                    }
                }
            }
        }
        if (!File.Exists(partial)) throw new DatasetException($"{url}: nothing was downloaded");
        string got = Sha256Of(partial);
        if (got != sha256)
        {
            File.Delete(partial);
            throw new DatasetException($"{url}: SHA-256 mismatch: expected {sha256}, got {got}; the download was deleted, run again to fetch it afresh");
        }
        File.Move(partial, destination, overwrite: true);
    }

    /// <summary>The SHA-256 of a file, lowercase hex.</summary>
    public static string Sha256Of(string path)
    {
        using var fs = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(fs));
    }

    private static readonly Lazy<HttpClient> Shared = new(() => new HttpClient { Timeout = TimeSpan.FromMinutes(5) });
}

/// <summary>Progress of one file's download: bytes received so far and the total when the server says it.</summary>
/// <param name="Url">The file's URL.</param>
/// <param name="Received">Bytes on disk so far (including a resumed part).</param>
/// <param name="Total">The file's full length, when known.</param>
public readonly record struct DownloadProgress(Uri Url, long Received, long? Total);
