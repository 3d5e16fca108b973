using Google.Protobuf;
using Pitts.NN;
using Pitts.Onnx.Proto;

namespace Pitts.Onnx.Tests;

/// <summary>Malformed and hostile ONNX files get a typed error naming the problem, and never a large allocation.</summary>
public class HostileFileTests
{
    private static ModelProto Model(params NodeProto[] nodes)
    {
        var g = new GraphProto { Name = "g" };
        g.Input.Add(OnnxGraphBuilder.BatchedFloat("x", [1, 2]));
        g.Output.Add(OnnxGraphBuilder.BatchedFloat("y", [1, 2]));
        g.Node.AddRange(nodes);
        var m = new ModelProto { IrVersion = 8, Graph = g };
        m.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = 17 });
        return m;
    }

    private static NodeProto Node(string op, string[] inputs, string[] outputs, string name = "n") =>
        new() { OpType = op, Name = name, Input = { inputs }, Output = { outputs } };

    private static T Fails<T>(ModelProto m, string expected) where T : Exception => Fails<T>(m.ToByteArray(), expected);

    private static T Fails<T>(byte[] bytes, string expected) where T : Exception
    {
        var e = Assert.Throws<T>(() => Onnx.Load(bytes, "hostile.onnx").Forward(Tensor.Zeros(1, 2)));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
        Assert.IsAssignableFrom<PittsException>(e);
        return e;
    }

    [Fact]
    public void AValidGraphRuns() // the base the hostile variants below change one thing of
    {
        var y = Onnx.Load(Model(Node("Relu", ["x"], ["y"])).ToByteArray()).Forward(Tensor.FromArray([-1f, 2f], 1, 2));
        Assert.Equal([0f, 2f], y.ToArray());
    }

    [Fact]
    public void ATruncatedFileIsRejected()
    {
        var bytes = Onnx.ExportToBytes(new Sequential(new Linear(20, 30), new Relu()), Tensor.Zeros(1, 20));
        foreach (int keep in new[] { bytes.Length / 2, bytes.Length - 3, 7 })
            Fails<OnnxFormatException>(bytes[..keep], "hostile.onnx");
    }

    [Fact]
    public void GarbageAndEmptyFilesAreRejected()
    {
        Fails<OnnxFormatException>([], "no graph");
        Fails<OnnxFormatException>("not an onnx file at all, just text"u8.ToArray(), "hostile.onnx");
        // A graph field that declares 2 GB of bytes in a 10-byte file.
        Fails<OnnxFormatException>([0x3A, 0xFF, 0xFF, 0xFF, 0xFF, 0x07, 1, 2, 3, 4], "protobuf");
    }

    [Fact]
    public void ATensorClaimingTenToTheTwelveElementsIsRejectedBeforeAllocating()
    {
        var m = Model(Node("Add", ["x", "w"], ["y"]));
        var w = new TensorProto { Name = "w", DataType = (int)TensorProto.Types.DataType.Float, RawData = ByteString.CopyFrom(new byte[8]) };
        w.Dims.AddRange([1_000_000, 1_000_000]);
        m.Graph.Initializer.Add(w);
        var bytes = m.ToByteArray();
        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Fails<OnnxFormatException>(bytes, "'w'");
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Contains("1000000x1000000", e.Message, StringComparison.Ordinal);
        Assert.True(allocated < 1_000_000, $"allocated {allocated} bytes for a {bytes.Length}-byte file");
    }

    [Fact]
    public void ATensorWithLessDataThanItsShapeIsRejected()
    {
        var m = Model(Node("Add", ["x", "w"], ["y"]));
        var w = new TensorProto { Name = "w", DataType = (int)TensorProto.Types.DataType.Float, RawData = ByteString.CopyFrom(new byte[8]) };
        w.Dims.Add(4);
        m.Graph.Initializer.Add(w);
        Fails<OnnxFormatException>(m, "needs 16 bytes");
        w.RawData = ByteString.Empty;
        w.FloatData.Add(1f);
        Fails<OnnxFormatException>(m, "needs 4 values, it holds 1");
    }

    [Fact]
    public void AnUnknownOperatorIsNamed()
    {
        var e = Fails<OnnxUnsupportedException>(Model(Node("FancyNewOp", ["x"], ["y"], "mine")), "'FancyNewOp'");
        Assert.Contains("'mine'", e.Message, StringComparison.Ordinal);
        Fails<OnnxUnsupportedException>(Model(new NodeProto { OpType = "Relu", Domain = "com.example", Name = "n", Input = { "x" }, Output = { "y" } }), "com.example");
    }

    [Fact]
    public void AWrongInputCountIsRejected()
    {
        Fails<OnnxFormatException>(Model(Node("Relu", ["x", "x"], ["y"])), "Relu takes 1 input, got 2");
        Fails<OnnxFormatException>(Model(Node("Gemm", ["x"], ["y"])), "Gemm takes 2 to 3 inputs, got 1");
        Fails<OnnxFormatException>(Model(Node("BatchNormalization", ["x", "x", "x"], ["y"])), "takes 5 inputs, got 3");
    }

    [Fact]
    public void ACycleAndAnUndefinedInputAreRejected()
    {
        Fails<OnnxFormatException>(Model(Node("Add", ["x", "b"], ["a"], "first"), Node("Relu", ["a"], ["b"], "second"), Node("Relu", ["a"], ["y"], "out")), "cycle");
        Fails<OnnxFormatException>(Model(Node("Add", ["x", "nowhere"], ["y"])), "'nowhere'");
        Fails<OnnxFormatException>(Model(Node("Relu", ["x"], ["z"])), "no node computes the output 'y'");
    }

    [Fact]
    public void AHugeConstantOfShapeIsRefusedAtRunTime()
    {
        var m = Model(Node("ConstantOfShape", ["s"], ["big"]), Node("Add", ["x", "big"], ["y"]));
        var s = new TensorProto { Name = "s", DataType = (int)TensorProto.Types.DataType.Int64 };
        s.Dims.Add(2);
        s.Int64Data.AddRange([100_000, 100_000]);
        m.Graph.Initializer.Add(s);
        Fails<OnnxFormatException>(m, "more than this file and input justify");
    }
}
