using Pitts.Data;
using Pitts.IO;
using Pitts.Models;
using Pitts.NN;
using Pitts.Optim;

namespace Pitts.Tests.Reliability;

/// <summary>
/// Issue 15, finding 5: misuse of the public API raises a typed <see cref="PittsException"/> with a message, never a
/// NullReferenceException, IndexOutOfRangeException, InvalidCastException, OverflowException or a bare
/// ArgumentException. The one exception allowed is ArgumentNullException for a null argument, .NET's own contract.
/// </summary>
public sealed class MisuseTests
{
    private static readonly Tensor M23 = Tensor.FromArray([1f, 2f, 3f, 4f, 5f, 6f], 2, 3);

    public static TheoryData<string> Cases() => new(Probes.Keys);

    private static readonly Dictionary<string, Action> Probes = new()
    {
        // tensors and shapes
        ["FromArray size mismatch"] = () => Tensor.FromArray(new float[3], 2, 2),
        ["FromArray negative dim"] = () => Tensor.FromArray(new float[4], -2, -2),
        ["FromArray ragged rows"] = () => Tensor.FromArray([new float[2], new float[3]]),
        ["Zeros negative"] = () => Tensor.Zeros(-1),
        ["Zeros overflow"] = () => Tensor.Zeros(int.MaxValue, int.MaxValue),
        ["Full overflow"] = () => Tensor.Full([65536, 65536], 1f),
        ["Arange zero step"] = () => Tensor.Arange(0, 1, 0),
        ["Arange huge"] = () => Tensor.Arange(0, 1e12f),
        ["Linspace negative"] = () => Tensor.Linspace(0, 1, -1),
        ["Eye negative"] = () => Tensor.Eye(-2),
        ["Randint empty range"] = () => Tensor.Randint(3, 3, [2]),
        ["Reshape wrong size"] = () => M23.Reshape(4),
        ["Reshape two -1"] = () => M23.Reshape(-1, -1),
        ["Reshape zero with -1"] = () => M23.Reshape(0, -1),
        ["Reshape -2"] = () => M23.Reshape(-2, 3),
        ["Flatten bad dim"] = () => M23.Flatten(5),
        ["Squeeze bad dim"] = () => M23.Squeeze(4),
        ["Unsqueeze bad dim"] = () => M23.Unsqueeze(9),
        ["Permute repeated"] = () => M23.Permute(0, 0),
        ["Permute short"] = () => M23.Permute(0),
        ["Transpose bad dim"] = () => M23.Transpose(0, 5),
        ["Expand incompatible"] = () => M23.Expand(5, 5),
        ["Narrow past end"] = () => M23.Narrow(1, 2, 5),
        ["Narrow negative"] = () => M23.Narrow(1, -9, 1),
        ["Slice bad dim"] = () => M23.Slice(3, 0, 1),
        ["Select out of range"] = () => M23.Select(0, 10),
        ["Select bad dim"] = () => M23.Select(5, 0),
        ["IndexSelect out of range"] = () => M23.IndexSelect(1, [0, 7]),
        ["Gather bad index"] = () => M23.Gather(1, Tensor.FromArray([9f, 0f], 2, 1)),
        ["Gather fractional index"] = () => M23.Gather(1, Tensor.FromArray([0.5f, 0f], 2, 1)),
        ["Pad odd length"] = () => M23.Pad([1, 1, 1]),
        ["Pad negative beyond size"] = () => M23.Pad([-9, 0]),
        ["Sum bad dim"] = () => M23.Sum(5),
        ["Mean bad dim"] = () => M23.Mean(-3),
        ["Max bad dim"] = () => M23.Max(2),
        ["Argmax bad dim"] = () => M23.Argmax(7),
        ["Max of empty"] = () => Tensor.Zeros(0).Max(),
        ["Softmax bad dim"] = () => M23.Softmax(3),
        ["LogSumExp bad dim"] = () => M23.LogSumExp(3),
        ["Var bad dim"] = () => M23.Var(4),
        ["Item of a matrix"] = () => M23.Item(),
        ["MatMul inner mismatch"] = () => M23.MatMul(M23),
        ["MatMul scalar"] = () => Tensor.Scalar(1).MatMul(M23),
        ["Add broadcast mismatch"] = () => _ = M23 + Tensor.Zeros(4),
        ["Where shape mismatch"] = () => Tensor.Where(Tensor.Zeros(5), M23, M23),
        ["Cat empty"] = () => Tensor.Cat([], 0),
        ["Cat shape mismatch"] = () => Tensor.Cat([M23, Tensor.Zeros(3, 3)], 1),
        ["Cat bad dim"] = () => Tensor.Cat([M23, M23], 4),
        ["Stack empty"] = () => Tensor.Stack([], 0),
        ["Stack shape mismatch"] = () => Tensor.Stack([M23, Tensor.Zeros(3)], 0),
        // autograd
        ["Backward non-scalar"] = () => (M23.Clone().RequireGrad() * 2f).Backward(),
        ["Backward twice"] = () => { var y = (Tensor.Ones(2).RequireGrad() * 2f).Sum(); y.Backward(); y.Backward(); },
        ["Backward without grad"] = () => M23.Sum().Backward(),
        ["PrintGraph zero lines"] = () => Autograd.PrintGraph(M23, 0),
        // layers
        ["FromArray null row"] = () => Tensor.FromArray([new float[2], null!]),
        ["Linear negative outputs"] = () => _ = new Linear(2, -1),
        ["Linear wrong width"] = () => new Linear(2, 3).Forward(Tensor.Zeros(4, 5)),
        ["Linear scalar input"] = () => new Linear(2, 3).Forward(Tensor.Scalar(1)),
        ["Conv2d zero kernel"] = () => _ = new Conv2d(1, 1, 0),
        ["Conv2d rank 2 input"] = () => new Conv2d(1, 1, 3).Forward(Tensor.Zeros(4, 4)),
        ["Conv2d wrong channels"] = () => new Conv2d(3, 1, 3).Forward(Tensor.Zeros(1, 1, 4, 4)),
        ["Conv2d kernel larger than input"] = () => new Conv2d(1, 1, 5).Forward(Tensor.Zeros(1, 1, 2, 2)),
        ["MaxPool2d zero kernel"] = () => new MaxPool2d(0).Forward(Tensor.Zeros(1, 1, 4, 4)),
        ["MaxPool2d rank 2"] = () => new MaxPool2d(2).Forward(Tensor.Zeros(4, 4)),
        ["Dropout p above 1"] = () => _ = new Dropout(1.5f),
        ["Dropout p NaN"] = () => _ = new Dropout(float.NaN),
        ["Rnn zero hidden"] = () => _ = new Rnn(2, 0),
        ["Rnn wrong features"] = () => new Rnn(2, 3).Forward(Tensor.Zeros(1, 4, 5)),
        ["Lstm rank 2"] = () => new Lstm(2, 3).Forward(Tensor.Zeros(4, 2)),
        ["LayerNorm wrong width"] = () => new LayerNorm(4).Forward(Tensor.Zeros(2, 3)),
        ["LoadStateDict missing key"] = () => new Linear(2, 3).LoadStateDict(new Dictionary<string, Tensor> { ["weight"] = Tensor.Zeros(3, 2) }),
        ["LoadStateDict wrong shape"] = () => new Linear(2, 3).LoadStateDict(new Dictionary<string, Tensor> { ["weight"] = Tensor.Zeros(2, 2), ["bias"] = Tensor.Zeros(3) }),
        ["LoadStateDict unknown key"] = () => new Linear(2, 3).LoadStateDict(new Dictionary<string, Tensor> { ["weight"] = Tensor.Zeros(3, 2), ["bias"] = Tensor.Zeros(3), ["extra"] = Tensor.Zeros(1) }),
        // losses
        ["MSE shape mismatch"] = () => new MseLoss().Forward(M23, Tensor.Zeros(3, 2)),
        ["CrossEntropy label out of range"] = () => new CrossEntropyLoss().Forward(M23, Tensor.FromArray([0f, 3f])),
        ["CrossEntropy negative label"] = () => new CrossEntropyLoss().Forward(M23, Tensor.FromArray([0f, -2f])),
        ["CrossEntropy fractional label"] = () => new CrossEntropyLoss().Forward(M23, Tensor.FromArray([0f, 1.5f])),
        ["CrossEntropy batch mismatch"] = () => new CrossEntropyLoss().Forward(M23, Tensor.FromArray([0f, 1f, 2f])),
        ["CrossEntropy smoothing above 1"] = () => new CrossEntropyLoss(labelSmoothing: 2f).Forward(M23, Tensor.FromArray([0f, 1f])),
        ["BCE shape mismatch"] = () => new BceLoss().Forward(Tensor.Zeros(2), Tensor.Zeros(3)),
        // optimizers and generator
        ["Sgd negative lr"] = () => _ = new Sgd(new Linear(2, 2).Parameters(), -1f),
        ["Sgd NaN lr"] = () => _ = new Sgd(new Linear(2, 2).Parameters(), float.NaN),
        ["Adam beta above 1"] = () => _ = new Adam(new Linear(2, 2).Parameters(), beta1: 1.5f),
        ["Optimizer LoadStateDict wrong shape"] = () => new Adam(new Linear(2, 2).Parameters()).LoadStateDict([KeyValuePair.Create("0.exp_avg", Tensor.Zeros(7))]),
        ["Generator zero state"] = () => new Generator(1).SetState([0, 0, 0, 0]),
        ["Generator short state"] = () => new Generator(1).SetState([1, 2]),
        // data
        ["TensorDataset length mismatch"] = () => _ = new TensorDataset(Tensor.Zeros(3, 2), Tensor.Zeros(4)),
        ["TensorDataset scalar"] = () => _ = new TensorDataset(Tensor.Scalar(1), Tensor.Scalar(1)),
        ["Subset index out of range"] = () => _ = new Subset(new TensorDataset(Tensor.Zeros(3, 2), Tensor.Zeros(3)), [5]),
        ["DataLoader zero batch"] = () => _ = new DataLoader(new TensorDataset(Tensor.Zeros(3, 2), Tensor.Zeros(3)), 0).ToList(),
        // models
        ["ModelSpec null JSON"] = () => ModelSpec.FromJson("null"),
        ["ModelSpec array JSON"] = () => ModelSpec.FromJson("[]"),
        ["ModelSpec null hidden"] = () => ModelSpec.FromJson("{\"hidden\":null}"),
        ["ModelSpec null input shape"] = () => ModelSpec.FromJson("{\"input_shape\":null}"),
        ["ModelSpec null kind"] = () => ModelSpec.FromJson("{\"kind\":null}"),
        ["ModelSpec null activation"] = () => ModelSpec.FromJson("{\"activation\":null}"),
        ["ModelSpec huge number"] = () => ModelSpec.FromJson("{\"outputs\":1e40}"),
        ["ModelSpec wrong type"] = () => ModelSpec.FromJson("{\"hidden\":\"8\"}"),
        ["ModelSpec NaN dropout"] = () => ModelSpec.FromJson("{\"dropout\":\"NaN\"}"),
        ["ModelSpec null input std"] = () => ModelSpec.FromJson("{\"input_mean\":[0],\"input_std\":null}"),
        ["ModelSpec Build with null shape"] = () => new ModelSpec { InputShape = null! }.Build(),
        ["ModelSpec Describe invalid"] = () => new ModelSpec { Kind = "rnn", InputShape = [3] }.ParameterCount(),
        ["ModelSpec Normalize wrong shape"] = () => new ModelSpec { InputShape = [2], InputMean = [0, 0], InputStd = [1, 1] }.Normalize(Tensor.Zeros(3, 5)),
        // files
        ["Safetensors missing file"] = () => Safetensors.Load("/no/such/file.safetensors"),
        ["Safetensors empty path"] = () => Safetensors.Load(""),
        ["Safetensors path with NUL"] = () => Safetensors.Load("a\0b"),
        ["Safetensors folder"] = () => Safetensors.Load("/tmp"),
        ["Safetensors save into missing folder"] = () => Safetensors.Save("/no/such/dir/x.safetensors", new Dictionary<string, Tensor>()),
        ["Safetensors save reserved name"] = () => Safetensors.Save("/tmp/x.safetensors", new Dictionary<string, Tensor> { ["__metadata__"] = M23 }),
        ["Safetensors empty bytes"] = () => Safetensors.Load(Array.Empty<byte>()),
        ["Safetensors raw ToInt64 of F32"] = () => SafetensorsRawTensor.FromTensor(M23).ToInt64(),
        ["Safetensors raw bad dtype"] = () => Safetensors.SerializeRaw(new Dictionary<string, SafetensorsRawTensor> { ["x"] = new("Q7", [1], new byte[1]) }),
        ["Safetensors raw size mismatch"] = () => Safetensors.SerializeRaw(new Dictionary<string, SafetensorsRawTensor> { ["x"] = new("F32", [2], new byte[3]) }),
        ["Idx missing file"] = () => Idx.Read("/no/such/file.idx"),
        ["Idx empty path"] = () => Idx.Read(""),
        ["Idx unseekable stream"] = () => Idx.Read(new UnseekableStream()),
        ["Idx write rank 0"] = () => Idx.Write("/tmp/x.idx", Tensor.Scalar(1)),
        ["Idx write non-integer as bytes"] = () => Idx.Write("/tmp/x.idx", Tensor.FromArray([0.5f])),
        ["Npy missing file"] = () => Npy.Load("/no/such/file.npy"),
        ["Npy unseekable stream"] = () => Npy.Load(new UnseekableStream()),
        ["Npz not a zip"] = () => { File.WriteAllBytes("/tmp/pitts-misuse.npz", [1, 2, 3]); Npy.LoadNpz("/tmp/pitts-misuse.npz"); },
        ["Csv missing file"] = () => Csv.Load("/no/such/file.csv"),
        ["Csv empty text"] = () => Csv.Parse(""),
        ["Csv no such column"] = () => Csv.Parse("a,b\n1,2").Select("c"),
        ["ReadLimits zero"] = () => Csv.Parse("1", limits: new ReadLimits { MaxDataBytes = 0 }),
        ["ZooCheckpoint plain safetensors"] = () =>
        {
            Safetensors.Save("/tmp/pitts-misuse.safetensors", new Dictionary<string, Tensor> { ["w"] = M23 });
            ZooCheckpoint.Load("/tmp/pitts-misuse.safetensors");
        },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Misuse_raises_a_typed_Pitts_error(string probe)
    {
        var e = Record.Exception(Probes[probe]);
        Assert.NotNull(e);
        Assert.True(e is PittsException, $"{probe}: {e!.GetType().Name}: {e.Message}");
        Assert.False(string.IsNullOrWhiteSpace(e.Message));
    }

    [Fact]
    public void Null_arguments_raise_ArgumentNullException_or_a_typed_error()
    {
        var probes = new Action[]
        {
            () => Safetensors.Load((string)null!), () => Safetensors.Load((byte[])null!), () => Safetensors.ReadHeader((string)null!),
            () => Idx.Read((string)null!), () => Idx.ReadBytes(null!), () => Npy.Load((string)null!), () => Npy.LoadNpz(null!),
            () => Csv.Load(null!), () => Csv.Parse(null!), () => ZooCheckpoint.Load(null!), () => Npy.Save("/tmp/x.npy", null!),
            () => Tensor.FromArray((float[])null!), () => Autograd.PrintGraph(null!), () => ModelSpec.FromJson(null!),
            () => new Linear(2, 2).Forward(null!), () => new ModelSpec().Normalize(null!),
        };
        foreach (var p in probes)
        {
            var e = Record.Exception(p);
            Assert.NotNull(e);
            Assert.True(e is ArgumentNullException or PittsException, $"{e!.GetType().Name}: {e.Message}\n{e.StackTrace}");
        }
    }

    private sealed class UnseekableStream : MemoryStream
    {
        public override bool CanSeek => false;
    }
}
