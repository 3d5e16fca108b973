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
/// <see cref="CsvException"/> naming the line and the column; so do a line, a field or a table larger than the
/// <see cref="ReadLimits"/> allow, before it is held in memory.
/// </summary>
public static class Csv
{
    /// <summary>
    /// Reads the CSV file at <paramref name="path"/>. <paramref name="hasHeader"/> null means: the first line is a header when
    /// any of its fields is not a number. Blank lines and lines starting with <paramref name="comment"/> are skipped.
    /// </summary>
    public static CsvTable Load(string path, bool? hasHeader = null, char delimiter = ',', char? comment = '#', ReadLimits? limits = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        var budget = (limits ?? ReadLimits.Default).Checked();
        try
        {
            using var reader = new StreamReader(path, System.Text.Encoding.UTF8, detectEncodingFromByteOrderMarks: true, bufferSize: 1 << 16);
            return Parse(ReadLines(reader, path, budget), path, hasHeader, delimiter, comment, budget);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            throw new CsvException($"CSV: cannot read '{path}': {e.Message}");
        }
    }

    /// <summary>Parses CSV text (see <see cref="Load"/>); <paramref name="source"/> names it in error messages.</summary>
    public static CsvTable Parse(string text, bool? hasHeader = null, char delimiter = ',', char? comment = '#', string source = "text", ReadLimits? limits = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        var budget = (limits ?? ReadLimits.Default).Checked();
        return Parse(ReadLines(new StringReader(text), source, budget), source, hasHeader, delimiter, comment, budget);
    }

    // Lines without their '\n' or "\r\n"; a line longer than the cap is refused while it is read, not after.
    private static IEnumerable<string> ReadLines(TextReader reader, string source, ReadLimits limits)
    {
        var sb = new System.Text.StringBuilder();
        var buffer = new char[1 << 14];
        int lineNumber = 1, n;
        while ((n = reader.Read(buffer, 0, buffer.Length)) > 0)
        {
            int from = 0;
            for (int i = 0; i < n; i++)
            {
                if (buffer[i] != '\n') continue;
                sb.Append(buffer, from, i - from);
                CheckLine(sb, source, lineNumber, limits);
                yield return TrimCr(sb);
                sb.Clear();
                lineNumber++;
                from = i + 1;
            }
            sb.Append(buffer, from, n - from);
            CheckLine(sb, source, lineNumber, limits);
        }
        if (sb.Length > 0) yield return TrimCr(sb);
    }

    private static void CheckLine(System.Text.StringBuilder sb, string source, int lineNumber, ReadLimits limits)
    {
        if (sb.Length > limits.MaxCsvLineLength)
            throw new CsvException($"CSV: {source}: line {lineNumber} is longer than the limit of {limits.MaxCsvLineLength:N0} characters (ReadLimits.MaxCsvLineLength)");
    }

    private static string TrimCr(System.Text.StringBuilder sb) =>
        sb.Length > 0 && sb[^1] == '\r' ? sb.ToString(0, sb.Length - 1) : sb.ToString();

    private static CsvTable Parse(IEnumerable<string> lines, string source, bool? hasHeader, char delimiter, char? comment, ReadLimits limits)
    {
        string[]? columns = null;
        bool named = false;
        var values = new List<float>();
        long maxValues = limits.MaxDataBytes / sizeof(float);
        int width = -1, rows = 0, ln = 0;
        foreach (string line in lines)
        {
            ln++;
            if (line.Trim().Length == 0 || (comment is char c && line.TrimStart().StartsWith(c))) continue;
            var fields = Split(line, delimiter, source, ln, limits);
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
                throw new CsvException($"CSV: {source}: line {ln} has {fields.Count} fields but {(rows == 0 && named ? "the header has" : "earlier lines have")} {width}");
            if (values.Count + (long)fields.Count > maxValues)
                throw new CsvException($"CSV: {source}: line {ln} brings the table past {maxValues:N0} values, the limit of {limits.MaxDataBytes:N0} bytes (ReadLimits.MaxDataBytes; the CLI's --max-input-mb raises it)");
            for (int k = 0; k < fields.Count; k++)
            {
                if (!TryNumber(fields[k], out float v))
                {
                    string col = named ? $"column {k + 1} ('{columns![k]}')" : $"column {k + 1}";
                    throw new CsvException(fields[k].Trim().Length == 0
                        ? $"CSV: {source}: line {ln}, {col} is empty"
                        : $"CSV: {source}: line {ln}, {col}: '{Printable(fields[k].Trim())}' is not a number");
                }
                values.Add(v);
            }
            rows++;
        }
        if (columns is null) throw new CsvException($"CSV: {source}: no data");
        return new CsvTable(columns, Tensor.FromArray(values.ToArray(), rows, columns.Length));
    }

    private static List<string> Split(string line, char delimiter, string source, int lineNumber, ReadLimits limits)
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
            if (sb.Length > limits.MaxCsvFieldLength)
                throw new CsvException($"CSV: {source}: line {lineNumber}, column {fields.Count + 1} is longer than the limit of {limits.MaxCsvFieldLength:N0} characters (ReadLimits.MaxCsvFieldLength)");
        }
        if (quoted) throw new CsvException($"CSV: {source}: line {lineNumber} has an unterminated quoted field");
        fields.Add(sb.ToString());
        return fields;
    }

    // A field shown in an error: control characters (a NUL, say) as \uXXXX, and at most 40 characters.
    private static string Printable(string s)
    {
        var sb = new System.Text.StringBuilder();
        foreach (char ch in s.Length > 40 ? s[..40] : s)
            sb.Append(char.IsControl(ch) ? $"\\u{(int)ch:X4}" : ch);
        return s.Length > 40 ? sb.Append('…').ToString() : sb.ToString();
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
        // double.TryParse alone would accept trailing NUL characters ("1\0\0"); a number is made of these only.
        foreach (char ch in s)
        {
            if (!(char.IsAsciiDigit(ch) || ch is '+' or '-' or '.' or 'e' or 'E'))
            {
                value = 0;
                return false;
            }
        }
        bool ok = double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out double d);
        value = (float)d;
        return ok;
    }
}
