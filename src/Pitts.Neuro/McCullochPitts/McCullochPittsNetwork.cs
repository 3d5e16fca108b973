namespace Pitts.Neuro.McCullochPitts;

/// <summary>
/// A feed-forward network of McCulloch-Pitts units in layers: every unit of a layer reads all outputs of the
/// layer before it (the first layer reads the network's inputs); the last layer's outputs are the network's.
/// </summary>
public sealed class McCullochPittsNetwork : ILogicCircuit
{
    private readonly McCullochPittsNeuron[][] _layers;

    /// <summary>Creates a network from its layers, first to last; each unit's weight count must match the layer before.</summary>
    public McCullochPittsNetwork(params IReadOnlyList<McCullochPittsNeuron>[] layers)
    {
        ArgumentNullException.ThrowIfNull(layers);
        if (layers.Length == 0)
            throw new NeuroException("McCullochPittsNetwork: needs at least one layer, got none");
        _layers = new McCullochPittsNeuron[layers.Length][];
        for (int l = 0; l < layers.Length; l++)
        {
            if (layers[l] is null || layers[l].Count == 0)
                throw new NeuroException($"McCullochPittsNetwork: layer {l} has no units");
            _layers[l] = layers[l].ToArray();
            int expected = l == 0 ? _layers[0][0].InputCount : _layers[l - 1].Length;
            for (int u = 0; u < _layers[l].Length; u++)
                if (_layers[l][u].InputCount != expected)
                    throw new NeuroException(
                        $"McCullochPittsNetwork: unit {u} of layer {l} has {_layers[l][u].InputCount} weights, " +
                        $"but its layer reads {expected} signals");
        }
    }

    /// <summary>The layers, first to last.</summary>
    public IReadOnlyList<IReadOnlyList<McCullochPittsNeuron>> Layers => _layers;

    /// <inheritdoc/>
    public int InputCount => _layers[0][0].InputCount;

    /// <inheritdoc/>
    public int OutputCount => _layers[^1].Length;

    /// <summary>Evaluates the network and returns its outputs (each 0 or 1).</summary>
    public int[] Fire(params ReadOnlySpan<int> inputs)
    {
        var outputs = new int[OutputCount];
        Evaluate(inputs, outputs);
        return outputs;
    }

    /// <inheritdoc/>
    public void Evaluate(ReadOnlySpan<int> inputs, Span<int> outputs)
    {
        McCullochPittsNeuron.CheckInputs(inputs, InputCount, "McCullochPittsNetwork.Evaluate");
        if (outputs.Length != OutputCount)
            throw new NeuroException($"McCullochPittsNetwork.Evaluate: needs {OutputCount} output slots, got {outputs.Length}");
        int[] current = inputs.ToArray();
        foreach (var layer in _layers)
        {
            var next = new int[layer.Length];
            for (int u = 0; u < layer.Length; u++)
                next[u] = layer[u].Fire(current);
            current = next;
        }
        current.CopyTo(outputs);
    }
}
