using System.Globalization;

namespace Pitts.IO;

/// <summary>A numeric table read from a CSV file: its column names and its values as a (rows, columns) tensor.</summary>
/// <param name="Columns">The column names from the header, or "column1", "column2", ... when the file has none.</param>
/// <param name="Values">The values, (rows, columns), float32.</param>
public sealed record CsvTable(IReadOnlyList<string> Columns, Tensor Values)
{
    /// <summary>The index of the column called <paramref name="name"/>.</summary>
    public int ColumnIndex(string name)
    {
        for (int i = 0; i < Columns.Count; i++)
            if (Columns[i] == name) return i;
        throw new PittsException($"CSV: no column named '{name}' (columns: {string.Join(", ", Columns)})");
    }

    /// <summary>The named columns as a (rows, k) tensor, in the order given.</summary>
    public Tensor Select(params string[] names)
    {
        int rows = Values.Shape[0], cols = Values.Shape[1];
        var idx = names.Select(ColumnIndex).ToArray();
        var src = Values.AsSpan();
        var dst = new float[rows * idx.Length];
        for (int r = 0; r < rows; r++)
            for (int k = 0; k < idx.Length; k++) dst[r * idx.Length + k] = src[r * cols + idx[k]];
        return Tensor.FromArray(dst, rows, idx.Length);
    }

    /// <summary>A dataset whose targets are the named columns and whose inputs are all the other columns.</summary>
    public Data.TensorDataset ToDataset(params string[] targetColumns)
    {
        var inputs = Columns.Where(c => !targetColumns.Contains(c)).ToArray();
        return new Data.TensorDataset(Select(inputs), Select(targetColumns));
    }
}

/// <summary>
/// Reads numeric CSV files (comma or another delimiter, optional header, optional double quotes around fields, numbers in
/// invariant culture, nan/inf accepted). A ragged row, an empty field or a value that is not a number raises
/// <see cref="CsvException"/> naming the line and the column.
/// </summary>
public static class Csv
{
    /// <summary>
    /// Reads the CSV file at <paramref name="path"/>. <paramref name="hasHeader"/> null means: the first line is a header when
    /// any of its fields is not a number. Blank lines and lines starting with <paramref name="comment"/> are skipped.
    /// </summary>
    public static CsvTable Load(string path, bool? hasHeader = null, char delimiter = ',', char? comment = '#')
    {
        string[] lines;
        try
        {
            lines = File.ReadAllLines(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CsvException($"CSV: cannot read '{path}': {e.Message}");
        }
        return Parse(lines, path, hasHeader, delimiter, comment);
    }

    /// <summary>Parses CSV text (see <see cref="Load"/>); <paramref name="source"/> names it in error messages.</summary>
    public static CsvTable Parse(string text, bool? hasHeader = null, char delimiter = ',', char? comment = '#', string source = "text") =>
        Parse(text.Split('\n').Select(l => l.TrimEnd('\r')).ToArray(), source, hasHeader, delimiter, comment);

    private static CsvTable Parse(string[] lines, string source, bool? hasHeader, char delimiter, char? comment)
    {
        string[]? columns = null;
        bool named = false;
        var values = new List<float>();
        int width = -1, rows = 0;
        for (int ln = 0; ln < lines.Length; ln++)
        {
            string line = lines[ln];
            if (line.Trim().Length == 0 || (comment is char c && line.TrimStart().StartsWith(c))) continue;
            var fields = Split(line, delimiter, source, ln + 1);
            if (width < 0)
            {
                width = fields.Count;
                bool header = hasHeader ?? fields.Any(f => !TryNumber(f, out _));
                if (header)
                {
                    columns = fields.Select(f => f.Trim()).ToArray();
                    named = true;
                    continue;
                }
                columns = Enumerable.Range(1, width).Select(i => $"column{i}").ToArray();
            }
            if (fields.Count != width)
                throw new CsvException($"CSV: {source}: line {ln + 1} has {fields.Count} fields but {(rows == 0 && named ? "the header has" : "earlier lines have")} {width}");
            for (int k = 0; k < fields.Count; k++)
            {
                if (!TryNumber(fields[k], out float v))
                {
                    string col = named ? $"column {k + 1} ('{columns![k]}')" : $"column {k + 1}";
                    throw new CsvException(fields[k].Trim().Length == 0
                        ? $"CSV: {source}: line {ln + 1}, {col} is empty"
                        : $"CSV: {source}: line {ln + 1}, {col}: '{fields[k].Trim()}' is not a number");
                }
                values.Add(v);
            }
            rows++;
        }
        if (columns is null) throw new CsvException($"CSV: {source}: no data");
        return new CsvTable(columns, Tensor.FromArray(values.ToArray(), rows, columns.Length));
    }

    private static List<string> Split(string line, char delimiter, string source, int lineNumber)
    {
        var fields = new List<string>();
        var sb = new System.Text.StringBuilder();
        bool quoted = false;
        for (int i = 0; i < line.Length; i++)
        {
            char ch = line[i];
            if (quoted)
            {
                if (ch == '"')
                {
                    if (i + 1 < line.Length && line[i + 1] == '"') { sb.Append('"'); i++; }
                    else quoted = false;
                }
                else sb.Append(ch);
            }
            else if (ch == '"') quoted = true;
            else if (ch == delimiter) { fields.Add(sb.ToString()); sb.Clear(); }
            else sb.Append(ch);
        }
        if (quoted) throw new CsvException($"CSV: {source}: line {lineNumber} has an unterminated quoted field");
        fields.Add(sb.ToString());
        return fields;
    }

    private static bool TryNumber(string s, out float value)
    {
        s = s.Trim();
        switch (s.ToLowerInvariant())
        {
            case "nan": value = float.NaN; return true;
            case "inf" or "+inf" or "infinity" or "+infinity": value = float.PositiveInfinity; return true;
            case "-inf" or "-infinity": value = float.NegativeInfinity; return true;
        }
        bool ok = double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out double d);
        value = (float)d;
        return ok;
    }
}
