using System.Diagnostics;
using Pitts.Lab.Services;
using Xunit.Abstractions;

namespace Pitts.Lab.Tests;

/// <summary>
/// The "Show code" panels hold programs a reader can paste and run: every page's sample, for its default settings and a
/// spread of others, is compiled in one console project that references only the built Pitts and Pitts.Neuro libraries.
/// A sample that names a type, member or overload the libraries lack, uses a lab-only class, or leaves a placeholder
/// fails the build and this test. Each page's default sample, as the panel shows it (with its <c>#:project</c> lines),
/// also runs as a .NET file-based app and must exit cleanly.
/// </summary>
public sealed class CodeSamplesCompileTests(ITestOutputHelper output)
{
    /// <summary>
    /// Every sample the pages can show for a representative set of settings: (name, code). Each page's sample for the
    /// settings it opens with is named PAGE-default (<see cref="Every_page_default_sample_runs_as_a_file_based_app"/> runs those).
    /// </summary>
    public static List<(string Name, string Code)> Samples()
    {
        var list = new List<(string, string)>();
        void Add(string name, string code) => list.Add((name, code));

        // Defaults first (as each page opens), then other settings.
        Add("attention-default", CodeSamples.Attention([3, 8, 5, 1, 2, 0], "reverse"));
        Add("attention-sort", CodeSamples.Attention([9, 9, 0, 4, 4, 1], "sort"));











        Add("recurrent-default", CodeSamples.Recurrent(0.1, "rnn", "oscillator"));
        foreach (var kind in new[] { "rnn", "lstm" })
            foreach (var signal in new[] { "oscillator", "hh" }.Where(signal => (kind, signal) != ("rnn", "oscillator")))
                Add($"recurrent-{kind}-{signal}", CodeSamples.Recurrent(0.1, kind, signal));
        Add("recurrent-h", CodeSamples.Recurrent(0.35, "rnn", "oscillator"));


        return list;
    }

    [Fact]
    public void Samples_name_no_lab_code_and_leave_no_placeholders()
    {
        foreach (var (name, code) in Samples())
        {
            Assert.False(code.Contains("Pitts.Lab", StringComparison.Ordinal), $"{name} uses the lab's own code:\n{code}");
            Assert.False(code.Contains("/*", StringComparison.Ordinal), $"{name} has a /* placeholder */:\n{code}");
            Assert.False(code.Contains("...", StringComparison.Ordinal), $"{name} has a '...' placeholder:\n{code}");
            Assert.Contains("using Pitts", code);
        }
    }

    [Fact]
    public async Task Every_sample_compiles_against_the_libraries()
    {
        var samples = Samples();
        var dir = Directory.CreateTempSubdirectory("pitts-samples-");
        try
        {
            WriteProject(dir.FullName, samples);
            var sw = Stopwatch.StartNew();
            var (exit, log) = await ConsoleProject.Dotnet(dir.FullName, TimeSpan.FromMinutes(5), null, ConsoleProject.BuildArguments("Samples.csproj"));
            output.WriteLine($"{samples.Count} samples built in {sw.Elapsed.TotalSeconds:0.0} s, exit code {exit}");
            // The #line directives make each error name its sample ("sample backprop-default(12,5): error ...").
            Assert.True(exit == 0, $"the samples do not compile:\n{log}");
        }
        finally
        {
            dir.Delete(true);
        }
    }

    /// <summary>The pages of the lab that have a "Show code" panel (or, Training in practice, the code that runs): one default sample each.</summary>
    private const int Pages = 2;

    [Fact]
    public async Task Every_page_default_sample_runs_as_a_file_based_app()
    {
        string root = DocSnippetsRunTests.RepoRoot();
        using var apps = new FileBasedApps(root);
        // What the panel shows (the #:project lines, relative to a clone's root, then the code), the paths made absolute.
        var defaults = Samples().Where(s => s.Name.EndsWith("-default", StringComparison.Ordinal))
            .Select(s => (s.Name, apps.Absolute(CodeSamples.FileBasedApp(s.Code)))).ToList();
        Assert.Equal(Pages, defaults.Count);
        var sw = Stopwatch.StartNew();
        var results = await apps.RunAll(defaults, TimeSpan.FromMinutes(4), environment: DocSnippetsRunTests.Environment(root));
        output.WriteLine($"{results.Count} default samples ran as file-based apps in {sw.Elapsed.TotalSeconds:0.0} s (two at a time)");
        foreach (var r in results) output.WriteLine($"  {r.Name}: exit code {r.ExitCode}, {r.Seconds:0.0} s");
        var failed = results.Where(r => r.ExitCode != 0).ToList();
        Assert.True(failed.Count == 0, string.Join("\n", failed.Select(r => $"the sample {r.Name} failed (exit code {r.ExitCode}):\n{r.Log}")));
    }

    /// <summary>
    /// Writes the console project: sample i becomes class Sample_i (<see cref="ConsoleProject.WriteProgram"/>, its
    /// compiler errors naming the sample, e.g. <c>sample attention-default(12,5): error ...</c>).
    /// </summary>
    private static void WriteProject(string dir, List<(string Name, string Code)> samples)
    {
        ConsoleProject.Write(dir, "Samples");
        for (int i = 0; i < samples.Count; i++)
            ConsoleProject.WriteProgram(dir, $"Sample_{i:000}", samples[i].Code, "sample " + samples[i].Name, 1);
        File.WriteAllText(Path.Combine(dir, "Program.cs"),
            "// Runs nothing: the test only needs every sample to compile.\nSystem.Console.WriteLine(\"samples\");\n");
    }
}
