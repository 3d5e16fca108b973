namespace Pitts.Lab.Services;

/// <summary>The lab's part 2, the architecture zoo (appended to <see cref="Chapters.All"/>).</summary>
public static class ZooChapters
{
    /// <summary>The lecture part these pages belong to.</summary>
    public const string Part = "Architectures that encode structure";

    /// <summary>The zoo's pages, in order.</summary>
    public static readonly IReadOnlyList<Chapter> All =
    [
        new(12, "zoo", "The neural network zoo", "Each architecture encodes an assumption about its data: the lecture's table, with parameter counts on the same input.", Part),
        new(13, "autoencoder", "Autoencoders", "Denoise MNIST digits through a 2-D bottleneck, click the latent plane to decode it, and compare a linear AE with PCA.", Part),
        new(14, "convolution", "Convolutional networks", "Slide kernels over a digit, pool, train a small CNN live, and draw a digit for it to read.", Part),
        new(15, "depth", "Why depth", "What the first layer's filters respond to, against the second layer's larger, composite features.", Part),
        new(16, "recurrent", "Recurrent networks", "Euler's method as a recurrence with fixed weights, and an RNN and an LSTM that learn a damped oscillator.", Part),
        new(17, "attention", "Attention", "A small transformer learns to reverse or sort digits; see every head's attention for the digits you type.", Part),
    ];
}
