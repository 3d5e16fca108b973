using Pitts.Neuro;
using Pitts.Neuro.McCullochPitts;

namespace Pitts.Neuro.Tests;

public class McCullochPittsTests
{
    // Oracle: the Boolean definitions of the gates, written as C# operators, not as units.
    private static TruthTable Table2(Func<bool, bool, bool> f) => TruthTable.Of(2, x => f(x[0] == 1, x[1] == 1) ? 1 : 0);

    [Fact]
    public void UnitFiresWhenWeightedSumReachesThreshold()
    {
        var u = new McCullochPittsNeuron([0.5, -1.0, 2.0], 1.5);
        Assert.Equal(0, u.Fire(1, 0, 0)); // 0.5 < 1.5
        Assert.Equal(1, u.Fire(0, 0, 1)); // 2 >= 1.5
        Assert.Equal(1, u.Fire(1, 1, 1)); // 1.5 >= 1.5: equality fires
        Assert.Equal(0, u.Fire(0, 1, 1)); // 1 < 1.5
        Assert.Equal(1.5, u.Sum(1, 1, 1));
    }

    [Fact]
    public void GatePresetsMatchBooleanDefinitions()
    {
        Assert.Equal(Table2((a, b) => a && b), TruthTable.Of(Gates.And));
        Assert.Equal(Table2((a, b) => a || b), TruthTable.Of(Gates.Or));
        Assert.Equal(Table2((a, b) => !(a && b)), TruthTable.Of(Gates.Nand));
        Assert.Equal(Table2((a, b) => !(a || b)), TruthTable.Of(Gates.Nor));
        Assert.Equal(TruthTable.Of(1, x => 1 - x[0]), TruthTable.Of(Gates.Not));
        Assert.Equal(Table2((a, b) => a ^ b), TruthTable.Of(Gates.Xor));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(5)]
    public void NInputAndOrMatchDefinitions(int n)
    {
        Assert.Equal(TruthTable.Of(n, x => x.All(v => v == 1) ? 1 : 0), TruthTable.Of(Gates.AndOf(n)));
        Assert.Equal(TruthTable.Of(n, x => x.Any(v => v == 1) ? 1 : 0), TruthTable.Of(Gates.OrOf(n)));
    }

    [Fact]
    public void TruthTableRowsCountInBinaryWithFirstInputMostSignificant()
    {
        var t = TruthTable.Of(Gates.And);
        Assert.Equal(4, t.RowCount);
        Assert.Equal([0, 0], t.Inputs(0));
        Assert.Equal([0, 1], t.Inputs(1));
        Assert.Equal([1, 0], t.Inputs(2));
        Assert.Equal([1, 1], t.Inputs(3));
        Assert.Equal([0, 0, 0, 1], t.OutputColumn());
        Assert.Equal("x1 x2 | y\n 0  0 | 0\n 0  1 | 0\n 1  0 | 0\n 1  1 | 1\n", t.ToString().Replace("\r\n", "\n"));
    }

    [Fact]
    public void NoSingleUnitComputesXorButTheSearchFindsTheOtherGates()
    {
        var xor = TruthTable.FromOutputs(2, 0, 1, 1, 0);
        var result = ThresholdSearch.Search(xor, 5);
        // 11 x 11 weight pairs x 22 thresholds (-10..11): the search really ran over every candidate.
        Assert.Equal(11L * 11 * 22, result.CandidatesTried);
        Assert.Empty(result.Solutions);
        Assert.False(ThresholdSearch.IsComputableBySingleUnit(TruthTable.FromOutputs(2, 1, 0, 0, 1), 5)); // XNOR
        Assert.True(ThresholdSearch.IsComputableBySingleUnit(TruthTable.Of(Gates.Nand), 1));
        // Every solution found for AND really computes AND.
        var and = ThresholdSearch.Search(TruthTable.Of(Gates.And), 2);
        Assert.NotEmpty(and.Solutions);
        Assert.All(and.Solutions, u => Assert.Equal(TruthTable.Of(Gates.And), TruthTable.Of(u)));
    }

    [Fact]
    public void ExactlyFourteenOfTheSixteenTwoInputFunctionsAreLinearlySeparable()
    {
        // Known result: of the 16 Boolean functions of two inputs, all but XOR and XNOR are threshold functions.
        var separable = new List<int>();
        for (int f = 0; f < 16; f++)
        {
            var column = new[] { (f >> 3) & 1, (f >> 2) & 1, (f >> 1) & 1, f & 1 };
            if (ThresholdSearch.IsComputableBySingleUnit(TruthTable.FromOutputs(2, column), 2)) separable.Add(f);
        }
        Assert.Equal(14, separable.Count);
        Assert.DoesNotContain(0b0110, separable); // XOR
        Assert.DoesNotContain(0b1001, separable); // XNOR
    }

    [Fact]
    public void NetworkChecksLayerWidthsAndInputs()
    {
        var e = Assert.Throws<NeuroException>(() => new McCullochPittsNetwork([Gates.And, Gates.Or], [Gates.AndOf(3)]));
        Assert.Contains("layer 1", e.Message);
        Assert.Throws<NeuroException>(() => Gates.And.Fire(1));
        Assert.Throws<NeuroException>(() => Gates.And.Fire(1, 2));
        Assert.Throws<NeuroException>(() => Gates.ByName("xand"));
        Assert.Same(Gates.Nor, Gates.ByName("NOR"));
    }

    [Fact]
    public void MultiOutputNetworkHalfAdder()
    {
        // Half adder: sum = XOR (two layers), carry = AND passed through an identity unit in layer 2.
        var identity = new McCullochPittsNeuron([0, 0, 1], 1);
        var xorOut = new McCullochPittsNeuron([1, 1, 0], 2);
        var net = new McCullochPittsNetwork([Gates.Or, Gates.Nand, Gates.And], [xorOut, identity]);
        var t = TruthTable.Of(net);
        for (int r = 0; r < 4; r++)
        {
            int a = t.Inputs(r)[0], b = t.Inputs(r)[1];
            Assert.Equal(a + b, t.Outputs(r)[0] + 2 * t.Outputs(r)[1]);
        }
    }
}
