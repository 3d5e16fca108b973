using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.RegularExpressions;
using Xunit.Abstractions;

namespace Pitts.Lab.Tests;

/// <summary>
/// Every <c>```csharp</c> block in README.md and docs/*.md is a program a reader can run: each is written as its own .NET
/// file-based app (the block, after the <c>#:project</c> lines it needs, <see cref="FileBasedApps"/>) and run with
/// <c>dotnet run -c Release</c>, warnings as errors, and must exit cleanly; the blocks whose comments promise values must
/// print them. A block that names a type, member or overload the libraries lack, or that leans on a variable defined
/// elsewhere in the text, fails to build, and the error names the doc file and line (a <c>#line</c> directive maps the
/// block back into its doc). A block that is deliberately not a whole program opens with <c>```csharp fragment</c>: it
/// is listed, not run.
/// </summary>
public sealed partial class DocSnippetsRunTests(DocSnippetsRunTests.Apps apps, ITestOutputHelper output)
    : IClassFixture<DocSnippetsRunTests.Apps>
{
    /// <summary>
    /// One <c>```csharp</c> block: its doc (relative to the repository root, with '/'), the line of its opening fence, its
    /// code, and whether its fence marks it a fragment (<c>```csharp fragment</c>), not a whole program.
    /// </summary>
    public sealed record Snippet(string File, int Line, string Code, bool Fragment = false)
    {
        public override string ToString() => $"{File}:{Line}";
    }

    /// <summary>
    /// Blocks found by their doc file and a line of their code, with what their output must contain: the values their
    /// comments promise, which must therefore appear in the block too.
    /// </summary>
    private static readonly (string File, string CodeLine, string[] Output)[] Promises =
    [
        ("README.md", "Console.WriteLine(w.Grad);", ["tensor([9.0000, 18.0000, 27.0000], shape=(3))"]),
        ("docs/NEURO.md", "Console.Write(TruthTable.Of(xor));", ["0  0 | 0", "0  1 | 1", "1  0 | 1", "1  1 | 0"]),
        ("docs/NEURO.md", "var model = new HodgkinHuxleyModel();", ["68.32 Hz", "6.259", "6.929"]),
        ("docs/DATA.md", "Safetensors.Save(", ["fc1.weight"]),
        ("docs/RECIPES.md", "Console.WriteLine(Tensor.FromArray([1f, 2f, 3f]) * 2f);", ["tensor([2.0000, 4.0000, 6.0000], shape=(3))"]),
    ];

    /// <summary>
    /// The repository root: the first folder upwards from the test's output that holds Pitts.slnx, else upwards from this
    /// source file (as compiled), for builds whose output lies outside the repository (<c>--artifacts-path /tmp/...</c>).
    /// </summary>
    public static string RepoRoot([CallerFilePath] string source = "")
    {
        foreach (var start in new[] { AppContext.BaseDirectory, Path.GetDirectoryName(source) })
            for (var d = string.IsNullOrEmpty(start) ? null : new DirectoryInfo(start); d is not null; d = d.Parent)
                if (File.Exists(Path.Combine(d.FullName, "Pitts.slnx"))) return d.FullName;
        throw new InvalidOperationException($"Pitts.slnx not found above {AppContext.BaseDirectory} or {source}");
    }

    /// <summary>The environment the samples run in (they run from a temporary folder, not from a clone).</summary>
    public static Dictionary<string, string> Environment(string root) => new()
    {
        // The MNIST samples find the shipped digits here (from a clone's root they find data/ themselves).
        ["PITTS_DATA"] = Path.Combine(root, "data"),
        // Numbers print as the docs show them (1.5, not 1,5) whatever the machine's culture.
        ["DOTNET_SYSTEM_GLOBALIZATION_INVARIANT"] = "1",
    };

    /// <summary>The docs that are searched: README.md and docs/*.md, relative to the root, in a fixed order.</summary>
    public static List<string> DocFiles(string root) =>
        [
            "README.md",
            .. Directory.GetFiles(Path.Combine(root, "docs"), "*.md")
                .Select(f => "docs/" + Path.GetFileName(f))
                .Order(StringComparer.Ordinal),
        ];

    /// <summary>Every <c>```csharp</c> block of the docs, in order. An unclosed block, or an unknown word after csharp, throws.</summary>
    public static List<Snippet> Snippets(string root)
    {
        var list = new List<Snippet>();
        foreach (var file in DocFiles(root))
        {
            var lines = File.ReadAllText(Path.Combine(root, file)).Replace("\r\n", "\n").Split('\n');
            for (int i = 0; i < lines.Length; i++)
            {
                var m = CSharpFence().Match(lines[i]);
                if (!m.Success) continue;
                string info = m.Groups["info"].Value.Trim();
                if (info is not ("" or "fragment"))
                    throw new InvalidOperationException($"{file}:{i + 1}: ```csharp {info}: the only word understood after csharp is 'fragment'");
                int end = i + 1;
                while (end < lines.Length && !lines[end].TrimStart().StartsWith("```", StringComparison.Ordinal)) end++;
                if (end == lines.Length) throw new InvalidOperationException($"{file}:{i + 1}: the ```csharp block is never closed");
                list.Add(new Snippet(file, i + 1, string.Join('\n', lines[(i + 1)..end]), info == "fragment"));
                i = end;
            }
        }
        return list;
    }

    /// <summary>
    /// The file-based app of block <paramref name="s"/>: the <c>#:project</c> lines it needs (its own, if it opens with
    /// <c>#:</c> directives, else <see cref="FileBasedApps.ProjectLines"/>), with absolute paths, then a <c>#line</c>
    /// directive that maps its code to the doc's lines, then its code.
    /// </summary>
    public static string App(FileBasedApps apps, string root, Snippet s)
    {
        var lines = s.Code.Split('\n');
        int own = lines.TakeWhile(l => l.StartsWith("#:", StringComparison.Ordinal)).Count();
        string directives = own > 0 ? string.Join('\n', lines[..own]) + "\n" : FileBasedApps.ProjectLines(s.Code);
        return apps.Absolute(directives)
            + $"#line {s.Line + 1 + own} \"{Path.Combine(root, s.File).Replace('\\', '/')}\"\n"
            + string.Join('\n', lines[own..]) + "\n";
    }

    [Fact]
    public void The_docs_have_csharp_blocks_and_the_lists_name_real_ones()
    {
        var snippets = Snippets(RepoRoot());
        output.WriteLine(string.Join('\n', snippets.Select(s => $"{s}{(s.Fragment ? " (fragment, not run)" : "")}")));
        // A regex that stopped matching the fences would make the run test pass vacuously.
        Assert.Contains(snippets, s => s.File == "README.md");
        Assert.True(snippets.Count(s => !s.Fragment) >= 10, $"only {snippets.Count(s => !s.Fragment)} runnable ```csharp blocks found");
        foreach (var (file, line, _) in Promises)
            Assert.True(snippets.Any(s => !s.Fragment && s.File == file && s.Code.Contains(line, StringComparison.Ordinal)),
                $"the promise ({file}, {line}) matches no runnable block");
    }

    [Fact]
    public void Every_doc_snippet_runs_as_a_file_based_app()
    {
        output.WriteLine($"{apps.Results.Count} blocks ran as file-based apps in {apps.Seconds:0.0} s (two at a time)");
        foreach (var (s, r) in apps.Blocks.Zip(apps.Results)) output.WriteLine($"  {s}: exit code {r.ExitCode}, {r.Seconds:0.0} s");
        // Compiler errors already name the doc's file and line (#line); the block's own place heads its log.
        var failed = apps.Blocks.Zip(apps.Results).Where(p => p.Second.ExitCode != 0)
            .Select(p => $"the block at {p.First} failed (exit code {p.Second.ExitCode}):\n{p.Second.Log}").ToList();
        Assert.True(failed.Count == 0, string.Join('\n', failed));
    }

    [Fact]
    public void Doc_snippets_print_what_their_comments_promise()
    {
        var failures = new StringBuilder();
        foreach (var (file, line, expected) in Promises)
        {
            int index = apps.Blocks.FindIndex(s => s.File == file && s.Code.Contains(line, StringComparison.Ordinal));
            if (index < 0) { failures.AppendLine($"no runnable block in {file} contains {line}"); continue; }
            var (block, result) = (apps.Blocks[index], apps.Results[index]);
            output.WriteLine($"{block} printed:\n{result.Log}");
            // The expected text is what the block's comments promise: it must be in the doc as well as in the output.
            foreach (var e in expected.Where(e => !block.Code.Contains(e, StringComparison.Ordinal)))
                failures.AppendLine($"the block at {block} does not say \"{e}\" any more: its comments and this test's Promises disagree");
            if (result.ExitCode != 0) failures.AppendLine($"the block at {block} failed (exit code {result.ExitCode})");
            else foreach (var e in expected.Where(e => !result.Log.Contains(e, StringComparison.Ordinal)))
                failures.AppendLine($"the block at {block} should print \"{e}\" (its comment says so); it printed:\n{result.Log}");
        }
        Assert.True(failures.Length == 0, failures.ToString());
    }

    /// <summary>Runs the blocks once for the class, each as its own file-based app, two at a time.</summary>
    public sealed class Apps : IAsyncLifetime
    {
        private FileBasedApps? _apps;

        /// <summary>The blocks that ran (all but the fragments), in doc order, and their results in the same order.</summary>
        public List<Snippet> Blocks { get; private set; } = [];
        public List<FileBasedApps.Result> Results { get; private set; } = [];
        public double Seconds { get; private set; }

        public async Task InitializeAsync()
        {
            string root = RepoRoot();
            _apps = new FileBasedApps(root);
            Blocks = Snippets(root).Where(s => !s.Fragment).ToList();
            var sw = Stopwatch.StartNew();
            Results = await _apps.RunAll(
                [.. Blocks.Select((s, i) => ($"doc{i:00}", App(_apps, root, s)))],
                TimeSpan.FromMinutes(4), environment: Environment(root));
            Seconds = sw.Elapsed.TotalSeconds;
        }

        public Task DisposeAsync()
        {
            _apps?.Dispose();
            return Task.CompletedTask;
        }
    }

    [GeneratedRegex(@"^\s*```\s*(csharp|cs|c#)(?<info>(\s+\S+)*)\s*$", RegexOptions.IgnoreCase)]
    private static partial Regex CSharpFence();
}
