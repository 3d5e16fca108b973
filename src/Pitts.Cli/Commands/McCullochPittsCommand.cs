using System.CommandLine;
using System.Globalization;
using Pitts.Neuro.McCullochPitts;

namespace Pitts.Cli.Commands;

/// <summary>pitts mp: the truth table of a McCulloch-Pitts unit or of a gate preset.</summary>
public static class McCullochPittsCommand
{
    /// <summary>Builds the mp command.</summary>
    public static Command Create()
    {
        var weights = new Option<string?>("--weights", "-w") { Description = "Comma-separated weights, one per input, e.g. 1,1" };
        var threshold = new Option<double?>("--threshold", "-t") { Description = "Threshold θ: the unit fires when Σ wᵢxᵢ ≥ θ" };
        var gate = new Option<string?>("--gate", "-g") { Description = $"A preset instead of weights: {string.Join(", ", Gates.Names)}" };
        var cmd = new Command("mp", "McCulloch-Pitts neuron (1943): print the truth table of y = 1 if Σ wᵢxᵢ ≥ θ, else 0");
        cmd.Options.Add(weights);
        cmd.Options.Add(threshold);
        cmd.Options.Add(gate);
        cmd.WithOutputOptions();
        cmd.SetBody(ctx =>
        {
            string? w = ctx.Get(weights), g = ctx.Get(gate);
            double? th = ctx.Get(threshold);
            CommandKit.Require(w is not null || g is not null, "give --weights and --threshold, or --gate");
            CommandKit.Require(w is null || g is null, "give either --weights or --gate, not both");
            ILogicCircuit circuit;
            string? gateName = null;
            if (g is not null)
            {
                CommandKit.Require(th is null, "--threshold goes with --weights, not with --gate");
                gateName = g.ToLowerInvariant();
                CommandKit.Require(Gates.Names.Contains(gateName), $"unknown gate '{g}' (expected one of {string.Join(", ", Gates.Names)})");
                circuit = Gates.ByName(gateName);
            }
            else
            {
                CommandKit.Require(th is not null, "--weights needs --threshold");
                CommandKit.Require(double.IsFinite(th!.Value), $"--threshold must be a finite number, got {th}");
                var ws = ParseWeights(w!);
                circuit = new McCullochPittsNeuron(ws, th.Value);
            }
            var table = TruthTable.Of(circuit);
            if (ctx.Json) WriteJson(ctx, circuit, gateName, table);
            else
            {
                CommandKit.WithWriter(ctx, o =>
                {
                    o.Write($"# {Describe(circuit, gateName)}\n");
                    o.Write(table.ToString().Replace("\r\n", "\n"));
                });
            }
            return CommandKit.ExitOk;
        });
        return cmd;
    }

    private static double[] ParseWeights(string text)
    {
        var parts = text.Split(',', StringSplitOptions.TrimEntries);
        CommandKit.Require(parts.Length <= 16, $"--weights: {parts.Length} inputs; a truth table is printed for at most 16");
        var ws = new double[parts.Length];
        for (int i = 0; i < parts.Length; i++)
        {
            CommandKit.Require(
                double.TryParse(parts[i], NumberStyles.Float, CultureInfo.InvariantCulture, out ws[i]) && double.IsFinite(ws[i]),
                $"--weights: '{parts[i]}' is not a number (expected comma-separated numbers such as 1,1)");
        }
        return ws;
    }

    private static string Describe(ILogicCircuit circuit, string? gate) => circuit switch
    {
        McCullochPittsNeuron u => gate is null ? $"unit {u}" : $"{gate.ToUpperInvariant()} gate: unit {u}",
        McCullochPittsNetwork n => $"{gate?.ToUpperInvariant() ?? "network"}: {n.Layers.Count} layers: " +
            string.Join(" -> ", n.Layers.Select(l => "[" + string.Join("; ", l) + "]")),
        _ => circuit.ToString() ?? "",
    };

    private static void WriteJson(CommandContext ctx, ILogicCircuit circuit, string? gate, TruthTable table)
    {
        CommandKit.WriteJson(ctx, j =>
        {
            j.WriteStartObject();
            if (gate is null) j.WriteNull("gate"); else j.WriteString("gate", gate);
            j.WriteNumber("inputs", circuit.InputCount);
            j.WriteNumber("outputs", circuit.OutputCount);
            j.WriteStartArray("layers");
            IReadOnlyList<IReadOnlyList<McCullochPittsNeuron>> layers = circuit is McCullochPittsNetwork net
                ? net.Layers
                : new[] { new[] { (McCullochPittsNeuron)circuit } };
            foreach (var layer in layers)
            {
                j.WriteStartArray();
                foreach (var u in layer)
                {
                    j.WriteStartObject();
                    j.WriteStartArray("weights");
                    foreach (var w in u.Weights) j.WriteNumberValue(w);
                    j.WriteEndArray();
                    j.WriteNumber("threshold", u.Threshold);
                    j.WriteEndObject();
                }
                j.WriteEndArray();
            }
            j.WriteEndArray();
            j.WriteStartArray("rows");
            for (int r = 0; r < table.RowCount; r++)
            {
                j.WriteStartObject();
                j.WriteStartArray("inputs");
                foreach (var x in table.Inputs(r)) j.WriteNumberValue(x);
                j.WriteEndArray();
                j.WriteStartArray("outputs");
                foreach (var y in table.Outputs(r)) j.WriteNumberValue(y);
                j.WriteEndArray();
                j.WriteEndObject();
            }
            j.WriteEndArray();
            j.WriteEndObject();
        });
    }
}
