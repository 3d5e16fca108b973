using Pitts.IO;
using Pitts.Models;
using Pitts.NN;

namespace Pitts.Cli.Tests;

/// <summary>The model zoo: specs round-trip through JSON, build the documented architectures, and checkpoints restore the same function.</summary>
public class ZooTests
{
    [Fact]
    public void Spec_round_trips_through_json_with_every_field()
    {
        var spec = new ModelSpec
        {
            Kind = "mlp",
            InputShape = [3],
            Hidden = [5, 4],
            Activation = "tanh",
            Dropout = 0.25f,
            Outputs = 3,
            Task = "classification",
            ClassNames = ["a", "b", "c"],
            InputMean = [1, 2, 3],
            InputStd = [0.5f, 1, 2],
            Dataset = "x.csv",
        };
        var back = ModelSpec.FromJson(spec.ToJson());
        Assert.Equal(spec.ToJson(), back.ToJson());
        Assert.Equal([5, 4], back.Hidden);
        Assert.Equal(["a", "b", "c"], back.ClassNames!);
        Assert.Contains("\"input_shape\":[3]", spec.ToJson());
    }

    [Theory]
    [InlineData("{not json")]
    [InlineData("{\"kind\":\"resnet\"}")]
    [InlineData("{\"kind\":\"mlp\",\"activation\":\"swish\"}")]
    [InlineData("{\"kind\":\"mlp\",\"input_shape\":[0]}")]
    [InlineData("{\"kind\":\"mlp\",\"dropout\":1.5}")]
    [InlineData("{\"kind\":\"cnn\",\"input_shape\":[4]}")]
    public void Bad_specs_raise_a_typed_error(string json)
    {
        var e = Assert.Throws<ModelSpecException>(() => ModelSpec.FromJson(json));
        Assert.StartsWith("ModelSpec", e.Message);
    }

    [Theory]
    // 1-3-1: (1·3 + 3) + (3·1 + 1) = 10, the lecture's universal-approximation net with 3 hidden units.
    [InlineData("mlp", new[] { 1 }, new[] { 3 }, 1, 10)]
    // 784-128-64-10: 100,480 + 8,256 + 650.
    [InlineData("mlp", new[] { 1, 28, 28 }, new[] { 128, 64 }, 10, 109_386)]
    // poly degree 3 on one input: w1..w3 and b.
    [InlineData("poly", new[] { 1 }, new int[0], 1, 4)]
    // cnn 1x28x28, channels 8,16, 3x3: conv1 8·9+8 = 80, conv2 16·8·9+16 = 1,168, fc 16·7·7·10+10 = 7,850.
    [InlineData("cnn", new[] { 1, 28, 28 }, new[] { 8, 16 }, 10, 9_098)]
    // rnn 1 feature, hidden 8: W_ih 8, W_hh 64, two biases 16, head 9.
    [InlineData("rnn", new[] { 20, 1 }, new[] { 8 }, 1, 97)]
    // lstm: 4 gates: 4·8·1 + 4·8·8 + 2·32 biases = 352, head 9.
    [InlineData("lstm", new[] { 20, 1 }, new[] { 8 }, 1, 361)]
    public void Built_models_have_the_analytic_parameter_count(string kind, int[] input, int[] hidden, int outputs, long expected)
    {
        var spec = new ModelSpec { Kind = kind, InputShape = input, Hidden = hidden, Outputs = outputs, Degree = 3 };
        var m = spec.Build(new Generator(1));
        Assert.Equal(expected, m.ParameterCount());
        using var _ = Autograd.NoGrad();
        var y = m.Forward(Tensor.Zeros([2, .. input]));
        Assert.Equal([2, outputs], y.Shape);
    }

    [Fact]
    public void Mlp_layers_have_pytorch_style_names()
    {
        var m = new ModelSpec { Kind = "mlp", InputShape = [1], Hidden = [20, 15], Outputs = 1 }.Build(new Generator(1));
        Assert.Equal(["fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias", "fc3.weight", "fc3.bias"], m.StateDict().Keys);
    }

    [Fact]
    public void Poly_features_are_the_powers_of_the_input()
    {
        var m = new ZooLinear(1, 1, 3);
        var phi = m.Features(Tensor.FromArray([2f, -0.5f], 2, 1)).ToArray();
        Assert.Equal([2f, 4f, 8f, -0.5f, 0.25f, -0.125f], phi);
    }

    [Fact]
    public void Autoencoder_encodes_to_the_latent_size_and_reconstructs_the_input_shape_in_0_1()
    {
        var spec = new ModelSpec { Kind = "autoencoder", InputShape = [1, 28, 28], Hidden = [32], Latent = 2, Task = "reconstruction" };
        var ae = (Autoencoder)spec.Build(new Generator(3));
        using var _ = Autograd.NoGrad();
        var x = Tensor.Rand([4, 1, 28, 28], new Generator(4));
        Assert.Equal([4, 2], ae.Encode(x).Shape);
        var y = ae.Forward(x);
        Assert.Equal([4, 1, 28, 28], y.Shape);
        Assert.All(y.ToArray(), v => Assert.InRange(v, 0f, 1f));
    }

    [Fact]
    public void A_batch_norm_cnn_counts_its_state_and_round_trips_through_a_checkpoint()
    {
        // docs/NN.md's Fashion-MNIST CNN: 416 + 32 + 12,832 + 64 + 15,690 = 29,034 parameters, plus 2·(16 + 32) running
        // statistics and two batch counters in the state dict.
        var spec = new ModelSpec { Kind = "cnn", InputShape = [1, 28, 28], Hidden = [16, 32], Kernel = 5, BatchNorm = true, Outputs = 10, Task = "classification" };
        var model = spec.Build(new Generator(7));
        Assert.Equal(29_034, spec.ParameterCount());
        Assert.Equal(model.ParameterCount(), spec.ParameterCount());
        Assert.Equal(model.StateDict().Values.Sum(t => (long)t.Numel), spec.StateCount());
        Assert.Equal(29_034 + 96 + 2, spec.StateCount());
        Assert.Contains("bn2.running_var", model.StateDict().Keys);
        string path = Path.Combine(Path.GetTempPath(), $"pitts-bn-{Guid.NewGuid():N}.safetensors");
        try
        {
            ZooCheckpoint.Save(path, spec, model);
            var back = ZooCheckpoint.Load(path);
            Assert.True(back.Spec.BatchNorm);
            var x = Tensor.Rand([2, 1, 28, 28], new Generator(8));
            model.Eval();
            using var _ = Autograd.NoGrad();
            Assert.Equal(model.Forward(x).ToArray(), back.Model.Forward(x).ToArray());
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void Normalize_applies_the_stored_statistics_per_feature()
    {
        var spec = new ModelSpec { Kind = "mlp", InputShape = [3, 2], Outputs = 1, InputMean = [1, -1], InputStd = [2, 4] };
        var x = Tensor.FromArray([3f, 3f, 1f, -1f, 5f, 7f], 1, 3, 2);
        Assert.Equal([1f, 1f, 0f, 0f, 2f, 2f], spec.Normalize(x).ToArray());
    }

    [Fact]
    public void Checkpoint_restores_the_same_function_and_keeps_training_state_apart()
    {
        var dir = Directory.CreateTempSubdirectory("pitts-zoo-");
        try
        {
            var spec = new ModelSpec { Kind = "mlp", InputShape = [2], Hidden = [8], Outputs = 3, Task = "classification" };
            var m = spec.Build(new Generator(7));
            var path = Path.Combine(dir.FullName, "m.safetensors");
            ZooCheckpoint.Save(path, spec, m, new Dictionary<string, Tensor> { ["optimizer.lr"] = Tensor.Scalar(0.5f) }, new Dictionary<string, string> { ["note"] = "hi" });
            var ck = ZooCheckpoint.Load(path);
            var x = Tensor.Randn([5, 2], new Generator(8));
            using var _ = Autograd.NoGrad();
            Assert.Equal(m.Forward(x).ToArray(), ck.Model.Forward(x).ToArray());
            Assert.Equal(0.5f, ck.TrainingState["optimizer.lr"].Item());
            Assert.Equal("hi", ck.Metadata["note"]);
            Assert.Equal(spec.ToJson(), ck.Spec.ToJson());
            // The header is plain safetensors: weights under their state-dict names, the spec in __metadata__.
            var header = Safetensors.ReadHeader(path);
            Assert.Contains(header.Entries, e => e.Name == "fc1.weight" && e.Dtype == "F32" && e.ShapeText == "(8x2)");
            Assert.True(ZooCheckpoint.HasSpec(header));
        }
        finally { dir.Delete(true); }
    }

    [Fact]
    public void A_checkpoint_whose_weights_do_not_fit_its_spec_is_refused_by_name()
    {
        var dir = Directory.CreateTempSubdirectory("pitts-zoo-");
        try
        {
            var spec = new ModelSpec { Kind = "mlp", InputShape = [2], Hidden = [8], Outputs = 1 };
            var path = Path.Combine(dir.FullName, "m.safetensors");
            var wrong = new ModelSpec { Kind = "mlp", InputShape = [2], Hidden = [9], Outputs = 1 }.Build(new Generator(1));
            ZooCheckpoint.Save(path, spec, wrong);
            // The sizes disagree before any tensor is compared: refused before the model is built, naming the file.
            var e = Assert.Throws<ModelSpecException>(() => ZooCheckpoint.Load(path));
            Assert.Contains("m.safetensors: the model description (mlp 2-8-1 relu) has 33 parameters but the file's weights hold 37 values", e.Message);

            var plain = Path.Combine(dir.FullName, "plain.safetensors");
            Safetensors.Save(plain, new Dictionary<string, Tensor> { ["w"] = Tensor.Ones(2) });
            Assert.Throws<ModelSpecException>(() => ZooCheckpoint.Load(plain));
        }
        finally { dir.Delete(true); }
    }
}
