using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;
using System.CommandLine.Parsing;
using Pitts.Cli.Commands;

namespace Pitts.Cli;

/// <summary>The pitts command-line tool.</summary>
public static class Program
{
    /// <summary>Entry point: runs the command line against the console.</summary>
    public static int Main(string[] args) => Run(args, Console.Out, Console.Error);

    /// <summary>
    /// Runs one command line with the given output and error writers (the tests call this directly) and returns the
    /// exit code: 0 success, 1 failure, 2 bad input (one line on the error writer, no stack trace).
    /// </summary>
    public static int Run(string[] args, TextWriter output, TextWriter error)
    {
        var root = BuildRootCommand();
        var parse = root.Parse(args);
        if (parse.Action is ParseErrorAction && parse.Errors.Count > 0)
        {
            error.WriteLine(DescribeParseErrors(parse));
            return CommandKit.ExitBadInput;
        }
        return parse.Invoke(new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false });
    }

    /// <summary>
    /// Every parse error on one line, named after the command it belongs to (<c>pitts train: ...</c>) and pointing to
    /// that command's help. A value of the wrong type says what was expected in words (<c>--lr: 'abc' is not a
    /// number</c>), not System.CommandLine's .NET type name (<c>System.Nullable`1[System.Single]</c>); a missing or
    /// unknown command lists the commands there are.
    /// </summary>
    internal static string DescribeParseErrors(ParseResult parse)
    {
        string path = CommandKit.CommandPath(parse.CommandResult.Command);
        var group = parse.CommandResult.Command;

        var messages = new List<string>();
        foreach (var e in parse.Errors)
        {
            var opt = e.SymbolResult as OptionResult ?? (e.SymbolResult as ArgumentResult)?.Parent as OptionResult;
            if (opt is not null && opt.Tokens.Count > 0
                && Expected(opt.Option.ValueType) is { } expected
                && opt.Tokens.FirstOrDefault(t => !Parses(opt.Option.ValueType, t.Value)) is { } bad)
                messages.Add($"{opt.Option.Name}: '{bad.Value}' is not {expected}");
            else if (e.SymbolResult is CommandResult && group.Subcommands.Count > 0)
            {
                // A group given no command or an unknown word ("Required command was not provided" beside
                // "Unrecognized command or argument"): one message naming the word and the commands there are.
                string unknown = parse.UnmatchedTokens.Count > 0 ? $"unknown command '{parse.UnmatchedTokens[0]}'; " : "";
                messages.Add($"{unknown}expected a command: {string.Join(", ", group.Subcommands.Select(c => c.Name))}");
            }
            else
                messages.Add(e.Message);
        }
        return $"{path}: {string.Join("; ", messages.Distinct())} (see '{path} --help')";
    }

    private static string? Expected(Type t)
    {
        t = Nullable.GetUnderlyingType(t) ?? t;
        if (t == typeof(int) || t == typeof(long)) return "a whole number";
        if (t == typeof(float) || t == typeof(double)) return "a number";
        return null;
    }

    private static bool Parses(Type t, string s)
    {
        t = Nullable.GetUnderlyingType(t) ?? t;
        var ci = System.Globalization.CultureInfo.InvariantCulture;
        var ns = System.Globalization.NumberStyles.Float;
        if (t == typeof(int)) return int.TryParse(s, System.Globalization.NumberStyles.Integer, ci, out _);
        if (t == typeof(long)) return long.TryParse(s, System.Globalization.NumberStyles.Integer, ci, out _);
        if (t == typeof(float)) return float.TryParse(s, ns, ci, out _);
        if (t == typeof(double)) return double.TryParse(s, ns, ci, out _);
        return true;
    }

    /// <summary>The name help and errors show for the tool: the installed command (ToolCommandName), not the file.</summary>
    public const string CommandName = "pitts";

    /// <summary>
    /// The root command with every command group; add a group by adding its <c>Create()</c> here.
    /// </summary>
    /// <remarks>
    /// A plain <see cref="Command"/> named <see cref="CommandName"/> with the help and version options, rather than
    /// System.CommandLine's <see cref="RootCommand"/>: RootCommand takes its name, read-only, from the executable
    /// file (Pitts.Cli, see the .csproj), so every usage line in help would read "Pitts.Cli ..." instead of the
    /// command users type. The only thing RootCommand adds besides is the [suggest] directive of dotnet-suggest.
    /// </remarks>
    public static Command BuildRootCommand()
    {
        var root = new Command(CommandName, "Pitts: deep learning from first principles, and the neuron models that came before it.")
        {
            new HelpOption(),
            new VersionOption(),
            CommandKit.MaxInputOption,
        };
        root.Subcommands.Add(McCullochPittsCommand.Create());
        root.Subcommands.Add(HodgkinHuxleyCommand.Create());
        foreach (var c in new[] { TrainCommand.Create(), EvalCommand.Create(), PredictCommand.Create(), SummaryCommand.Create(), PlotCommand.Create(), ExportCommand.Create(), DataCommand.Create(), LabCommand.Create() }) root.Subcommands.Add(c);
        return root;
    }
}
