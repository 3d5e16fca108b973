using System.Text;

namespace Pitts.Neuro.McCullochPitts;

/// <summary>
/// The complete truth table of a logic circuit: one row per input combination, in binary counting order
/// (row r has input i equal to bit (n - 1 - i) of r, so the first input is the most significant).
/// </summary>
public sealed class TruthTable : IEquatable<TruthTable>
{
    /// <summary>Largest input count a table is built for (2^20 rows).</summary>
    public const int MaxInputs = 20;

    private readonly int[][] _inputs;
    private readonly int[][] _outputs;

    private TruthTable(int inputCount, int outputCount, int[][] inputs, int[][] outputs)
    {
        InputCount = inputCount;
        OutputCount = outputCount;
        _inputs = inputs;
        _outputs = outputs;
    }

    /// <summary>Number of inputs of each row.</summary>
    public int InputCount { get; }

    /// <summary>Number of outputs of each row.</summary>
    public int OutputCount { get; }

    /// <summary>Number of rows, 2^InputCount.</summary>
    public int RowCount => _inputs.Length;

    /// <summary>The inputs of row <paramref name="row"/>.</summary>
    public IReadOnlyList<int> Inputs(int row) => _inputs[row];

    /// <summary>The outputs of row <paramref name="row"/>.</summary>
    public IReadOnlyList<int> Outputs(int row) => _outputs[row];

    /// <summary>Evaluates <paramref name="circuit"/> on every input combination.</summary>
    public static TruthTable Of(ILogicCircuit circuit)
    {
        ArgumentNullException.ThrowIfNull(circuit);
        int n = circuit.InputCount;
        if (n > MaxInputs)
            throw new NeuroException($"TruthTable.Of: {n} inputs would need 2^{n} rows; at most {MaxInputs} inputs");
        int rows = 1 << n;
        var ins = new int[rows][];
        var outs = new int[rows][];
        for (int r = 0; r < rows; r++)
        {
            ins[r] = RowInputs(r, n);
            outs[r] = new int[circuit.OutputCount];
            circuit.Evaluate(ins[r], outs[r]);
        }
        return new TruthTable(n, circuit.OutputCount, ins, outs);
    }

    /// <summary>Tabulates a single-output Boolean function of <paramref name="inputCount"/> inputs.</summary>
    public static TruthTable Of(int inputCount, Func<int[], int> function)
    {
        ArgumentNullException.ThrowIfNull(function);
        if (inputCount < 1 || inputCount > MaxInputs)
            throw new NeuroException($"TruthTable.Of: input count {inputCount} must be between 1 and {MaxInputs}");
        int rows = 1 << inputCount;
        var ins = new int[rows][];
        var outs = new int[rows][];
        for (int r = 0; r < rows; r++)
        {
            ins[r] = RowInputs(r, inputCount);
            int y = function((int[])ins[r].Clone());
            if (y is not (0 or 1))
                throw new NeuroException($"TruthTable.Of: function returned {y} for row {r}, must be 0 or 1");
            outs[r] = [y];
        }
        return new TruthTable(inputCount, 1, ins, outs);
    }

    /// <summary>Tabulates a single-output function from its output column, one value per row in counting order.</summary>
    public static TruthTable FromOutputs(int inputCount, params ReadOnlySpan<int> outputColumn)
    {
        if (outputColumn.Length != 1 << inputCount)
            throw new NeuroException(
                $"TruthTable.FromOutputs: {inputCount} inputs need {1 << inputCount} outputs, got {outputColumn.Length}");
        var column = outputColumn.ToArray();
        return Of(inputCount, x => column[RowIndex(x)]);
    }

    /// <summary>The single output column (row order), for a table with exactly one output.</summary>
    public int[] OutputColumn()
    {
        if (OutputCount != 1)
            throw new NeuroException($"TruthTable.OutputColumn: table has {OutputCount} outputs, expected 1");
        return _outputs.Select(o => o[0]).ToArray();
    }

    /// <summary>True when both tables have the same inputs and the same outputs on every row.</summary>
    public bool Equals(TruthTable? other) =>
        other is not null && other.InputCount == InputCount && other.OutputCount == OutputCount &&
        _outputs.Zip(other._outputs).All(p => p.First.AsSpan().SequenceEqual(p.Second));

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as TruthTable);

    /// <inheritdoc/>
    public override int GetHashCode()
    {
        var h = new HashCode();
        h.Add(InputCount);
        foreach (var o in _outputs)
            foreach (var v in o) h.Add(v);
        return h.ToHashCode();
    }

    /// <summary>Formats the table as aligned text with a header: x1 x2 | y.</summary>
    public override string ToString()
    {
        var sb = new StringBuilder();
        var inNames = Enumerable.Range(1, InputCount).Select(i => $"x{i}").ToArray();
        var outNames = OutputCount == 1 ? ["y"] : Enumerable.Range(1, OutputCount).Select(i => $"y{i}").ToArray();
        sb.Append(string.Join(' ', inNames)).Append(" | ").AppendLine(string.Join(' ', outNames));
        for (int r = 0; r < RowCount; r++)
        {
            sb.Append(string.Join(' ', _inputs[r].Select((v, i) => v.ToString().PadLeft(inNames[i].Length))));
            sb.Append(" | ");
            sb.AppendLine(string.Join(' ', _outputs[r].Select((v, i) => v.ToString().PadLeft(outNames[i].Length))));
        }
        return sb.ToString();
    }

    private static int[] RowInputs(int row, int n)
    {
        var x = new int[n];
        for (int i = 0; i < n; i++) x[i] = (row >> (n - 1 - i)) & 1;
        return x;
    }

    private static int RowIndex(int[] x)
    {
        int r = 0;
        foreach (var b in x) r = (r << 1) | b;
        return r;
    }
}
