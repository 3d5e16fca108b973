namespace Pitts.Neuro.McCullochPitts;

/// <summary>Anything that maps binary inputs (0 or 1) to binary outputs: a single unit or a network of units.</summary>
public interface ILogicCircuit
{
    /// <summary>Number of binary inputs the circuit reads.</summary>
    int InputCount { get; }

    /// <summary>Number of binary outputs the circuit writes.</summary>
    int OutputCount { get; }

    /// <summary>Evaluates the circuit on <paramref name="inputs"/> (each 0 or 1) and writes its outputs (each 0 or 1).</summary>
    void Evaluate(ReadOnlySpan<int> inputs, Span<int> outputs);
}
