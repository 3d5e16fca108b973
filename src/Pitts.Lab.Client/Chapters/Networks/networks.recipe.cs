#:project ../../../Pitts/Pitts.csproj
// Networks: a fully connected network, x → Linear → f → … → Linear → ŷ, built from the library's Linear layers with
// PyTorch's default initialisation drawn from the seed, and its value at every node for one input (the diagram's numbers).
// The lab's page runs this file; on its own, from the repository's root:
//   dotnet run -c Release src/Pitts.Lab.Client/Chapters/Networks/networks.recipe.cs
using Pitts;
using Pitts.NN;

#if !PITTS_LAB // the lab compiles the class below into itself and rebuilds the network whenever a control changes
var settings = new NetworksSettings(Inputs: 2, Hidden: [3], Outputs: 1, Activation: "relu", Seed: 1, X: [1, -0.5]);
var network = new NetworksRecipe(settings);
Console.WriteLine(network.Model.Summary(1, settings.Inputs));
var values = network.Evaluate(settings.X);
for (int l = 0; l < values.Count; l++)
    Console.WriteLine($"{(l == 0 ? "input x" : l == values.Count - 1 ? "output ŷ" : $"hidden layer {l}")}: ({string.Join(", ", values[l].Select(v => v.ToString("0.0000")))})");
Console.WriteLine($"{network.Model.ParameterCount()} parameters");
#endif

/// <summary>
/// What the page's controls change: the number of inputs, the hidden layers' widths (none: the linear predictor
/// ŷ = Wx + b), the outputs, the activation f after each hidden layer, the seed of the initial weights, and the input x.
/// </summary>
public sealed record NetworksSettings(int Inputs, IReadOnlyList<int> Hidden, int Outputs, string Activation, ulong Seed, IReadOnlyList<double> X);

/// <summary>The network of <see cref="NetworksSettings"/>, evaluated layer by layer.</summary>
public sealed class NetworksRecipe
{
    /// <summary>The activation module named <paramref name="key"/>: relu, sigmoid, tanh, gelu, leakyrelu (slope 0.1), elu, softplus or identity.</summary>
    public static Module Activation(string key) => key switch
    {
        "relu" => new Relu(),
        "sigmoid" => new Sigmoid(),
        "tanh" => new Tanh(),
        "gelu" => new Gelu(),
        "leakyrelu" => new LeakyRelu(0.1f),
        "elu" => new Elu(),
        "softplus" => new Softplus(),
        _ => new Identity(),
    };

    /// <summary>The Linear layers, in order.</summary>
    public IReadOnlyList<Linear> Layers { get; }

    /// <summary>The network: Linear, f, Linear, f, …, Linear (the output layer is linear, as the lecture's fc3).</summary>
    public Sequential Model { get; }

    /// <summary>Sizes of every column: inputs, hidden layers, outputs.</summary>
    public IReadOnlyList<int> Sizes { get; }

    /// <summary>Builds the layers with the library's default (PyTorch) initialisation from the settings' seed.</summary>
    public NetworksRecipe(NetworksSettings s)
    {
        var g = new Generator(s.Seed);
        Sizes = [s.Inputs, .. s.Hidden, s.Outputs];
        var layers = new List<Linear>();
        var modules = new List<Module>();
        for (int i = 0; i + 1 < Sizes.Count; i++)
        {
            var linear = new Linear(Sizes[i], Sizes[i + 1], generator: g);   // W (out, in), b (out)
            layers.Add(linear);
            modules.Add(linear);
            if (i + 2 < Sizes.Count) modules.Add(Activation(s.Activation));
        }
        Layers = layers;
        Model = new Sequential([.. modules]);
    }

    /// <summary>The value at every node for input <paramref name="x"/>: column 0 = x, then each hidden layer after f, last = ŷ.</summary>
    public List<double[]> Evaluate(IReadOnlyList<double> x)
    {
        using var _ = Autograd.NoGrad();
        var columns = new List<double[]> { x.ToArray() };
        var h = Tensor.FromArray([.. x.Select(v => (float)v)], 1, x.Count);   // (1, inputs)
        for (int i = 0; i < Model.Count; i++)
        {
            h = Model[i].Forward(h);                                           // (1, width)
            // After each activation, and after the last Linear (which has none).
            if (Model[i] is not Linear || i == Model.Count - 1) columns.Add([.. h.ToArray().Select(v => (double)v)]);
        }
        return columns;
    }

    /// <summary>The weight from node j of column l to node i of column l + 1.</summary>
    public double Weight(int l, int i, int j) => Layers[l].Weight[i, j];

    /// <summary>The bias of node i of column l + 1.</summary>
    public double Bias(int l, int i) => Layers[l].Bias![i];
}
