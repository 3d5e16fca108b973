using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;
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
            // Every parse error on one line (an unknown word also causes "Required command was not provided").
            error.WriteLine($"pitts: {string.Join("; ", parse.Errors.Select(e => e.Message).Distinct())} (see 'pitts --help')");
            return CommandKit.ExitBadInput;
        }
        return parse.Invoke(new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false });
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
        };
        root.Subcommands.Add(McCullochPittsCommand.Create());
        root.Subcommands.Add(HodgkinHuxleyCommand.Create());
        foreach (var c in new[] { TrainCommand.Create(), EvalCommand.Create(), PredictCommand.Create(), SummaryCommand.Create(), PlotCommand.Create(), DataCommand.Create(), LabCommand.Create() }) root.Subcommands.Add(c);
        return root;
    }
}
