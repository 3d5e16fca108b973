using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Pitts.Cli.Commands;

/// <summary>A mistake in the command line's values: reported as one line, exit code 2.</summary>
public sealed class UsageException(string message) : Exception(message);

/// <summary>What a command's body gets: the parsed values, the output and error writers, and the shared output options.</summary>
public sealed class CommandContext(ParseResult parse)
{
    /// <summary>The parse result of this invocation.</summary>
    public ParseResult Parse { get; } = parse;

    /// <summary>Where results go (standard output, or the test's writer).</summary>
    public TextWriter Out => Parse.InvocationConfiguration.Output;

    /// <summary>Where messages go (standard error, or the test's writer).</summary>
    public TextWriter Error => Parse.InvocationConfiguration.Error;

    /// <summary>The value of <paramref name="option"/> (its default when absent).</summary>
    public T Get<T>(Option<T> option) => Parse.GetValue(option)!;

    /// <summary>True when the user asked for JSON with --json.</summary>
    public bool Json => Parse.GetValue(CommandKit.JsonOption);

    /// <summary>The --out path, or null for standard output.</summary>
    public string? OutPath => Parse.GetValue(CommandKit.OutOption);

    /// <summary>
    /// The existing files this command line names (any argument or option value but <paramref name="except"/>'s):
    /// what an output must not overwrite.
    /// </summary>
    public IEnumerable<string> InputFiles(Option? except = null)
    {
        for (CommandResult? r = Parse.CommandResult; r is not null; r = r.Parent as CommandResult)
            foreach (var child in r.Children)
            {
                if (child is OptionResult o && ReferenceEquals(o.Option, except)) continue;
                foreach (var t in child.Tokens)
                    if (File.Exists(t.Value)) yield return t.Value;
            }
    }

    /// <summary>The read budget for the files this command opens: the defaults, or larger with --max-input-mb.</summary>
    public IO.ReadLimits Limits => CommandKit.LimitsFrom(Parse);
}

/// <summary>
/// Shared plumbing for every command: the exit-code convention (0 ok, 1 failure, 2 bad input, each error one line
/// on standard error), the --json and --out options, and writers for tables as CSV with a header or as JSON.
/// </summary>
public static class CommandKit
{
    /// <summary>Exit code of a run that did its work.</summary>
    public const int ExitOk = 0;

    /// <summary>Exit code of a run that failed (I/O, numerical failure, a bug).</summary>
    public const int ExitFailure = 1;

    /// <summary>Exit code of a run refused for a bad value on the command line.</summary>
    public const int ExitBadInput = 2;

    /// <summary>--json: machine-readable output.</summary>
    public static Option<bool> JsonOption { get; } = new("--json") { Description = "Print JSON instead of CSV/text" };

    /// <summary>--max-input-mb N: the most megabytes of data one input file may declare (every command; default 256).</summary>
    public static Option<int?> MaxInputOption { get; } = new("--max-input-mb")
    {
        Description = "The most data one input file may declare, in MiB (default 256: larger headers are refused before anything is allocated)",
        Recursive = true,
    };

    // The budget of the command running on this flow of control (in-process tests run several commands at once).
    private static readonly AsyncLocal<IO.ReadLimits?> CurrentLimits = new();

    /// <summary>The read budget of the command now running (the defaults outside one).</summary>
    public static IO.ReadLimits Limits => CurrentLimits.Value ?? IO.ReadLimits.Default;

    internal static IO.ReadLimits LimitsFrom(ParseResult parse)
    {
        if (parse.GetValue(MaxInputOption) is not { } mb) return IO.ReadLimits.Default;
        Require(mb > 0 && mb <= 1 << 20, $"--max-input-mb must be in 1..{1 << 20}, got {mb}");
        return IO.ReadLimits.Default with { MaxDataBytes = (long)mb << 20 };
    }

    /// <summary>
    /// Refuses <paramref name="output"/> when it is one of the command's input files, compared after resolving the
    /// full path and every symbolic link on the way, so <c>pitts eval CK -o CK</c> cannot replace the checkpoint with a table.
    /// </summary>
    public static void RefuseInputAsOutput(CommandContext ctx, string output, string option, Option? outputOption)
    {
        foreach (var input in ctx.InputFiles(outputOption))
            if (IO.FilePaths.Same(input, output))
                throw new UsageException($"{option}: '{output}' is also an input of this command; refusing to overwrite it (choose another file)");
    }

    /// <summary>--out PATH: write the results to a file instead of standard output.</summary>
    public static Option<string?> OutOption { get; } = new("--out", "-o") { Description = "Write the results to this file instead of standard output" };

    /// <summary>Adds the shared output options (--json, --out) to <paramref name="command"/>.</summary>
    public static Command WithOutputOptions(this Command command)
    {
        command.Options.Add(JsonOption);
        command.Options.Add(OutOption);
        return command;
    }

    /// <summary>Sets <paramref name="command"/>'s action to <paramref name="body"/>, mapping exceptions to exit codes and one-line messages.</summary>
    public static void SetBody(this Command command, Func<CommandContext, int> body)
    {
        command.SetAction(parse =>
        {
            var ctx = new CommandContext(parse);
            string name = CommandPath(parse.CommandResult.Command);
            var outer = CurrentLimits.Value;
            try
            {
                CurrentLimits.Value = ctx.Limits;
                return body(ctx);
            }
            catch (UsageException e)
            {
                ctx.Error.WriteLine($"{name}: {e.Message}");
                return ExitBadInput;
            }
            catch (PittsException e)
            {
                ctx.Error.WriteLine($"{name}: {e.Message}");
                return ExitBadInput;
            }
            catch (ArgumentException e)
            {
                // Pitts.Neuro's NeuroException and argument checks: a bad value, not a crash.
                ctx.Error.WriteLine($"{name}: {e.Message}");
                return ExitBadInput;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                ctx.Error.WriteLine($"{name}: {e.Message}");
                return ExitFailure;
            }
            catch (Exception e)
            {
                ctx.Error.WriteLine($"{name}: failed: {e.GetType().Name}: {e.Message}");
                return ExitFailure;
            }
            finally
            {
                CurrentLimits.Value = outer;
            }
        });
    }

    /// <summary>Throws a <see cref="UsageException"/> with <paramref name="message"/> unless <paramref name="ok"/>.</summary>
    public static void Require(bool ok, string message)
    {
        if (!ok) throw new UsageException(message);
    }

    /// <summary>Formats a number the way every command prints it: invariant culture, shortest round-trip form.</summary>
    public static string Num(double x) => x.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>
    /// Writes a table to --out or standard output: CSV with a header line, or with --json an array of objects (one per
    /// row, keyed by the column names).
    /// </summary>
    public static void WriteTable(CommandContext ctx, IReadOnlyList<string> columns, IEnumerable<double[]> rows)
    {
        WithWriter(ctx, w =>
        {
            if (ctx.Json) WriteJsonRows(w, columns, rows);
            else WriteCsv(w, columns, rows);
        });
    }

    /// <summary>
    /// Runs <paramref name="write"/> on the --out file or on standard output. The file is written atomically (a
    /// temporary beside it, flushed, then renamed into place) and may not be one of the command's inputs.
    /// </summary>
    public static void WithWriter(CommandContext ctx, Action<TextWriter> write)
    {
        if (ctx.OutPath is not { } path)
        {
            write(ctx.Out);
            ctx.Out.Flush();
            return;
        }
        Require(path.Length > 0, "--out needs a file path");
        string full = Path.GetFullPath(path);
        string? dir = Path.GetDirectoryName(full);
        if (dir is not null && !Directory.Exists(dir))
            throw new UsageException($"--out: folder '{dir}' does not exist");
        Require(!Directory.Exists(full), $"--out: '{full}' is a folder, not a file");
        RefuseInputAsOutput(ctx, path, "--out", OutOption);
        IO.AtomicFile.Write(full, s =>
        {
            using var w = new StreamWriter(s, new UTF8Encoding(false), 1 << 16, leaveOpen: true);
            write(w);
        }, msg => new IOException($"--out: {msg}"));
        ctx.Error.WriteLine($"wrote {full}");
    }

    private static void WriteCsv(TextWriter w, IReadOnlyList<string> columns, IEnumerable<double[]> rows)
    {
        w.Write(string.Join(',', columns));
        w.Write('\n');
        var sb = new StringBuilder();
        foreach (var row in rows)
        {
            sb.Clear();
            for (int i = 0; i < row.Length; i++)
            {
                if (i > 0) sb.Append(',');
                sb.Append(Num(row[i]));
            }
            sb.Append('\n');
            w.Write(sb);
        }
    }

    private static void WriteJsonRows(TextWriter w, IReadOnlyList<string> columns, IEnumerable<double[]> rows)
    {
        using var ms = new MemoryStream();
        using (var j = new Utf8JsonWriter(ms, new JsonWriterOptions { Indented = false }))
        {
            j.WriteStartArray();
            foreach (var row in rows)
            {
                j.WriteStartObject();
                for (int i = 0; i < columns.Count; i++) WriteNumber(j, columns[i], row[i]);
                j.WriteEndObject();
                if (ms.Length > 1 << 16)
                {
                    j.Flush();
                    w.Write(Encoding.UTF8.GetString(ms.GetBuffer(), 0, (int)ms.Length));
                    ms.SetLength(0);
                }
            }
            j.WriteEndArray();
        }
        w.Write(Encoding.UTF8.GetString(ms.GetBuffer(), 0, (int)ms.Length));
        w.Write('\n');
    }

    /// <summary>Writes a JSON number, or null for NaN and infinities (which JSON cannot carry).</summary>
    public static void WriteNumber(Utf8JsonWriter j, string name, double value)
    {
        if (double.IsFinite(value)) j.WriteNumber(name, value);
        else j.WriteNull(name);
    }

    /// <summary>Writes one JSON document built by <paramref name="build"/> (indented) to --out or standard output.</summary>
    public static void WriteJson(CommandContext ctx, Action<Utf8JsonWriter> build)
    {
        using var ms = new MemoryStream();
        using (var j = new Utf8JsonWriter(ms, new JsonWriterOptions { Indented = true }))
            build(j);
        var text = Encoding.UTF8.GetString(ms.ToArray());
        WithWriter(ctx, w =>
        {
            w.Write(text);
            w.Write('\n');
        });
    }

    /// <summary>The command's name with its parents', e.g. "pitts data list".</summary>
    internal static string CommandPath(Command command)
    {
        var names = new List<string>();
        // The root command is named "pitts" (Program.CommandName), so the chain of names up to it is the command path.
        for (Symbol? s = command; s is Command c; s = c.Parents.FirstOrDefault())
            names.Insert(0, c.Name);
        return string.Join(' ', names);
    }
}
