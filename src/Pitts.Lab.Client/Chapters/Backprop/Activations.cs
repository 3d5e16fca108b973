using Pitts.NN;

namespace Pitts.Lab.Widgets;

/// <summary>The activation functions the lab offers, as the library's modules.</summary>
public static class LabActivations
{
    /// <summary>Keys in display order.</summary>
    public static readonly string[] Keys = ["relu", "sigmoid", "tanh", "gelu", "leakyrelu", "elu", "softplus", "identity"];

    /// <summary>Display name.</summary>
    public static string Name(string key) => key switch
    {
        "relu" => "ReLU",
        "sigmoid" => "sigmoid",
        "tanh" => "tanh",
        "gelu" => "GELU",
        "leakyrelu" => "leaky ReLU (0.1)",
        "elu" => "ELU",
        "softplus" => "softplus",
        _ => "identity (linear)",
    };

    /// <summary>The C# expression that builds the module.</summary>
    public static string Code(string key) => key switch
    {
        "relu" => "new Relu()",
        "sigmoid" => "new Sigmoid()",
        "tanh" => "new Tanh()",
        "gelu" => "new Gelu()",
        "leakyrelu" => "new LeakyRelu(0.1f)",
        "elu" => "new Elu()",
        "softplus" => "new Softplus()",
        _ => "new Identity()",
    };

    /// <summary>A new module for the key (the networks recipe's <see cref="NetworksRecipe.Activation"/>, the one the page's network uses).</summary>
    public static Module Create(string key) => NetworksRecipe.Activation(key);

    /// <summary>Colour for plots.</summary>
    public static string Color(string key) => key switch
    {
        "relu" => "#e4572e",
        "sigmoid" => "#2a6fdb",
        "tanh" => "#17a34a",
        "gelu" => "#9c27b0",
        "leakyrelu" => "#ff9800",
        "elu" => "#795548",
        "softplus" => "#00acc1",
        _ => "#607d8b",
    };

    /// <summary>f(z) and f'(z) over <paramref name="z"/>: the module's forward, and autograd's derivative (backward of Σ f).</summary>
    public static (double[] F, double[] DF) WithDerivative(string key, double[] z)
    {
        var x = Tensor.FromArray(z.Select(v => (float)v).ToArray()).RequireGrad();
        var y = Create(key).Forward(x);
        y.Sum().Backward();
        return (y.ToArray().Select(v => (double)v).ToArray(), x.Grad!.ToArray().Select(v => (double)v).ToArray());
    }
}
