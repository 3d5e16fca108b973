using System.Text;
using Pitts.IO;

namespace Pitts.Lab.Widgets;

/// <summary>
/// A CSV file the reader loaded into the playground: its (sanitised) name, the table the library's
/// <see cref="Csv.ParseLabeled(string, bool?, char?, char?, string, ReadLimits?)"/> read from it, and its points as the
/// recipe's <see cref="PlaygroundRecipe.CsvPoints"/> scales them onto the playground's square. The file itself stays in the
/// page: a link records only that a CSV file (and which name) is in use.
/// </summary>
public sealed record PlaygroundCsv(string FileName, CsvLabeledTable Table, List<(double X, double Y, int Label)> Points)
{
    /// <summary>The largest file read, in bytes (the browser reads no more than this of it).</summary>
    public const int MaxBytes = 256 * 1024;

    /// <summary>The most rows trained on (training runs in the reader's browser, on one thread).</summary>
    public const int MaxRows = 1000;

    /// <summary>
    /// Reads an uploaded file's bytes (UTF-8, with or without a byte order mark; comma or semicolon; with or without a header
    /// row; a label of two classes, 0/1 or two names). A bad file raises <see cref="CsvException"/> whose message, naming the
    /// file, is shown on the page.
    /// </summary>
    public static PlaygroundCsv Parse(string fileName, ReadOnlySpan<byte> bytes)
    {
        string name = SafeName(fileName);
        if (bytes.Length > MaxBytes) throw TooLarge(name, bytes.Length);
        if (bytes.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF])) bytes = bytes[3..];
        string text = new UTF8Encoding(false, throwOnInvalidBytes: false).GetString(bytes);
        if (text.Trim().Length == 0) throw new CsvException($"CSV: {name}: the file is empty");
        var table = Csv.ParseLabeled(text, source: name);
        if (table.Labels.Count > MaxRows)
            throw new CsvException($"CSV: {name}: {table.Labels.Count:N0} rows; the playground trains in your browser on at most {MaxRows:N0}");
        return new PlaygroundCsv(name, table, PlaygroundRecipe.CsvPoints(table, name));
    }

    /// <summary>The error for a file of <paramref name="bytes"/> bytes, more than <see cref="MaxBytes"/> (the page checks the size before reading).</summary>
    public static CsvException TooLarge(string name, long bytes) =>
        new($"CSV: {name}: {bytes:N0} bytes; the playground reads files of up to {MaxBytes / 1024} KB ({MaxRows:N0} rows)");

    /// <summary>
    /// The file's name as the recipe's CsvPath and the page show it: letters, digits and <c>. _ -</c> kept, anything else
    /// (a path, quotes, control characters) as '_', at most 80 characters, ending in .csv.
    /// </summary>
    public static string SafeName(string fileName)
    {
        string baseName = fileName.Replace('\\', '/').Split('/')[^1];
        var sb = new StringBuilder();
        foreach (char c in baseName.Length > 80 ? baseName[..80] : baseName)
            sb.Append(char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-' ? c : '_');
        string name = sb.ToString().TrimStart('.');
        if (name.Length == 0) name = "data";
        return name.EndsWith(".csv", StringComparison.OrdinalIgnoreCase) ? name : name + ".csv";
    }
}
