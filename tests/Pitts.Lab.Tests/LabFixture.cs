using System.Diagnostics;
using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace Pitts.Lab.Tests;

/// <summary>
/// Starts the real lab (the built Pitts.Lab.dll serving the published static lab with --root, as a separate process
/// on a free loopback port) and one headless
/// Debian Chromium driven by Playwright through its executable path (never Playwright's browser download).
/// </summary>
public sealed partial class LabFixture : IAsyncLifetime
{
    /// <summary>Debian's Chromium (installed by scripts/install-test-deps.sh).</summary>
    public const string ChromiumPath = "/usr/bin/chromium";

    private Process? _lab;
    private readonly List<string> _labOutput = [];

    /// <summary>The published lab (its index.html and _framework), written by the test project's build.</summary>
    public static string Root => typeof(LabFixture).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyMetadataAttribute), false)
        .Cast<System.Reflection.AssemblyMetadataAttribute>().First(a => a.Key == "LabRoot").Value!;

    /// <summary>The lab's base address, e.g. http://127.0.0.1:41234.</summary>
    public string BaseUrl { get; private set; } = "";

    /// <summary>The Playwright driver.</summary>
    public IPlaywright Playwright { get; private set; } = null!;

    /// <summary>The shared browser.</summary>
    public IBrowser Browser { get; private set; } = null!;

    /// <summary>The lab process's output so far (for failure messages).</summary>
    public string LabOutput { get { lock (_labOutput) return string.Join('\n', _labOutput); } }

    [GeneratedRegex(@"running at (http://127\.0\.0\.1:\d+)/")]
    private static partial Regex AddressLine();

    /// <inheritdoc />
    public async Task InitializeAsync()
    {
        string dll = Path.Combine(AppContext.BaseDirectory, "Pitts.Lab.dll");
        if (!File.Exists(dll)) throw new FileNotFoundException("the lab was not built next to the tests", dll);
        var psi = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = AppContext.BaseDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add(dll);
        psi.ArgumentList.Add("--port");
        psi.ArgumentList.Add("0");
        psi.ArgumentList.Add("--root");
        psi.ArgumentList.Add(Root);
        psi.Environment.Remove("ASPNETCORE_URLS");
        var started = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        _lab = Process.Start(psi) ?? throw new InvalidOperationException("could not start the lab");
        _lab.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (_labOutput) _labOutput.Add(e.Data);
            var m = AddressLine().Match(e.Data);
            if (m.Success) started.TrySetResult(m.Groups[1].Value);
        };
        _lab.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (_labOutput) _labOutput.Add(e.Data); };
        _lab.Exited += (_, _) => started.TrySetException(new InvalidOperationException("the lab exited: " + LabOutput));
        _lab.EnableRaisingEvents = true;
        _lab.BeginOutputReadLine();
        _lab.BeginErrorReadLine();
        var done = await Task.WhenAny(started.Task, Task.Delay(TimeSpan.FromSeconds(60)));
        if (done != started.Task) throw new TimeoutException("the lab did not print its address within 60 s: " + LabOutput);
        BaseUrl = await started.Task;

        if (!File.Exists(ChromiumPath))
            throw new FileNotFoundException("Debian's chromium is missing; run scripts/install-test-deps.sh", ChromiumPath);
        Playwright = await Microsoft.Playwright.Playwright.CreateAsync();
        Browser = await Playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args =
            [
                "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync",
            ],
        });
    }

    /// <summary>Opens <paramref name="path"/> in a new page, waits until it is interactive, and collects console errors.</summary>
    public async Task<LabPage> OpenAsync(string path, int width = 1400, int height = 1000)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            ViewportSize = new ViewportSize { Width = width, Height = height },
            BaseURL = BaseUrl,
        });
        var page = await context.NewPageAsync();
        var lp = new LabPage(context, page, () => LabOutput);
        await page.GotoAsync(path);
        await lp.WaitInteractiveAsync();
        return lp;
    }

    /// <inheritdoc />
    public async Task DisposeAsync()
    {
        if (Browser is not null) await Browser.CloseAsync();
        Playwright?.Dispose();
        if (_lab is { HasExited: false })
        {
            _lab.Kill(entireProcessTree: true);
            await _lab.WaitForExitAsync();
        }
        _lab?.Dispose();
    }
}

/// <summary>A browser page on the lab with the console errors it logged.</summary>
public sealed class LabPage : IAsyncDisposable
{
    /// <summary>Errors from the console and uncaught exceptions.</summary>
    public List<string> Errors { get; } = [];

    /// <summary>The browser context (one per test page).</summary>
    public IBrowserContext Context { get; }

    /// <summary>The page.</summary>
    public IPage Page { get; }

    private readonly Func<string> _labOutput;

    /// <summary>Wraps a page and starts collecting errors; <paramref name="labOutput"/> gives the lab's log for failures.</summary>
    public LabPage(IBrowserContext context, IPage page, Func<string> labOutput)
    {
        Context = context;
        Page = page;
        _labOutput = labOutput;
        page.Console += (_, m) => { if (m.Type == "error") lock (Errors) Errors.Add("console: " + m.Text); };
        page.PageError += (_, e) => { lock (Errors) Errors.Add("page error: " + e); };
    }

    /// <summary>Waits until the WebAssembly app has started and drawn the layout (no "connecting" banner) and the page's
    /// lazily loaded assets (the zoo's digits and weights) have arrived.</summary>
    public async Task WaitInteractiveAsync()
    {
        await Page.WaitForFunctionAsync("() => document.querySelector('.shell') !== null && !document.querySelector('[data-testid=connecting]') && !document.querySelector('[data-testid=loading-assets]')",
            null, new PageWaitForFunctionOptions { Timeout = 60000 });
    }

    /// <summary>
    /// Waits until the page's own address (read from the browser, polled) satisfies <paramref name="ok"/>. The lab
    /// changes the query with history.replaceState; Playwright's WaitForURLAsync compares the address its client last
    /// heard of and then listens for the next navigation, so a replaceState landing between the two is missed and the
    /// wait runs out (it did once in CI, 30 s, with the URL long since right).
    /// </summary>
    public async Task WaitForUrlAsync(Func<string, bool> ok, int timeoutMs = 30000)
    {
        var deadline = DateTime.UtcNow.AddMilliseconds(timeoutMs);
        string url = "";
        while (DateTime.UtcNow < deadline)
        {
            url = await Page.EvaluateAsync<string>("() => location.href");
            if (ok(url)) return;
            await Task.Delay(50);
        }
        var log = _labOutput().Split('\n').TakeLast(30);
        throw new TimeoutException($"the address stayed {url} for {timeoutMs} ms; the lab's last output:\n" + string.Join('\n', log));
    }

    /// <summary>The element with this data-testid.</summary>
    public ILocator ById(string testId) => Page.GetByTestId(testId);

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        // Close the tab as a reader would (pagehide lets Blazor end its circuit at once), then the context.
        if (!Page.IsClosed) await Page.CloseAsync(new PageCloseOptions { RunBeforeUnload = true });
        await Context.CloseAsync();
    }
}

/// <summary>All browser tests share one lab and one browser.</summary>
[CollectionDefinition("lab")]
public sealed class LabCollection : ICollectionFixture<LabFixture>;
