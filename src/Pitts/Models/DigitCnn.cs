using Pitts.NN;

namespace Pitts.Models;

/// <summary>
/// The lab's digit CNN, the lecture's stack: Conv(1→8, 5×5) → ReLU → MaxPool 2 → Conv(8→16, 5×5) → ReLU → MaxPool 2
/// → Flatten → Linear(256 → 10), 5,994 parameters. Input (N, 1, 28, 28); output logits (N, 10). Unpadded ("valid")
/// convolutions, unlike <see cref="ModelSpec"/>'s <c>cnn</c>, whose 'same' padding keeps the maps' size; state-dict keys
/// conv1.*, conv2.*, fc.* (the lab's shipped weights).
/// </summary>
public sealed class DigitCnn : Module
{
    /// <summary>Channels of the first convolution.</summary>
    public const int C1 = 8;

    /// <summary>Channels of the second convolution.</summary>
    public const int C2 = 16;

    /// <summary>Creates the network with PyTorch's default initialisation drawn from <paramref name="generator"/>.</summary>
    public DigitCnn(Generator? generator = null)
    {
        Conv1 = RegisterModule("conv1", new Conv2d(1, C1, 5, generator: generator));
        Conv2 = RegisterModule("conv2", new Conv2d(C1, C2, 5, generator: generator));
        Fc = RegisterModule("fc", new Linear(C2 * 4 * 4, 10, generator: generator));
    }

    /// <summary>First convolution (8 filters of 5×5).</summary>
    public Conv2d Conv1 { get; }

    /// <summary>Second convolution (16 filters of 8×5×5).</summary>
    public Conv2d Conv2 { get; }

    /// <summary>The classifier on the flattened 16×4×4 maps.</summary>
    public Linear Fc { get; }

    /// <summary>Every intermediate map: conv1 after ReLU, pool1, conv2 after ReLU, pool2, and the logits.</summary>
    public (Tensor Conv1, Tensor Pool1, Tensor Conv2, Tensor Pool2, Tensor Logits) Features(Tensor x)
    {
        var a1 = Conv1.Forward(x).Relu();        // (N, 8, 24, 24)
        var p1 = a1.MaxPool2d(2);                // (N, 8, 12, 12)
        var a2 = Conv2.Forward(p1).Relu();       // (N, 16, 8, 8)
        var p2 = a2.MaxPool2d(2);                // (N, 16, 4, 4)
        var logits = Fc.Forward(p2.Flatten(1));  // (N, 256) -> (N, 10)
        return (a1, p1, a2, p2, logits);
    }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => Features(input).Logits;
}
