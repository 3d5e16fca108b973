using System.Collections;
using System.Globalization;
using System.Reflection;
using System.Runtime.CompilerServices;

namespace Pitts.Lab.Services;

/// <summary>
/// The recipes (<c>*.recipe.cs</c>): each widget's program, compiled into the lab (which drives its classes) and kept as
/// text in the assembly, byte for byte, for the "Show code" panel; each also runs on its own as a .NET file-based app.
/// </summary>
public static class RecipeFiles
{
    private const string Prefix = "recipe:";
    private static readonly Assembly Lab = typeof(RecipeFiles).Assembly;

    /// <summary>Every recipe's path inside src/Pitts.Lab.Client (with '/'), e.g. <c>Chapters/UniversalApproximation/universal-approximation.recipe.cs</c>.</summary>
    public static IReadOnlyList<string> Paths { get; } =
        [.. Lab.GetManifestResourceNames().Where(n => n.StartsWith(Prefix, StringComparison.Ordinal))
            .Select(n => n[Prefix.Length..].Replace('\\', '/')).Order(StringComparer.Ordinal)];

    /// <summary>The path inside src/Pitts.Lab.Client of the recipe named <paramref name="name"/> (its file name without <c>.recipe.cs</c>).</summary>
    public static string PathOf(string name) =>
        Paths.FirstOrDefault(p => p.EndsWith("/" + name + ".recipe.cs", StringComparison.Ordinal) || p == name + ".recipe.cs")
        ?? throw new KeyNotFoundException($"RecipeFiles: no recipe named '{name}' is embedded in the lab");

    /// <summary>The bytes of the recipe named <paramref name="name"/>, exactly as in its file.</summary>
    public static byte[] Bytes(string name)
    {
        string path = PathOf(name);
        using var stream = Lab.GetManifestResourceStream(Prefix + path)
            ?? Lab.GetManifestResourceStream(Prefix + path.Replace('/', '\\'))
            ?? throw new KeyNotFoundException($"RecipeFiles: the resource of '{path}' is missing");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    private static readonly Dictionary<string, string> Texts = [];

    /// <summary>The text of the recipe named <paramref name="name"/> (UTF-8), as the panel shows it.</summary>
    public static string Text(string name)
    {
        lock (Texts)
        {
            if (!Texts.TryGetValue(name, out var text)) Texts[name] = text = new System.Text.UTF8Encoding(false).GetString(Bytes(name));
            return text;
        }
    }

    /// <summary>
    /// A recipe's settings as the C# expression that makes them, for the panel: <c>new UniversalApproximationSettings(Units: 3,
    /// Target: "sin", Seed: 1)</c> for a positional record, <c>new PlaygroundSettings { Data = "circle", ... }</c> for one with
    /// init properties; strings quoted, numbers round-trip, lists as collection expressions, tuples in parentheses.
    /// </summary>
    public static string Describe(object settings)
    {
        var type = settings.GetType();
        var properties = type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanRead && p.GetIndexParameters().Length == 0).ToList();
        var positional = type.GetConstructors().FirstOrDefault(c => c.GetParameters().Length == properties.Count && c.GetParameters().Length > 0
            && c.GetParameters().All(a => properties.Any(p => p.Name == a.Name)));
        if (positional is not null)
            return $"new {type.Name}({string.Join(", ", positional.GetParameters().Select(a => $"{a.Name}: {Value(type.GetProperty(a.Name!)!.GetValue(settings))}"))})";
        return $"new {type.Name} {{ {string.Join(", ", properties.Select(p => $"{p.Name} = {Value(p.GetValue(settings))}"))} }}";
    }

    /// <summary>
    /// The recipe named <paramref name="name"/> with <paramref name="settings"/> in place of its own: the first <c>new
    /// SettingsType(...)</c> or <c>new SettingsType { ... }</c> of its program (the line after <c>#if !PITTS_LAB</c>) becomes
    /// <see cref="Describe"/>'s expression, so the file, run on its own, reproduces the page. The "Download recipe" button's file.
    /// </summary>
    public static string WithSettings(string name, object settings)
    {
        string text = Text(name);
        string head = "new " + settings.GetType().Name;
        int program = text.IndexOf("\n#if !PITTS_LAB", StringComparison.Ordinal);
        int at = program < 0 ? -1 : text.IndexOf(head, program, StringComparison.Ordinal);
        int i = at < 0 ? text.Length : at + head.Length;
        while (i < text.Length && char.IsWhiteSpace(text[i])) i++;
        if (i >= text.Length || text[i] is not ('(' or '{'))
            throw new KeyNotFoundException($"RecipeFiles: the recipe '{name}' has no '{head}(...)' or '{head} {{ ... }}' in its program");
        // The expression ends at the bracket that closes its first one (brackets inside strings do not count).
        int depth = 0;
        for (bool quoted = false; i < text.Length; i++)
        {
            char c = text[i];
            if (quoted) { if (c == '\\') i++; else if (c == '"') quoted = false; }
            else if (c == '"') quoted = true;
            else if (c is '(' or '{' or '[') depth++;
            else if (c is ')' or '}' or ']')
            {
                if (--depth == 0) break;
            }
        }
        return text[..at] + Describe(settings) + text[(i + 1)..];
    }

    private static string Value(object? v) => v switch
    {
        null => "null",
        string s => "\"" + s.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"",
        bool b => b ? "true" : "false",
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        float f => f.ToString("R", CultureInfo.InvariantCulture) + "f",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        ITuple t => "(" + string.Join(", ", Enumerable.Range(0, t.Length).Select(i => Value(t[i]))) + ")",
        IEnumerable e => "[" + string.Join(", ", e.Cast<object?>().Select(Value)) + "]",
        _ => v.ToString() ?? "",
    };
}
