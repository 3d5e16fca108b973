namespace Pitts.NN;

/// <summary>
/// An autoencoder x̂ = g(f(x)) built from an encoder f and a decoder g (the lecture's L = ‖x - x̂‖²):
/// <see cref="Encode"/> gives the latent code z, <see cref="Decode"/> the reconstruction. The zoo's
/// <c>autoencoder</c> (<see cref="Models.ModelSpec"/>) and the lab's denoising and linear autoencoders are all this class.
/// </summary>
public sealed class Autoencoder : Module
{
    private readonly int[]? _outputShape;

    /// <summary>The encoder f.</summary>
    public Module Encoder { get; }

    /// <summary>The decoder g.</summary>
    public Module Decoder { get; }

    /// <summary>
    /// Creates the model; state-dict keys start with "encoder." and "decoder."; with <paramref name="outputShape"/>
    /// the decoder's flat output is reshaped to (B, ...outputShape), e.g. (B, 1, 28, 28) for images.
    /// </summary>
    public Autoencoder(Module encoder, Module decoder, int[]? outputShape = null)
    {
        Encoder = RegisterModule("encoder", encoder);
        Decoder = RegisterModule("decoder", decoder);
        _outputShape = outputShape is null ? null : [.. outputShape];
    }

    /// <summary>The shape of one reconstruction without the batch dimension, or null when the decoder's output is returned as it is.</summary>
    public IReadOnlyList<int>? OutputShape => _outputShape;

    /// <summary>The latent code z = f(x).</summary>
    public Tensor Encode(Tensor x) => Encoder.Forward(x);

    /// <summary>The reconstruction x̂ = g(z), reshaped to (B, ...<see cref="OutputShape"/>) when there is one.</summary>
    public Tensor Decode(Tensor z)
    {
        var y = Decoder.Forward(z);
        return _outputShape is null ? y : y.Reshape([z.Size(0), .. _outputShape]);
    }

    /// <summary>The reconstruction g(f(x)).</summary>
    public override Tensor Forward(Tensor input) => Decode(Encode(input));
}
