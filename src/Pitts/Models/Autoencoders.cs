using Pitts.NN;

namespace Pitts.Models;

/// <summary>
/// The lab's two autoencoders on flattened 28×28 digits, both the library's one <see cref="Autoencoder"/>. Their layers
/// are numbered (state-dict keys encoder.0.weight, …), as in the lab's shipped weights; <see cref="ModelSpec"/>'s
/// <c>autoencoder</c> builds the same stack with named layers (encoder.fc1.weight, …).
/// </summary>
public static class ZooAutoencoders
{
    /// <summary>
    /// The denoising autoencoder with a code of <paramref name="latent"/> numbers (2 by default, to draw the latent
    /// plane): 784 → 256 → 64 → latent (encoder, ReLU between) and latent → 64 → 256 → 784 with a sigmoid output (decoder).
    /// </summary>
    public static Autoencoder Denoising(Generator? generator = null, int latent = 2) => new(
        new Sequential(new Linear(784, 256, generator: generator), new Relu(),       // (N, 784) -> (N, 256)
            new Linear(256, 64, generator: generator), new Relu(),                   // -> (N, 64)
            new Linear(64, latent, generator: generator)),                           // -> code (N, latent)
        new Sequential(new Linear(latent, 64, generator: generator), new Relu(),
            new Linear(64, 256, generator: generator), new Relu(),
            new Linear(256, 784, generator: generator), new Sigmoid()));              // -> (N, 784) in (0, 1)

    /// <summary>A linear autoencoder without biases, 784 → k → 784: on centred data it learns PCA's top-k subspace.</summary>
    public static Autoencoder Linear(int k, Generator? generator = null) =>
        new(new NN.Linear(784, k, bias: false, generator: generator), new NN.Linear(k, 784, bias: false, generator: generator));
}
