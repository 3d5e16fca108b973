namespace Pitts.Neuro.McCullochPitts;

/// <summary>Logic gates built from McCulloch-Pitts units with small integer weights and thresholds.</summary>
public static class Gates
{
    /// <summary>AND of two inputs: weights (1, 1), threshold 2.</summary>
    public static McCullochPittsNeuron And { get; } = new([1, 1], 2);

    /// <summary>OR of two inputs: weights (1, 1), threshold 1.</summary>
    public static McCullochPittsNeuron Or { get; } = new([1, 1], 1);

    /// <summary>NOT of one input: weight -1, threshold 0 (an inhibitory input silences a unit that fires at rest).</summary>
    public static McCullochPittsNeuron Not { get; } = new([-1], 0);

    /// <summary>NAND of two inputs: weights (-1, -1), threshold -1.</summary>
    public static McCullochPittsNeuron Nand { get; } = new([-1, -1], -1);

    /// <summary>NOR of two inputs: weights (-1, -1), threshold 0.</summary>
    public static McCullochPittsNeuron Nor { get; } = new([-1, -1], 0);

    /// <summary>
    /// XOR of two inputs as a two-layer network: hidden units OR and NAND, output unit AND
    /// (no single unit can compute XOR; see <see cref="ThresholdSearch"/>).
    /// </summary>
    public static McCullochPittsNetwork Xor { get; } = new([Or, Nand], [And]);

    /// <summary>AND of <paramref name="inputs"/> inputs: all weights 1, threshold n.</summary>
    public static McCullochPittsNeuron AndOf(int inputs) => new(Ones(inputs, "AndOf"), inputs);

    /// <summary>OR of <paramref name="inputs"/> inputs: all weights 1, threshold 1.</summary>
    public static McCullochPittsNeuron OrOf(int inputs) => new(Ones(inputs, "OrOf"), 1);

    /// <summary>The names <see cref="ByName"/> accepts.</summary>
    public static IReadOnlyList<string> Names { get; } = ["and", "or", "not", "nand", "nor", "xor"];

    /// <summary>Looks up a preset by its name (and, or, not, nand, nor, xor; case-insensitive).</summary>
    public static ILogicCircuit ByName(string name) => name.ToLowerInvariant() switch
    {
        "and" => And,
        "or" => Or,
        "not" => Not,
        "nand" => Nand,
        "nor" => Nor,
        "xor" => Xor,
        _ => throw new NeuroException($"Gates.ByName: unknown gate '{name}' (expected one of {string.Join(", ", Names)})"),
    };

    private static double[] Ones(int n, string op)
    {
        if (n < 1) throw new NeuroException($"Gates.{op}: needs at least 1 input, got {n}");
        var w = new double[n];
        Array.Fill(w, 1.0);
        return w;
    }
}
