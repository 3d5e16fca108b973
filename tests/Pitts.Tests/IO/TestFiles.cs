using System.Runtime.CompilerServices;

namespace Pitts.Tests.IO;

/// <summary>Locates committed test data next to the test sources, and makes scratch folders that clean up.</summary>
internal static class TestFiles
{
    public static string Here([CallerFilePath] string file = "") => Path.GetDirectoryName(file)!;

    public static string Golden(string name) => Path.Combine(Here(), "Golden", name);

    /// <summary>The repository root (the folder holding Pitts.slnx).</summary>
    public static string RepoRoot()
    {
        var d = new DirectoryInfo(Here());
        while (d is not null && !File.Exists(Path.Combine(d.FullName, "Pitts.slnx"))) d = d.Parent;
        return d?.FullName ?? throw new InvalidOperationException("repository root not found");
    }
}

/// <summary>A temporary folder deleted when disposed.</summary>
internal sealed class TempDir : IDisposable
{
    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "pitts-test-" + Guid.NewGuid().ToString("N"));

    public TempDir() => Directory.CreateDirectory(Path);

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { }
    }
}
