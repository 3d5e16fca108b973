using Pitts.NN;

namespace Pitts.Lab.Widgets;

/// <summary>A small fully connected network built from the library's Linear layers, evaluated layer by layer.</summary>
public sealed class NetworkView
{
    /// <summary>Most inputs.</summary>
    public const int MaxInputs = 4;

    /// <summary>Most hidden layers.</summary>
    public const int MaxLayers = 4;

    /// <summary>Most units in a layer.</summary>
    public const int MaxUnits = 8;

    /// <summary>Most outputs.</summary>
    public const int MaxOutputs = 3;

    /// <summary>The Linear layers, in order.</summary>
    public IReadOnlyList<Linear> Layers { get; }

    /// <summary>The network as a Sequential (Linear, activation, ..., Linear).</summary>
    public Sequential Model { get; }

    /// <summary>Sizes of every column: inputs, hidden layers, outputs.</summary>
    public IReadOnlyList<int> Sizes { get; }

    /// <summary>Activation key.</summary>
    public string Activation { get; }

    /// <summary>Builds the network with the library's default (PyTorch) initialisation from <paramref name="seed"/>.</summary>
    public NetworkView(int inputs, IReadOnlyList<int> hidden, int outputs, string activation, ulong seed)
    {
        var g = new Generator(seed);
        Sizes = [inputs, .. hidden, outputs];
        Activation = activation;
        var layers = new List<Linear>();
        var modules = new List<Module>();
        for (int i = 0; i + 1 < Sizes.Count; i++)
        {
            var lin = new Linear(Sizes[i], Sizes[i + 1], generator: g);
            layers.Add(lin);
            modules.Add(lin);
            if (i + 2 < Sizes.Count) modules.Add(LabActivations.Create(activation));
        }
        Layers = layers;
        Model = new Sequential(modules.ToArray());
    }

    /// <summary>The value at every node for input <paramref name="x"/>: column 0 = x, then each layer's activations, last = ŷ.</summary>
    public List<double[]> Evaluate(double[] x)
    {
        using var _ = Autograd.NoGrad();
        var cols = new List<double[]> { x };
        var h = Tensor.FromArray(x.Select(v => (float)v).ToArray(), 1, x.Length); // (1, n)
        for (int i = 0; i < Model.Count; i++)
        {
            h = Model[i].Forward(h);
            // Record after each activation (and after the last Linear, which has none).
            if (Model[i] is not Linear || i == Model.Count - 1) cols.Add(h.ToArray().Select(v => (double)v).ToArray());
        }
        return cols;
    }

    /// <summary>The weight from node j of column l to node i of column l + 1.</summary>
    public double Weight(int l, int i, int j) => Layers[l].Weight[i, j];

    /// <summary>The bias of node i of column l + 1.</summary>
    public double Bias(int l, int i) => Layers[l].Bias![i];
}
