using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.RegularExpressions;
using Xunit.Abstractions;

namespace Pitts.Lab.Tests;

/// <summary>
/// Every <c>```csharp</c> block in README.md and docs/*.md is a program a reader can paste into <c>dotnet new console</c>:
/// all of them are compiled, each in its own file, in one console project that references only the built Pitts and
/// Pitts.Neuro libraries, warnings as errors. A block that names a type, member or overload the libraries lack, or that
/// leans on a variable defined elsewhere in the text, fails the build, and the failure names the doc file and line
/// (each block is compiled under a <c>#line</c> directive pointing into its doc). The blocks whose comments promise
/// values, and a few other cheap ones, are then run: they must exit cleanly and print those values.
/// </summary>
/// <remarks>
/// It lives here rather than in Pitts.Tests because this project's output already holds both Pitts.dll and
/// Pitts.Neuro.dll (through the lab), which the docs' blocks use; Pitts.Tests has no reference to Pitts.Neuro.
/// </remarks>
public sealed partial class DocSnippetsCompileTests(DocSnippetsCompileTests.Build build, ITestOutputHelper output)
    : IClassFixture<DocSnippetsCompileTests.Build>
{
    /// <summary>One <c>```csharp</c> block: its doc (relative to the repository root, with '/'), the line of its opening fence, its code.</summary>
    public sealed record Snippet(string File, int Line, string Code)
    {
        /// <summary>The block's code lines run from the line after the fence.</summary>
        public int LastLine => Line + Code.Split('\n').Length;

        public override string ToString() => $"{File}:{Line}";
    }

    /// <summary>
    /// Blocks that are deliberately not complete programs and are not compiled, each with its reason: (doc file, a line of
    /// its code). Empty: every block in the docs compiles as it stands. Prefer completing a block over adding to this.
    /// </summary>
    private static readonly (string File, string CodeLine)[] Exempt = [];

    /// <summary>
    /// Blocks that are run after the build, found by their doc file and a line of their code, with what their output must
    /// contain: the values their comments promise, which must therefore appear in the block too (an empty list: it need
    /// only run without throwing). Only cheap ones (about a second at most, the Hodgkin-Huxley block): the two training
    /// loops and the Trainer example (3-4 s) are compiled but not run.
    /// </summary>
    private static readonly (string File, string CodeLine, string[] Output)[] Runs =
    [
        ("README.md", "Console.WriteLine(w.Grad);", ["tensor([9.0000, 18.0000, 27.0000], shape=(3))"]),
        ("docs/NEURO.md", "Console.Write(TruthTable.Of(xor));", ["0  0 | 0", "0  1 | 1", "1  0 | 1", "1  1 | 0"]),
        ("docs/NEURO.md", "var model = new HodgkinHuxleyModel();", ["68.32 Hz", "6.259", "6.929"]),
        ("docs/DATA.md", "var (x, y) = mnist.Train.Get(0);", []),
        ("docs/DATA.md", "Augment.RandomShift", []),
        ("docs/DATA.md", "Safetensors.Save(", ["fc1.weight"]),
        ("docs/NN.md", "new ParamGroup(decay)", []),
        ("docs/NN.md", "var cnn = new Sequential(", []),
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

    /// <summary>The docs that are searched: README.md and docs/*.md, relative to the root, in a fixed order.</summary>
    public static List<string> DocFiles(string root) =>
        [
            "README.md",
            .. Directory.GetFiles(Path.Combine(root, "docs"), "*.md")
                .Select(f => "docs/" + Path.GetFileName(f))
                .Order(StringComparer.Ordinal),
        ];

    /// <summary>Every <c>```csharp</c> block of the docs, in order. An unclosed block throws.</summary>
    public static List<Snippet> Snippets(string root)
    {
        var list = new List<Snippet>();
        foreach (var file in DocFiles(root))
        {
            var lines = File.ReadAllText(Path.Combine(root, file)).Replace("\r\n", "\n").Split('\n');
            for (int i = 0; i < lines.Length; i++)
            {
                if (!CSharpFence().IsMatch(lines[i])) continue;
                int end = i + 1;
                while (end < lines.Length && !lines[end].TrimStart().StartsWith("```", StringComparison.Ordinal)) end++;
                if (end == lines.Length) throw new InvalidOperationException($"{file}:{i + 1}: the ```csharp block is never closed");
                list.Add(new Snippet(file, i + 1, string.Join('\n', lines[(i + 1)..end])));
                i = end;
            }
        }
        return list;
    }

    [Fact]
    public void The_docs_have_csharp_blocks_and_the_lists_name_real_ones()
    {
        var snippets = Snippets(RepoRoot());
        output.WriteLine(string.Join('\n', snippets.Select(s => $"{s}-{s.LastLine}")));
        // A regex that stopped matching the fences would make the compile test pass vacuously.
        Assert.Contains(snippets, s => s.File == "README.md");
        Assert.True(snippets.Count >= 10, $"only {snippets.Count} ```csharp blocks found");
        foreach (var (file, line) in Exempt)
            Assert.True(Find(snippets, file, line) is not null, $"the exemption ({file}, {line}) matches no block");
        foreach (var (file, line, _) in Runs)
            Assert.True(Find(snippets, file, line) is not null, $"the run ({file}, {line}) matches no block");
    }

    [Fact]
    public void Every_doc_snippet_compiles_against_the_libraries()
    {
        output.WriteLine($"{build.Compiled.Count} blocks built in {build.Seconds:0.0} s, exit code {build.ExitCode}");
        if (build.ExitCode == 0) return;
        // The errors carry the doc's file and line (#line); name the block each falls in.
        var errors = new SortedSet<(string File, int Line, string Text)>();
        foreach (Match m in ErrorLine().Matches(build.Log))
        {
            string file = m.Groups["file"].Value.Replace('\\', '/');
            int line = int.Parse(m.Groups["line"].Value);
            var block = build.Compiled.FirstOrDefault(s => file.EndsWith("/" + s.File, StringComparison.Ordinal) && line > s.Line && line <= s.LastLine);
            string where = block is null ? "(generated code)" : $"the block at {block.File}:{block.Line}";
            errors.Add((block?.File ?? file, line, $"  {block?.File ?? file}:{line}: {m.Groups["msg"].Value.Trim()}  [{where}]"));
        }
        var report = new StringBuilder("the docs' C# blocks do not compile against the libraries:\n");
        foreach (var e in errors) report.AppendLine(e.Text);
        if (errors.Count == 0) report.AppendLine(build.Log);   // not a compiler error (restore, SDK): show it all
        Assert.Fail(report.ToString());
    }

    [Fact]
    public async Task Cheap_doc_snippets_print_what_their_comments_promise()
    {
        Assert.True(build.ExitCode == 0, "the blocks do not compile (see the compile test)");
        var failures = new StringBuilder();
        foreach (var (file, line, expected) in Runs)
        {
            int index = build.Compiled.FindIndex(s => s.File == file && s.Code.Contains(line, StringComparison.Ordinal));
            if (index < 0) { failures.AppendLine($"no compiled block in {file} contains {line}"); continue; }
            var block = build.Compiled[index];
            var sw = Stopwatch.StartNew();
            var (exit, log) = await Dotnet(build.Dir, TimeSpan.FromMinutes(1), "bin/Release/net10.0/DocSnippets.dll", index.ToString());
            output.WriteLine($"{block} ran in {sw.Elapsed.TotalSeconds:0.00} s, exit code {exit}:\n{log}");
            // The expected text is what the block's comments promise: it must be in the doc as well as in the output.
            foreach (var e in expected.Where(e => !block.Code.Contains(e, StringComparison.Ordinal)))
                failures.AppendLine($"the block at {block} does not say \"{e}\" any more: its comments and this test's Runs list disagree");
            if (exit != 0) failures.AppendLine($"the block at {block} failed (exit code {exit}):\n{log}");
            else foreach (var e in expected.Where(e => !log.Contains(e, StringComparison.Ordinal)))
                failures.AppendLine($"the block at {block} should print \"{e}\" (its comment says so); it printed:\n{log}");
        }
        Assert.True(failures.Length == 0, failures.ToString());
    }

    private static Snippet? Find(List<Snippet> snippets, string file, string codeLine) =>
        snippets.FirstOrDefault(s => s.File == file && s.Code.Contains(codeLine, StringComparison.Ordinal));

    /// <summary>Runs <c>dotnet</c> in <paramref name="dir"/> for the blocks.</summary>
    private static Task<(int ExitCode, string Log)> Dotnet(string dir, TimeSpan timeout, params string[] args) =>
        ConsoleProject.Dotnet(dir, timeout, new Dictionary<string, string>
        {
            // The MNIST block finds the shipped digits here (the temporary project is outside the repository).
            ["PITTS_DATA"] = Path.Combine(RepoRoot(), "data"),
            // Numbers print as the docs show them (1.5, not 1,5) whatever the machine's culture.
            ["DOTNET_SYSTEM_GLOBALIZATION_INVARIANT"] = "1",
        }, args);

    /// <summary>Builds the blocks once for the class: a temporary console project, one file per block.</summary>
    public sealed class Build : IAsyncLifetime
    {
        public string Dir { get; } = Directory.CreateTempSubdirectory("pitts-doc-snippets-").FullName;
        public List<Snippet> Compiled { get; private set; } = [];
        public int ExitCode { get; private set; } = -1;
        public string Log { get; private set; } = "";
        public double Seconds { get; private set; }

        public async Task InitializeAsync()
        {
            string root = RepoRoot();
            Compiled = Snippets(root).Where(s => !Exempt.Any(e => e.File == s.File && s.Code.Contains(e.CodeLine, StringComparison.Ordinal))).ToList();
            WriteProject(Dir, root, Compiled);
            var sw = Stopwatch.StartNew();
            (ExitCode, Log) = await Dotnet(Dir, TimeSpan.FromMinutes(5), ConsoleProject.BuildArguments("DocSnippets.csproj"));
            Seconds = sw.Elapsed.TotalSeconds;
        }

        public Task DisposeAsync()
        {
            Directory.Delete(Dir, true);
            return Task.CompletedTask;
        }
    }

    [GeneratedRegex(@"^\s*```\s*(csharp|cs|c#)\s*$", RegexOptions.IgnoreCase)]
    private static partial Regex CSharpFence();

    [GeneratedRegex(@"^(?<file>[^\r\n]*?)\((?<line>\d+),\d+\): error (?<msg>[^\r\n\[]*)", RegexOptions.Multiline)]
    private static partial Regex ErrorLine();

    /// <summary>
    /// Writes the console project: block i becomes class Doc_i (<see cref="ConsoleProject.WriteProgram"/>, errors
    /// naming the doc's file and line), and Program.cs runs block <c>args[0]</c>.
    /// </summary>
    private static void WriteProject(string dir, string root, List<Snippet> snippets)
    {
        ConsoleProject.Write(dir, "DocSnippets");
        var program = new StringBuilder("// Runs the block named by its index.\nswitch (args.Length > 0 ? args[0] : \"\")\n{\n");
        for (int i = 0; i < snippets.Count; i++)
        {
            var s = snippets[i];
            string doc = Path.Combine(root, s.File).Replace('\\', '/');
            // Doc line of code line k (0-based) is s.Line + 1 + k.
            bool async = ConsoleProject.WriteProgram(dir, $"Doc_{i:00}", s.Code, doc, s.Line + 1);
            program.AppendLine($"    case \"{i}\": {(async ? "await " : "")}Doc_{i:00}.Run(); break;   // {s}");
        }
        program.AppendLine("    default: throw new ArgumentException(\"usage: DocSnippets <block index>\");\n}");
        File.WriteAllText(Path.Combine(dir, "Program.cs"), program.ToString());
    }
}
