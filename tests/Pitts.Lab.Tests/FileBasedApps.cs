using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Pitts.Lab.Tests;

/// <summary>
/// Runs C# programs as .NET file-based apps (<c>dotnet run -c Release app.cs</c>), as a reader runs a sample saved in a
/// clone of the repository. Each app gets its own folder in a temporary directory whose Directory.Build.props and
/// Directory.Packages.props import the repository's (warnings as errors, nullable, implicit usings, invariant
/// globalization, the central package versions), moving only the app's build output into its own folder so that apps
/// build side by side. The libraries come in through <c>#:project</c> lines with absolute paths: they build, once, into
/// the repository's artifacts/ (where the test project's build already put them) and every app shares that build.
/// </summary>
public sealed partial class FileBasedApps : IDisposable
{
    /// <summary>One app's outcome: its exit code, what it printed (output and errors together) and its wall time.</summary>
    public sealed record Result(string Name, int ExitCode, string Log, double Seconds);

    private readonly string _root;

    /// <summary>The temporary folder that holds the apps (deleted on dispose).</summary>
    public string Dir { get; } = Directory.CreateTempSubdirectory("pitts-apps-").FullName;

    /// <summary>Prepares the folder for apps that use the libraries of the repository at <paramref name="root"/>.</summary>
    public FileBasedApps(string root)
    {
        _root = root;
        File.WriteAllText(Path.Combine(Dir, "Directory.Build.props"), $"""
            <Project>
              <Import Project="{Path.Combine(root, "Directory.Build.props")}" />
              <PropertyGroup>
                <!-- Each app builds into its own folder (the repository's props would put all of them in one). -->
                <ArtifactsPath>$(MSBuildProjectDirectory)/artifacts</ArtifactsPath>
              </PropertyGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(Dir, "Directory.Packages.props"), $"""
            <Project>
              <Import Project="{Path.Combine(root, "Directory.Packages.props")}" />
            </Project>
            """);
    }

    /// <summary>
    /// The <c>#:project</c> lines a program needs, relative to the repository's root (as for a file saved there): Pitts,
    /// and Pitts.Neuro or Pitts.Onnx when the program names their namespaces.
    /// </summary>
    public static string ProjectLines(string code) => Pitts.Lab.Services.CodeSamples.ProjectLines(code);

    /// <summary>Turns the relative <c>#:project src/...</c> lines of <paramref name="code"/> into absolute ones into the repository.</summary>
    public string Absolute(string code) =>
        RelativeProject().Replace(code, m => "#:project " + Path.Combine(_root, m.Groups["path"].Value).Replace('\\', '/'));

    /// <summary>
    /// The file-based app at <paramref name="path"/> (a recipe in the repository) as it would run in place: its text, each
    /// relative <c>#:project</c> path made absolute from the file's folder (the app itself runs from this temporary folder).
    /// </summary>
    public static string InPlace(string path) => InPlace(path, File.ReadAllText(path));

    /// <summary>The program <paramref name="code"/> as it would run saved at <paramref name="path"/> (a recipe downloaded from the lab, saved over its file).</summary>
    public static string InPlace(string path, string code)
    {
        string dir = Path.GetDirectoryName(Path.GetFullPath(path))!;
        return ProjectPaths().Replace(code,
            m => "#:project " + Path.GetFullPath(Path.Combine(dir, m.Groups["path"].Value)).Replace('\\', '/'));
    }

    /// <summary>
    /// Writes and runs every app (name, code), <paramref name="parallel"/> at a time; results in the order given. The
    /// libraries the apps name are built first, once (<c>dotnet build -c Release</c>, a no-op when they are up to date),
    /// and the apps then skip building them (<c>BuildProjectReferences=false</c>): two apps never build a library at the
    /// same time, and each saves the libraries' up-to-date check.
    /// </summary>
    public async Task<List<Result>> RunAll(IReadOnlyList<(string Name, string Code)> apps, TimeSpan timeout, int parallel = 2,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        foreach (var project in apps.SelectMany(a => ProjectPaths().Matches(a.Code).Select(m => m.Groups["path"].Value)).Distinct())
        {
            var (exit, log) = await ConsoleProject.Dotnet(Dir, TimeSpan.FromMinutes(5), environment, ConsoleProject.BuildArguments(project));
            if (exit != 0) throw new InvalidOperationException($"dotnet build {project} failed (exit code {exit}):\n{log}");
        }
        var results = new Result[apps.Count];
        using var gate = new SemaphoreSlim(parallel);
        await Task.WhenAll(Enumerable.Range(0, apps.Count).Select(async i =>
        {
            await gate.WaitAsync();
            try { results[i] = await Run(apps[i].Name, apps[i].Code, timeout, environment, buildLibraries: false); }
            finally { gate.Release(); }
        }));
        return [.. results];
    }

    /// <summary>
    /// Writes <paramref name="code"/> as <c>NAME/app.cs</c> and runs it with <c>dotnet run -c Release app.cs</c> in its
    /// folder; without <paramref name="buildLibraries"/> the libraries it names must have been built (Release) already.
    /// </summary>
    public async Task<Result> Run(string name, string code, TimeSpan timeout, IReadOnlyDictionary<string, string>? environment = null,
        bool buildLibraries = true)
    {
        string dir = Path.Combine(Dir, name);
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "app.cs"), code);
        var sw = Stopwatch.StartNew();
        // No build servers: they would outlive the run and hold its output streams open.
        string[] args = ["run", "-c", "Release", "--disable-build-servers", .. buildLibraries ? Array.Empty<string>() : ["-p:BuildProjectReferences=false"], "app.cs"];
        var (exit, log) = await ConsoleProject.Dotnet(dir, timeout, environment, args);
        return new Result(name, exit, log, sw.Elapsed.TotalSeconds);
    }

    public void Dispose()
    {
        try { Directory.Delete(Dir, true); }
        catch (IOException) { }   // a process that still holds a file: the temp folder is cleaned up later
    }

    [GeneratedRegex(@"^#:project (?<path>src/\S+)", RegexOptions.Multiline)]
    private static partial Regex RelativeProject();

    [GeneratedRegex(@"^#:project (?<path>\S+)", RegexOptions.Multiline)]
    private static partial Regex ProjectPaths();
}
