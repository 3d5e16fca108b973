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
/// A table read from a CSV file whose last column is a class label (numbers such as 0 and 1, or names such as "cat" and
/// "dog") and whose other columns are numbers.
/// </summary>
/// <param name="Columns">The feature columns' names from the header, or "column1", "column2", ... when the file has none.</param>
/// <param name="LabelColumn">The label column's name.</param>
/// <param name="Features">The feature values, (rows, features), float32.</param>
/// <param name="Classes">
/// The distinct labels, sorted: by value when every label is a number (written in invariant culture, so "1.0" and "1" are
/// the class "1"), else ordinally. Class k is <c>Classes[k]</c>.
/// </param>
/// <param name="Labels">Each row's class, an index into <paramref name="Classes"/>.</param>
public sealed record CsvLabeledTable(IReadOnlyList<string> Columns, string LabelColumn, Tensor Features, IReadOnlyList<string> Classes, IReadOnlyList<int> Labels);

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
        return ReadFile(path, limits, (lines, budget) => Parse(lines, path, hasHeader, delimiter, comment, budget));
    }

    /// <summary>Parses CSV text (see <see cref="Load"/>); <paramref name="source"/> names it in error messages.</summary>
    public static CsvTable Parse(string text, bool? hasHeader = null, char delimiter = ',', char? comment = '#', string source = "text", ReadLimits? limits = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        var budget = (limits ?? ReadLimits.Default).Checked();
        return Parse(ReadLines(new StringReader(text), source, budget), source, hasHeader, delimiter, comment, budget);
    }

    /// <summary>
    /// Reads the CSV file at <paramref name="path"/> as numeric features and a class label in its last column (see
    /// <see cref="ParseLabeled(string, bool?, char?, char?, string, ReadLimits?)"/>).
    /// </summary>
    public static CsvLabeledTable LoadLabeled(string path, bool? hasHeader = null, char? delimiter = null, char? comment = '#', ReadLimits? limits = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        return ReadFile(path, limits, (lines, budget) => ParseLabeled(lines, path, hasHeader, delimiter, comment, budget));
    }

    /// <summary>
    /// Parses CSV text whose last column is a class label (a number or a name) and whose other columns are numbers.
    /// <paramref name="delimiter"/> null means: ';' when the first data line has one, else a tab when it has one, else ','.
    /// With a delimiter other than ',' a number may use a decimal comma ("1,5"), as spreadsheets write it in many locales.
    /// <paramref name="hasHeader"/> null means: the first line is a header when any of its feature fields is not a number.
    /// A file with fewer than two columns, a ragged row, an empty field or a feature that is not a number raises
    /// <see cref="CsvException"/> naming the line and the column.
    /// </summary>
    public static CsvLabeledTable ParseLabeled(string text, bool? hasHeader = null, char? delimiter = null, char? comment = '#', string source = "text", ReadLimits? limits = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        var budget = (limits ?? ReadLimits.Default).Checked();
        return ParseLabeled(ReadLines(new StringReader(text), source, budget), source, hasHeader, delimiter, comment, budget);
    }

    // Lines without their '\n' or "\r\n"; a line longer than the cap is refused while it is read, not after.
    /// <summary>Opens the file at <paramref name="path"/> (UTF-8, BOM detected) and parses its lines within the budget; I/O errors become a <see cref="CsvException"/>.</summary>
    private static T ReadFile<T>(string path, ReadLimits? limits, Func<IEnumerable<string>, ReadLimits, T> parse)
    {
        var budget = (limits ?? ReadLimits.Default).Checked();
        try
        {
            using var reader = new StreamReader(path, System.Text.Encoding.UTF8, detectEncodingFromByteOrderMarks: true, bufferSize: 1 << 16);
            return parse(ReadLines(reader, path, budget), budget);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            throw new CsvException($"CSV: cannot read '{path}': {e.Message}");
        }
    }

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
        int rows = 0;
        foreach (var (ln, fields) in Records(lines, source, delimiter, comment, limits))
        {
            if (columns is null)
            {
                bool header = hasHeader ?? fields.Any(f => !TryNumber(f, out _));
                columns = header ? [.. fields.Select(f => f.Trim())] : [.. Enumerable.Range(1, fields.Count).Select(i => $"column{i}")];
                named = header;
                if (header) continue;
            }
            CheckRow(source, ln, fields.Count, columns.Length, rows == 0 && named, values.Count, maxValues, limits);
            for (int k = 0; k < fields.Count; k++) values.Add(Number(fields[k], source, ln, k, named ? columns : null, decimalComma: false));
            rows++;
        }
        if (columns is null) throw new CsvException($"CSV: {source}: no data");
        return new CsvTable(columns, Tensor.FromArray(values.ToArray(), rows, columns.Length));
    }

    private static CsvLabeledTable ParseLabeled(IEnumerable<string> lines, string source, bool? hasHeader, char? delimiter, char? comment, ReadLimits limits)
    {
        string[]? columns = null;
        bool named = false;
        var values = new List<float>();
        var labels = new List<string>();
        long maxValues = limits.MaxDataBytes / sizeof(float);
        int rows = 0;
        // Without a delimiter given, the first data line picks it: the lines up to it are held and then read again.
        using var rest = lines.GetEnumerator();
        var head = new List<string>();
        bool IsData(string l) => !(l.Trim().Length == 0 || (comment is char c && l.TrimStart().StartsWith(c)));
        while (rest.MoveNext())
        {
            head.Add(rest.Current);
            if (IsData(rest.Current)) break;
        }
        char sep = delimiter ?? (head.Count > 0 && IsData(head[^1]) ? (head[^1].Contains(';') ? ';' : head[^1].Contains('\t') ? '\t' : ',') : ',');
        IEnumerable<string> All()
        {
            foreach (string l in head) yield return l;
            while (rest.MoveNext()) yield return rest.Current;
        }
        bool decimalComma = sep != ',';
        foreach (var (ln, fields) in Records(All(), source, sep, comment, limits))
        {
            if (columns is null)
            {
                if (fields.Count < 2)
                    throw new CsvException($"CSV: {source}: line {ln} has {fields.Count} field{(fields.Count == 1 ? "" : "s")}; a labelled table needs at least two columns, the features and then the label (delimiter '{Shown(sep)}')");
                bool header = hasHeader ?? fields.Take(fields.Count - 1).Any(f => !TryNumber(decimalComma ? DecimalPoint(f) : f, out _));
                columns = header ? [.. fields.Select(f => f.Trim())] : [.. Enumerable.Range(1, fields.Count).Select(i => $"column{i}")];
                named = header;
                if (header) continue;
            }
            CheckRow(source, ln, fields.Count, columns.Length, rows == 0 && named, values.Count + labels.Count, maxValues, limits);
            for (int k = 0; k < fields.Count - 1; k++) values.Add(Number(fields[k], source, ln, k, named ? columns : null, decimalComma));
            string label = fields[^1].Trim();
            if (label.Length == 0)
                throw new CsvException($"CSV: {source}: line {ln}, column {fields.Count}{(named ? $" ('{columns[^1]}')" : "")} (the label) is empty");
            labels.Add(label);
            rows++;
        }
        if (columns is null) throw new CsvException($"CSV: {source}: no data");
        if (rows == 0) throw new CsvException($"CSV: {source}: a header but no rows");

        // Numeric labels are classes by value ("1.0" is "1"); names are classes as written.
        bool numeric = labels.All(l => TryNumber(decimalComma ? DecimalPoint(l) : l, out float v) && float.IsFinite(v));
        string Key(string l)
        {
            if (!numeric) return l;
            TryNumber(decimalComma ? DecimalPoint(l) : l, out float v);
            return v.ToString(CultureInfo.InvariantCulture);
        }
        var keys = labels.Select(Key).ToList();
        var classes = numeric
            ? keys.Distinct().OrderBy(k => float.Parse(k, CultureInfo.InvariantCulture)).ToList()
            : keys.Distinct().Order(StringComparer.Ordinal).ToList();
        var index = classes.Select((c, i) => (c, i)).ToDictionary(p => p.c, p => p.i, StringComparer.Ordinal);
        return new CsvLabeledTable(columns[..^1], columns[^1], Tensor.FromArray(values.ToArray(), rows, columns.Length - 1), classes,
            keys.Select(k => index[k]).ToArray());
    }

    private static string Shown(char c) => c == '\t' ? "\\t" : c.ToString();

    // The lines that hold data (not blank, not a comment), split into fields, with their 1-based line numbers.
    private static IEnumerable<(int Line, List<string> Fields)> Records(IEnumerable<string> lines, string source, char delimiter, char? comment, ReadLimits limits)
    {
        int ln = 0;
        foreach (string line in lines)
        {
            ln++;
            if (line.Trim().Length == 0 || (comment is char c && line.TrimStart().StartsWith(c))) continue;
            yield return (ln, Split(line, delimiter, source, ln, limits));
        }
    }

    private static void CheckRow(string source, int ln, int fields, int width, bool afterHeader, long valuesSoFar, long maxValues, ReadLimits limits)
    {
        if (fields != width)
            throw new CsvException($"CSV: {source}: line {ln} has {fields} fields but {(afterHeader ? "the header has" : "earlier lines have")} {width}");
        if (valuesSoFar + fields > maxValues)
            throw new CsvException($"CSV: {source}: line {ln} brings the table past {maxValues:N0} values, the limit of {limits.MaxDataBytes:N0} bytes (ReadLimits.MaxDataBytes; the CLI's --max-input-mb raises it)");
    }

    // Field k of line ln as a number, or the error that names the line and the column.
    private static float Number(string field, string source, int ln, int k, IReadOnlyList<string>? columns, bool decimalComma)
    {
        if (TryNumber(decimalComma ? DecimalPoint(field) : field, out float v)) return v;
        string col = columns is not null ? $"column {k + 1} ('{columns[k]}')" : $"column {k + 1}";
        throw new CsvException(field.Trim().Length == 0
            ? $"CSV: {source}: line {ln}, {col} is empty"
            : $"CSV: {source}: line {ln}, {col}: '{Printable(field.Trim())}' is not a number");
    }

    // "1,5" as "1.5" (a decimal comma, as spreadsheets write numbers in many locales when the delimiter is ';').
    private static string DecimalPoint(string field) => field.Contains(',') && !field.Contains('.') ? field.Replace(',', '.') : field;

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
