using System.Globalization;
using Microsoft.Playwright;
using Pitts.Lab;
using Pitts.Lab.Services;

// bench/LabBrowser ROOT [/PATH ...]: serves ROOT (the published lab's wwwroot) on loopback and drives Debian's Chromium.
// --actions: only the main actions; --pages: only the page loads; /PATH arguments: only those pages; --kernels: only
// the micro-kernel variants and the universal-approximation step's stages (KernelBench, StepBench), in the browser and natively.
string[] plain = [.. args.Where(a => !a.StartsWith("--", StringComparison.Ordinal))];
bool hasRoot = plain.Length > 0 && plain[0] != "/" && Directory.Exists(plain[0]);
string root = hasRoot ? plain[0] : Path.Combine("artifacts", "publish", "Pitts.Lab.Client", "release", "wwwroot");
string[] only = [.. plain.Skip(hasRoot ? 1 : 0)];
bool doKernels = args.Contains("--kernels");
bool doPages = !args.Contains("--actions") && !doKernels, doActions = !args.Contains("--pages") && !doKernels;
var app = LabServer.Build(LabOptions.Parse(["--port", "0", "--root", root]));
await app.StartAsync();
string baseUrl = LabServer.Addresses(app).First().TrimEnd('/');
var inv = CultureInfo.InvariantCulture;

using var pw = await Playwright.CreateAsync();
await using var browser = await pw.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
{
    ExecutablePath = "/usr/bin/chromium",
    Headless = true,
    Args = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"],
});

// Interactive: the app has started, the page's lazily loaded assets (the zoo's digits and weights) have arrived, and the
// page itself has rendered its heading.
const string Interactive = "() => document.querySelector('.shell main h1') !== null && !document.querySelector('[data-testid=loading-assets]') && !document.querySelector('[data-testid=connecting]')";

async Task<(double Ms, long Bytes)> Load(IBrowserContext context, string path)
{
    var page = await context.NewPageAsync();
    long bytes = 0;
    var sizes = new List<Task>();
    page.RequestFinished += (_, r) => sizes.Add(Task.Run(async () =>
    {
        var s = await r.SizesAsync();
        Interlocked.Add(ref bytes, s.ResponseBodySize + s.ResponseHeadersSize);
    }));
    var sw = System.Diagnostics.Stopwatch.StartNew();
    await page.GotoAsync(baseUrl + path);
    double ms;
    try
    {
        await page.WaitForFunctionAsync(Interactive, null, new() { Timeout = 120000 });
        ms = sw.Elapsed.TotalMilliseconds;
    }
    catch (TimeoutException) { ms = double.PositiveInfinity; } // its bytes still count
    await page.WaitForTimeoutAsync(300);
    await Task.WhenAll(sizes.ToArray());
    await page.CloseAsync();
    return (ms, Interlocked.Read(ref bytes));
}

Console.WriteLine("| page | cold: interactive ms | cold: bytes transferred | warm: interactive ms | warm: bytes |");
Console.WriteLine("|---|---:|---:|---:|---:|");
string[] pages = ["/", "/mcculloch-pitts", "/hodgkin-huxley", "/linear-hypothesis", "/networks", "/losses", "/gradient-descent",
    "/backprop", "/training", "/universal-approximation", "/overfitting", "/playground", "/zoo", "/autoencoder", "/convolution",
    "/depth", "/recurrent", "/attention"];
foreach (var path in !doPages ? [] : only.Length > 0 ? only : pages)
{
    await using var context = await browser.NewContextAsync(new() { ViewportSize = new() { Width = 1400, Height = 1000 } });
    var cold = await Load(context, path);
    if (double.IsInfinity(cold.Ms))
    {
        Console.WriteLine(string.Create(inv, $"| {path} | > 120,000 (first render not reached) | {cold.Bytes:N0} | | |"));
        continue;
    }
    var warm = await Load(context, path);
    Console.WriteLine(string.Create(inv, $"| {path} | {cold.Ms:0} | {cold.Bytes:N0} | {warm.Ms:0} | {warm.Bytes:N0} |"));
}

if (doActions)
{
    await using var context = await browser.NewContextAsync();
    var page = await context.NewPageAsync();
    await page.GotoAsync(baseUrl + "/");
    await page.WaitForFunctionAsync(Interactive, null, new() { Timeout = 120000 });
    Task<T> Js<T>(string name) => page.EvaluateAsync<T>($"() => DotNet.invokeMethod('Pitts.Lab.Client', '{name}')");
    Console.WriteLine();
    string simd = await Js<string>("Simd");
    Console.WriteLine($"browser: {simd}; native: {LabBench.Simd()}");
    Console.WriteLine("| action | browser | native |");
    Console.WriteLine("|---|---:|---:|");
    double gb = await Js<double>("Gemm256Gflops"), gn = LabBench.Gemm256Gflops();
    Console.WriteLine(string.Create(inv, $"| GEMM 256³ (GFLOP/s) | {gb:0.00} | {gn:0.0} |"));
    for (int i = 0; i < 2; i++) // the first call includes the runtime's warm-up (the jiterpreter, the JIT)
    {
        double ub = await Js<double>("UniversalApproximation50Ms"), un = LabBench.UniversalApproximation50Ms();
        Console.WriteLine(string.Create(inv, $"| universal approximation N = 50, 800 epochs (ms), run {i + 1} | {ub:0} | {un:0} |"));
    }
    for (int i = 0; i < 2; i++)
    {
        double hb = await Js<double>("HodgkinHuxley100Ms"), hn = LabBench.HodgkinHuxley100Ms();
        Console.WriteLine(string.Create(inv, $"| Hodgkin-Huxley 100 ms at dt 0.01 (ms), run {i + 1} | {hb:0} | {hn:0.0} |"));
    }
}
if (doKernels)
{
    await using var context = await browser.NewContextAsync();
    var page = await context.NewPageAsync();
    await page.GotoAsync(baseUrl + "/");
    await page.WaitForFunctionAsync("() => document.querySelector('.shell') !== null", null, new() { Timeout = 120000 });
    Task<T> Js<T>(string call) => page.EvaluateAsync<T>($"() => DotNet.invokeMethod('Pitts.Lab.Client', {call})");
    string simdB = await Js<string>("'Simd'");
    Console.WriteLine($"browser: {simdB}; native: {LabBench.Simd()}");
    double errB = await Js<double>("'GemmMaxRelativeError'");
    Console.WriteLine(string.Create(inv, $"MatMul against a double-precision loop, largest error / Σ|a·b|: browser {errB:0.0e0}, native {LabBench.GemmMaxRelativeError():0.0e0}"));
    Console.WriteLine("| micro-kernel (k = 256, panels in L1), GFLOP/s, best of 9, two rounds | browser | native |");
    Console.WriteLine("|---|---:|---:|");
    int count = await Js<int>("'VariantCount'");
    for (int v = 0; v < count; v++)
    {
        var b1 = (await Js<string>($"'RunVariant', {v}")).Split('|');
        var b2 = (await Js<string>($"'RunVariant', {v}")).Split('|');
        var n1 = KernelBench.RunVariant(v).Split('|');
        var n2 = KernelBench.RunVariant(v).Split('|');
        Console.WriteLine(string.Create(inv, $"| {b1[0]} | {double.Parse(b1[1], inv):0.00}, {double.Parse(b2[1], inv):0.00} | {double.Parse(n1[1], inv):0.0}, {double.Parse(n2[1], inv):0.0} |"));
    }
    for (int i = 0; i < 3; i++)
    {
        double gb = await Js<double>("'Gemm256Gflops'");
        Console.WriteLine(string.Create(inv, $"GEMM 256³ (best of 10), run {i + 1}: browser {gb:0.00} GFLOP/s, native {LabBench.Gemm256Gflops():0.0}"));
    }
    for (int i = 0; i < 3; i++)
    {
        double ub = await Js<double>("'UniversalApproximation50Ms'");
        Console.WriteLine(string.Create(inv, $"universal approximation N = 50, run {i + 1}: browser {ub:0} ms, native {LabBench.UniversalApproximation50Ms():0} ms"));
    }
    Console.WriteLine("-- universal approximation N = 50, the step's stages: browser");
    Console.WriteLine(await Js<string>("'UniversalApproximationStages'"));
    Console.WriteLine("-- native");
    Console.WriteLine(StepBench.UniversalApproximationStages());
}
await app.StopAsync();
