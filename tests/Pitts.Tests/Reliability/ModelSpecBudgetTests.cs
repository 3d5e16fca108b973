using CsCheck;
using Pitts.Models;

namespace Pitts.Tests.Reliability;

/// <summary>
/// The sizes a model description may declare: ParameterCount (computed from the sizes alone, used to check a
/// checkpoint before its model is built) against the module Build really makes, and the caps on every size.
/// </summary>
public sealed class ModelSpecBudgetTests
{
    private static readonly Gen<ModelSpec> SpecGen =
        Gen.Int[0, ModelSpec.Kinds.Count - 1].Select(i => ModelSpec.Kinds[i]).SelectMany(kind =>
            Gen.Select(Gen.Int[1, 6].Array[0, 3], Gen.Int[1, 5], Gen.Int[1, 9], Gen.Int[1, 4], Gen.Int[1, 3]).Select((hidden, outputs, side, features, extra) => kind switch
            {
                "cnn" => new ModelSpec { Kind = kind, InputShape = [extra, side, side + 1], Hidden = hidden, Outputs = outputs, Kernel = 2 * extra - 1 },
                "rnn" or "lstm" => new ModelSpec { Kind = kind, InputShape = [side, features], Hidden = hidden.Length == 0 ? [] : Enumerable.Repeat(hidden[0], hidden.Length).ToArray(), Outputs = outputs },
                "transformer" => new ModelSpec { Kind = kind, InputShape = [side, features], Hidden = [2 * extra], Heads = extra, Outputs = outputs },
                "autoencoder" => new ModelSpec { Kind = kind, InputShape = [1, side, features], Hidden = hidden, Latent = extra, Task = "reconstruction" },
                "poly" => new ModelSpec { Kind = kind, InputShape = [features], Degree = side, Outputs = outputs },
                _ => new ModelSpec { Kind = kind, InputShape = [features, extra], Hidden = hidden, Outputs = outputs },
            }));

    [Fact]
    public void ParameterCount_equals_what_Build_makes_for_every_kind()
    {
        var kinds = new HashSet<string>();
        SpecGen.Sample(spec =>
        {
            kinds.Add(spec.Kind);
            var model = spec.Build(new Generator(1));
            long built = model.Parameters().Sum(p => (long)p.Numel);
            long saved = model.StateDict().Values.Sum(t => (long)t.Numel);
            Assert.Equal(built, spec.ParameterCount());
            Assert.Equal(saved, spec.ParameterCount()); // what a checkpoint holds is what is compared
        }, iter: 400);
        Assert.Equal(ModelSpec.Kinds.Count, kinds.Count);
    }

    [Theory]
    [InlineData("{\"kind\":\"mlp\",\"input_shape\":[2],\"hidden\":[1000000000]}", "hidden sizes (1000000000) must be at most 16,777,216")]
    [InlineData("{\"kind\":\"mlp\",\"input_shape\":[65536,65536]}", "input shape (65536x65536) holds more than 16,777,216 values per sample")]
    [InlineData("{\"kind\":\"mlp\",\"input_shape\":[4096],\"hidden\":[16777216]}", "parameters, more than the limit of 268,435,456")]
    [InlineData("{\"kind\":\"rnn\",\"input_shape\":[10000000,1]}", "a rnn takes at most 65,536 time steps")]
    [InlineData("{\"kind\":\"transformer\",\"input_shape\":[100000,1],\"hidden\":[2],\"heads\":1}", "a transformer takes at most 4,096 time steps")]
    [InlineData("{\"kind\":\"cnn\",\"input_shape\":[1,2048,2048],\"hidden\":[1048576,1]}", "produces 4,398,046,511,104 values per sample, more than 67,108,864")]
    [InlineData("{\"kind\":\"mlp\",\"input_shape\":[2],\"outputs\":2147483647}", "outputs must be at most 16,777,216")]
    [InlineData("{\"kind\":\"autoencoder\",\"input_shape\":[2],\"latent\":2147483647}", "latent size must be at most 16,777,216")]
    public void Sizes_from_metadata_are_capped_before_anything_is_built(string json, string expected)
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<ModelSpecException>(() => ModelSpec.FromJson(json));
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 1 << 20);
        Assert.Contains(expected, e.Message);
    }
}
