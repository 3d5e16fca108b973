namespace Pitts.Neuro.McCullochPitts;

/// <summary>
/// The McCulloch-Pitts (1943) binary threshold unit: y = 1 if Σ wᵢxᵢ ≥ θ, else 0, for binary inputs xᵢ ∈ {0, 1}.
/// </summary>
/// <remarks>
/// Weights may be negative (inhibitory) and fractional. The comparison is exact in IEEE arithmetic for the
/// integer weights of the classic gates; the sum is taken in input order.
/// </remarks>
public sealed class McCullochPittsNeuron : ILogicCircuit
{
    private readonly double[] _weights;

    /// <summary>Creates a unit with one weight per input and the threshold θ.</summary>
    public McCullochPittsNeuron(IReadOnlyList<double> weights, double threshold)
    {
        ArgumentNullException.ThrowIfNull(weights);
        if (weights.Count == 0)
            throw new NeuroException("McCullochPittsNeuron: needs at least one weight, got none");
        _weights = new double[weights.Count];
        for (int i = 0; i < _weights.Length; i++)
        {
            if (!double.IsFinite(weights[i]))
                throw new NeuroException($"McCullochPittsNeuron: weight {i} is {weights[i]}, must be finite");
            _weights[i] = weights[i];
        }
        if (!double.IsFinite(threshold))
            throw new NeuroException($"McCullochPittsNeuron: threshold is {threshold}, must be finite");
        Threshold = threshold;
    }

    /// <summary>The weights wᵢ, one per input (positive excitatory, negative inhibitory).</summary>
    public IReadOnlyList<double> Weights => _weights;

    /// <summary>The threshold θ: the unit fires when the weighted sum reaches it.</summary>
    public double Threshold { get; }

    /// <inheritdoc/>
    public int InputCount => _weights.Length;

    /// <inheritdoc/>
    public int OutputCount => 1;

    /// <summary>The weighted sum Σ wᵢxᵢ for binary inputs (each 0 or 1).</summary>
    public double Sum(params ReadOnlySpan<int> inputs)
    {
        CheckInputs(inputs, InputCount, "McCullochPittsNeuron.Sum");
        double s = 0;
        for (int i = 0; i < _weights.Length; i++)
            if (inputs[i] == 1) s += _weights[i];
        return s;
    }

    /// <summary>Returns 1 when Σ wᵢxᵢ ≥ θ for the binary inputs (each 0 or 1), else 0.</summary>
    public int Fire(params ReadOnlySpan<int> inputs) => Sum(inputs) >= Threshold ? 1 : 0;

    /// <inheritdoc/>
    public void Evaluate(ReadOnlySpan<int> inputs, Span<int> outputs)
    {
        if (outputs.Length != 1)
            throw new NeuroException($"McCullochPittsNeuron.Evaluate: needs 1 output slot, got {outputs.Length}");
        outputs[0] = Fire(inputs);
    }

    /// <summary>Formats the unit as "w=[1, 1] θ=2".</summary>
    public override string ToString() =>
        $"w=[{string.Join(", ", _weights.Select(w => w.ToString("R", System.Globalization.CultureInfo.InvariantCulture)))}] θ={Threshold.ToString("R", System.Globalization.CultureInfo.InvariantCulture)}";

    internal static void CheckInputs(ReadOnlySpan<int> inputs, int expected, string op)
    {
        if (inputs.Length != expected)
            throw new NeuroException($"{op}: expects {expected} inputs, got {inputs.Length}");
        for (int i = 0; i < inputs.Length; i++)
            if (inputs[i] is not (0 or 1))
                throw new NeuroException($"{op}: input {i} is {inputs[i]}, must be 0 or 1");
    }
}
