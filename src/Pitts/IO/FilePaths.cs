namespace Pitts.IO;

/// <summary>
/// Path comparison for the rule that an output never equals an input: two paths name the same file when their full
/// paths agree once every symbolic link on the way is followed (case-insensitively on Windows and macOS).
/// </summary>
internal static class FilePaths
{
    /// <summary>The full path of <paramref name="path"/> with every symbolic link in it followed.</summary>
    public static string Resolve(string path)
    {
        string full = Path.GetFullPath(path);
        string root = Path.GetPathRoot(full) ?? "/";
        string current = root;
        foreach (var part in full[root.Length..].Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries))
        {
            current = Path.Combine(current, part);
            try
            {
                var info = new FileInfo(current);
                if (info.LinkTarget is not null && info.ResolveLinkTarget(returnFinalTarget: true) is { } t) current = t.FullName;
            }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
        return current;
    }

    /// <summary>True when <paramref name="a"/> and <paramref name="b"/> name the same file once links are followed.</summary>
    public static bool Same(string a, string b) =>
        string.Equals(Resolve(a), Resolve(b), OperatingSystem.IsWindows() || OperatingSystem.IsMacOS() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal);
}
