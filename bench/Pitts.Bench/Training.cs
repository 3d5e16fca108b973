using System.Text.Json.Nodes;
using Pitts.NN;
using Pitts.Optim;

namespace Pitts.Bench;

// The training workloads: the same models, data, optimisers and step counts as bench/torch_bench.py.
public static partial class Workloads
{
    private static readonly string FashionDir = Environment.GetEnvironmentVariable("PITTS_FASHION_MNIST") ?? "/usr/share/datasets/fashion-mnist";

    private static Result LectureMlp(bool smoke, int repeats)
    {
        int steps = smoke ? 50 : 5000;
        var x = Tensor.Linspace(-3, 3, 30).Unsqueeze(1);
        var y = x.Sin();
        float loss = 0;
        double t = Timer.Best(() =>
        {
            var net = new Sequential(new Linear(1, 20, generator: new Generator(0)), new Relu(),
                new Linear(20, 15, generator: new Generator(1)), new Relu(), new Linear(15, 1, generator: new Generator(2)));
            var crit = new MseLoss();
            var opt = new Adam(net.Parameters(), lr: 0.01f);
            Tensor l = null!;
            for (int i = 0; i < steps; i++)
            {
                l = crit.Forward(net.Forward(x), y);
                l.Backward();
                opt.Step();
                opt.ZeroGrad();
            }
            loss = l.Item();
        }, repeats);
        return new Result(t, null, new() { ["steps"] = steps, ["us_per_step"] = t / steps * 1e6, ["final_loss"] = loss });
    }

    private static Result UniversalApprox(bool smoke, int repeats)
    {
        int epochs = smoke ? 8 : 800;
        var x = Tensor.Linspace(-3, 3, 30).Unsqueeze(1);
        var y = x.Sin();
        var xs = Enumerable.Range(0, 30).Select(i => x.Narrow(0, i, 1)).ToArray();
        var ys = Enumerable.Range(0, 30).Select(i => y.Narrow(0, i, 1)).ToArray();
        float loss = 0;
        double t = Timer.Best(() =>
        {
            var net = new Sequential(new Linear(1, 50, generator: new Generator(0)), new Sigmoid(), new Linear(50, 1, generator: new Generator(1)));
            var crit = new MseLoss();
            var opt = new Sgd(net.Parameters(), lr: 0.005f);
            for (int e = 0; e < epochs; e++)
                for (int i = 0; i < 30; i++)
                {
                    var l = crit.Forward(net.Forward(xs[i]), ys[i]);
                    opt.ZeroGrad();
                    l.Backward();
                    opt.Step();
                }
            using (Autograd.NoGrad()) loss = crit.Forward(net.Forward(x), y).Item();
        }, repeats);
        return new Result(t, null, new() { ["steps"] = epochs * 30, ["us_per_step"] = t / (epochs * 30) * 1e6, ["final_loss"] = loss });
    }

    /// <summary>
    /// Fashion-MNIST training images (N, 1, 28, 28) scaled to [0, 1] and labels, from Debian's IDX files; the smoke run
    /// (CI, where Fashion-MNIST is not installed) takes the first 256 of the shipped MNIST digits, which have the same
    /// shape, as torch_bench.py's smoke run does.
    /// </summary>
    private static (Tensor X, Tensor Y) Fashion(bool smoke)
    {
        var train = smoke ? Pitts.Data.Datasets.Mnist().Train.Slice(0, 256) : Pitts.Data.Datasets.FashionMnist(FashionDir).Train;
        return (train.Inputs, train.Targets);
    }

    /// <summary>Batches of warm-up (JIT, first-touch allocations) on a throwaway model before a timed epoch, on both sides.</summary>
    private const int WarmupBatches = 20;

    private static float Epoch(Module model, Tensor x, Tensor y, int batch, Optimizer opt, int maxBatches = int.MaxValue)
    {
        var crit = new CrossEntropyLoss();
        float total = 0;
        int done = 0;
        for (int s = 0; s + batch <= x.Size(0) && done++ < maxBatches; s += batch)
        {
            var loss = crit.Forward(model.Forward(x.Narrow(0, s, batch)), y.Narrow(0, s, batch));
            opt.ZeroGrad();
            loss.Backward();
            opt.Step();
            total += loss.Item();
        }
        return total;
    }

    /// <summary>
    /// One timed epoch of batch-64 SGD (momentum 0.9, lr 0.01) of a fresh <paramref name="make"/>() model, after
    /// <see cref="WarmupBatches"/> batches on a throwaway one (torch_bench.py's train_epoch).
    /// </summary>
    private static Result TrainEpoch(Func<Module> make, Tensor x, Tensor y)
    {
        var warm = make();
        Epoch(warm, x, y, 64, new Sgd(warm.Parameters(), lr: 0.01f, momentum: 0.9f), WarmupBatches);
        var net = make();
        var opt = new Sgd(net.Parameters(), lr: 0.01f, momentum: 0.9f);
        float loss = 0;
        double t = Timer.Once(() => loss = Epoch(net, x, y, 64, opt));
        return new Result(t, null, new() { ["samples"] = x.Size(0), ["loss_sum"] = loss });
    }

    private static Result MlpEpoch(bool smoke)
    {
        var (x, y) = Fashion(smoke);
        return TrainEpoch(() => new Sequential(new Linear(784, 256, generator: new Generator(0)), new Relu(),
            new Linear(256, 10, generator: new Generator(1))), x.Reshape(x.Size(0), 784), y);
    }

    private static Result CnnEpoch(bool smoke)
    {
        var (x, y) = Fashion(smoke);
        return TrainEpoch(() => new Sequential(
            new Conv2d(1, 16, 5, padding: 2, generator: new Generator(0)), new Relu(), new MaxPool2d(2),
            new Conv2d(16, 32, 5, padding: 2, generator: new Generator(1)), new Relu(), new MaxPool2d(2),
            new Flatten(), new Linear(1568, 10, generator: new Generator(2))), x, y);
    }

    /// <summary>Elman RNN (input 32, hidden 128, tanh) over length-50 sequences, then a linear head on the last step.</summary>
    private sealed class RnnModel : Module
    {
        private readonly Rnn _rnn;
        private readonly Linear _head;

        public RnnModel()
        {
            _rnn = RegisterModule("rnn", new Rnn(32, 128, batchFirst: true, generator: new Generator(0)));
            _head = RegisterModule("head", new Linear(128, 10, generator: new Generator(1)));
        }

        public override Tensor Forward(Tensor input)
        {
            var (output, _) = _rnn.Forward(input, null); // (B, T, H)
            return _head.Forward(output.Select(1, output.Size(1) - 1));
        }
    }

    private static Result RnnSeq(bool smoke, int repeats)
    {
        int steps = smoke ? 5 : 200;
        var g = new Generator(1);
        var x = Tensor.Randn([32, 50, 32], g);
        var y = Tensor.FromArray(Enumerable.Range(0, 32).Select(i => (float)(i * 7 % 10)).ToArray(), 32);
        float loss = 0;
        double t = Timer.Best(() =>
        {
            var net = new RnnModel();
            var opt = new Sgd(net.Parameters(), lr: 0.01f, momentum: 0.9f);
            loss = Steps(net, opt, new CrossEntropyLoss(), x, y, steps);
        }, repeats);
        return new Result(t, null, new() { ["steps"] = steps, ["final_loss"] = loss });
    }

    private static Result Attention(bool smoke, int repeats)
    {
        int steps = smoke ? 3 : 100;
        var g = new Generator(2);
        var x = Tensor.Randn([32, 64, 128], g);
        var target = Tensor.Randn([32, 64, 128], g);
        float loss = 0;
        double t = Timer.Best(() =>
        {
            var layer = new TransformerEncoderLayer(128, 4, dimFeedforward: 512, dropout: 0f, batchFirst: true, generator: new Generator(0));
            var opt = new Adam(layer.Parameters(), lr: 1e-3f);
            loss = Steps(layer, opt, new MseLoss(), x, target, steps);
        }, repeats);
        return new Result(t, null, new() { ["steps"] = steps, ["final_loss"] = loss });
    }

    /// <summary>The plain training loop both sides time: forward, loss, zero_grad, backward, step; returns the last loss.</summary>
    private static float Steps(Module net, Optimizer opt, Loss crit, Tensor x, Tensor y, int steps)
    {
        Tensor l = null!;
        for (int i = 0; i < steps; i++)
        {
            l = crit.Forward(net.Forward(x), y);
            opt.ZeroGrad();
            l.Backward();
            opt.Step();
        }
        return l.Item();
    }
}
