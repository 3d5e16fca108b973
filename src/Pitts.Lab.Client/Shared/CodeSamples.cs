using System.Globalization;
using Pitts.Lab.Widgets;

namespace Pitts.Lab.Services;

/// <summary>
/// The C# behind each page's "Show code" panel, for the page's current settings. Every sample is a complete program
/// (top-level statements with their <c>using</c> directives) that uses only the public API of Pitts and Pitts.Neuro, so a
/// reader can save it, with its <see cref="ProjectLines"/> (the panel shows them), as sample.cs in a clone and run it;
/// data the library does not ship is made inline. <c>CodeSamplesCompileTests</c> compiles every sample for a range of
/// settings against the library, so a sample that names something missing fails the tests.
/// </summary>
public static class CodeSamples
{
    /// <summary>
    /// The <c>#:project</c> lines that make <paramref name="code"/> a .NET file-based app when it is saved in the root of a
    /// clone of the repository (<c>dotnet run -c Release sample.cs</c>): src/Pitts, and src/Pitts.Neuro or src/Pitts.Onnx
    /// when the code uses their namespaces.
    /// </summary>
    public static string ProjectLines(string code) =>
        "#:project src/Pitts/Pitts.csproj\n"
        + (code.Contains("using Pitts.Neuro", StringComparison.Ordinal) ? "#:project src/Pitts.Neuro/Pitts.Neuro.csproj\n" : "")
        + (code.Contains("using Pitts.Onnx", StringComparison.Ordinal) ? "#:project src/Pitts.Onnx/Pitts.Onnx.csproj\n" : "");

    /// <summary>A sample as the "Show code" panel shows it, a file-based app: its <see cref="ProjectLines"/>, then the code.</summary>
    public static string FileBasedApp(string code) => ProjectLines(code) + code;

    private static string Ints(IEnumerable<int> values) => string.Join(", ", values);

    private static string Lits(IEnumerable<double> values) => string.Join(", ", values.Select(Num.Lit));

    private static string D(double v) => v.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>The attention page: the one-block transformer trained to reverse or sort six digits, run on <paramref name="digits"/>.</summary>
    public static string Attention(IReadOnlyList<int> digits, string task)
    {
        int steps = task == "sort" ? 3000 : 1500;
        string target = task == "sort" ? "[.. d.Order()]" : "[.. d.Reverse()]";
        return $$"""
            using Pitts;
            using Pitts.NN;
            using Pitts.Optim;

            // The lab's one-block transformer, pre-norm, d = 32, 2 heads, reading 6 digits and writing 6 digits
            var g = new Generator(1);
            var tok = new Embedding(10, 32, generator: g); var pos = new Embedding(6, 32, generator: g);
            var ln1 = new LayerNorm(32); var attn = new MultiheadAttention(32, 2, batchFirst: true, generator: g); var ln2 = new LayerNorm(32);
            var ff1 = new Linear(32, 128, generator: g); var ff2 = new Linear(128, 32, generator: g);
            var lnf = new LayerNorm(32); var readout = new Linear(32, 10, generator: g);
            Module[] parts = [tok, pos, ln1, attn, ln2, ff1, ff2, lnf, readout];

            (Tensor Logits, Tensor Weights) Run(Tensor tokens)    // tokens (N, 6) -> logits (N, 6, 10), weights (N, 2, 6, 6)
            {
                var x = tok.Forward(tokens) + pos.Forward(Tensor.Arange(6).Unsqueeze(0).Expand(tokens.Shape[0], 6));
                var a = ln1.Forward(x);
                var (att, weights) = attn.Forward(a, a, a, averageAttnWeights: false);
                var h = x + att;
                h = h + ff2.Forward(ff1.Forward(ln2.Forward(h)).Relu());
                return (readout.Forward(lnf.Forward(h)), weights);
            }

            // The task ({{task}}): random digit sequences and their targets, 64 per step
            static int[] Target(int[] d) => {{target}};
            var optimizer = new Adam(parts.SelectMany(m => m.Parameters()), 3e-3f);
            for (int step = 0; step < {{steps}}; step++)
            {
                var tokens = new float[64 * 6];
                var targets = new float[64 * 6];
                for (int b = 0; b < 64; b++)
                {
                    var d = Enumerable.Range(0, 6).Select(_ => (int)g.NextInt64(0, 10)).ToArray();
                    var t = Target(d);
                    for (int i = 0; i < 6; i++) (tokens[b * 6 + i], targets[b * 6 + i]) = (d[i], t[i]);
                }
                optimizer.ZeroGrad();
                var logits = Run(Tensor.FromArray(tokens, 64, 6)).Logits;
                var loss = Functional.CrossEntropy(logits.Reshape(64 * 6, 10), Tensor.FromArray(targets, 64 * 6));
                loss.Backward();
                optimizer.Step();
            }

            using (Autograd.NoGrad())
            {
                var (logits, weights) = Run(Tensor.FromArray([{{string.Join(", ", digits.Select(d => d + "f"))}}], 1, 6));
                Console.WriteLine($"{{string.Concat(digits)}} -> {string.Concat(logits.Argmax(2).ToArray())}");
                Console.WriteLine(weights.Select(1, 0));    // head 0: row i is where output position i looks
            }
            """;
    }

    /// <summary>
    /// The autoencoder page: the denoising autoencoder at noise <paramref name="sigma"/> with a code of
    /// <paramref name="code"/> numbers, the clicked latent point (<paramref name="z1"/>, <paramref name="z2"/>) and the
    /// linear autoencoder with <paramref name="k"/> units.
    /// </summary>
    public static string Autoencoders(double sigma, int code, double z1, double z2, int k)
    {
        string decode = code == 2
            ? $"var image = ae.Decode(Tensor.FromArray([{Num.Lit(z1)}, {Num.Lit(z2)}], 1, 2));   // (1, 784): the clicked point of the latent plane"
            : "var image = ae.Decode(z.Narrow(0, 0, 1));   // (1, 784): the first test digit, rebuilt from its 32 numbers";
        return $$"""
            using Pitts;
            using Pitts.Data;
            using Pitts.NN;
            using Pitts.Optim;

            var mnist = Datasets.Mnist();                                  // the shipped 7,996 + 2,004 digits
            var x = mnist.Train.Inputs.Reshape(mnist.Train.Count, 784);    // pixels in [0, 1]
            var g = new Generator(1);
            var ae = new Autoencoder(
                new Sequential(new Linear(784, 256, generator: g), new Relu(), new Linear(256, 64, generator: g), new Relu(), new Linear(64, {{code}}, generator: g)),
                new Sequential(new Linear({{code}}, 64, generator: g), new Relu(), new Linear(64, 256, generator: g), new Relu(), new Linear(256, 784, generator: g), new Sigmoid()));
            var optimizer = new Adam(ae.Parameters(), 2e-3f);
            for (int step = 0; step < 3000; step++)
            {
                var clean = x.IndexSelect(0, Enumerable.Range(0, 128).Select(_ => (int)g.NextInt64(0, x.Shape[0])).ToArray());
                var noisy = Augment.GaussianNoise(clean, {{Num.F(sigma, 3)}}, g, clampMin: 0f, clampMax: 1f);   // x + σε, clipped to [0, 1]
                optimizer.ZeroGrad();
                var loss = Functional.MseLoss(ae.Forward(noisy), clean);       // reconstruct the clean digit
                loss.Backward();
                optimizer.Step();
            }
            using (Autograd.NoGrad())
            {
                var z = ae.Encode(mnist.Test.Inputs.Reshape(mnist.Test.Count, 784));   // (2004, {{code}}): the codes of the test digits
                {{decode}}
                Console.WriteLine($"code of test digit 0: {z.Narrow(0, 0, 1)}");
            }

            // The linear autoencoder without biases, 784 → {{k}} → 784, on centred digits: it learns PCA's subspace
            var centred = x - x.Mean(0, keepDim: true);
            var linear = new Autoencoder(new Linear(784, {{k}}, bias: false, generator: g), new Linear({{k}}, 784, bias: false, generator: g));
            var linOptimizer = new Adam(linear.Parameters(), 3e-3f);
            for (int step = 0; step < 2000; step++)
            {
                var batch = centred.IndexSelect(0, Enumerable.Range(0, 128).Select(_ => (int)g.NextInt64(0, x.Shape[0])).ToArray());
                linOptimizer.ZeroGrad();
                Functional.MseLoss(linear.Forward(batch), batch).Backward();
                linOptimizer.Step();
            }
            """;
    }

    /// <summary>The backpropagation page: the lecture's two-weight example for <paramref name="p"/>.</summary>
    public static string Backprop(BackpropInputs p)
    {
        string act = p.Activation == BackpropExample.Relu ? "Relu" : p.Activation == "tanh" ? "Tanh" : "Sigmoid";
        return $$"""
            using Pitts;

            var x = Tensor.Scalar({{Num.Lit(p.X)}});
            var y = Tensor.Scalar({{Num.Lit(p.Y)}});
            var w1 = Tensor.Scalar({{Num.Lit(p.W1)}}).RequireGrad();
            var b1 = Tensor.Scalar({{Num.Lit(p.B1)}}).RequireGrad();
            var w2 = Tensor.Scalar({{Num.Lit(p.W2)}}).RequireGrad();
            var b2 = Tensor.Scalar({{Num.Lit(p.B2)}}).RequireGrad();

            // Forward pass
            var z1 = w1 * x + b1;
            var v = z1.{{act}}().RetainGrad();
            var yHat = (w2 * v + b2).RetainGrad();
            var loss = (yHat - y).Pow(2f);
            Console.WriteLine($"z1={z1.Item()} v={v.Item()} yhat={yHat.Item()} L={loss.Item()}");

            // Backward pass: fills .Grad of every tensor that requires grad (and the retained ones)
            loss.Backward();
            Console.WriteLine($"dL/dyhat={yHat.Grad!.Item()} dL/dw2={w2.Grad!.Item()} dL/dv={v.Grad!.Item()} dL/dw1={w1.Grad!.Item()}");

            // Check autograd against finite differences at these weights (GradCheck leaves .Grad as it was)
            Console.WriteLine(GradCheck.Check(
                t => (t[2] * (t[0] * x + t[1]).{{act}}() + t[3] - y).Pow(2f), [w1, b1, w2, b2]));

            // One SGD step with learning rate {{Num.F(p.Lr, 6)}}: w ← w − α ∂L/∂w
            new Pitts.Optim.Sgd([w1, b1, w2, b2], lr: {{Num.Lit(p.Lr)}}).Step();
            Console.WriteLine($"w1 -> {w1.Item():0.000}, w2 -> {w2.Item():0.000}");
            """;
    }

    /// <summary>
    /// The convolution page: test digit <paramref name="digit"/> convolved with the <paramref name="size"/>×<paramref name="size"/>
    /// <paramref name="kernel"/>, the window at (<paramref name="wy"/>, <paramref name="wx"/>) whose output is
    /// <paramref name="value"/>.
    /// </summary>
    public static string Convolution(int digit, IReadOnlyList<float> kernel, int size, int wy, int wx, double value)
    {
        int outSize = 28 - size + 1;
        return $$"""
            using Pitts;
            using Pitts.Data;
            using Pitts.NN;

            var mnist = Datasets.Mnist();                                   // the shipped 7,996 + 2,004 digits
            var x = mnist.Test.Inputs.Narrow(0, {{digit}}, 1);                       // (1, 1, 28, 28)
            var kernel = Tensor.FromArray([{{Lits(kernel.Select(v => (double)v))}}], 1, 1, {{size}}, {{size}});
            var map = Tensor.Conv2d(x, kernel);                             // (1, 1, {{outSize}}, {{outSize}}): Σ K_mn X_(i+m, j+n)
            var pooled = map.MaxPool2d(2);                                  // (1, 1, {{outSize / 2}}, {{outSize / 2}})
            Console.WriteLine(map.Select(2, {{wy}}).Select(2, {{wx}}));     // the value under the window: {{Num.F(value, 4)}}

            // The lab's CNN: conv 1→8 (5×5), ReLU, pool 2, conv 8→16 (5×5), ReLU, pool 2, Linear(256, 10);
            // train it with Adam(2e-3) and Functional.CrossEntropy on batches of 64 (the Depth page's code has the loop)
            var cnn = new Sequential(new Conv2d(1, 8, 5), new Relu(), new MaxPool2d(2),
                new Conv2d(8, 16, 5), new Relu(), new MaxPool2d(2), new Flatten(), new Linear(16 * 4 * 4, 10));
            Console.WriteLine(cnn.Summary(1, 1, 28, 28));
            """;
    }

    /// <summary>The depth page: the digit CNN trained, then what its layers make of test digit <paramref name="digit"/>.</summary>
    public static string Depth(int digit) => $$"""
        using Pitts;
        using Pitts.Data;
        using Pitts.NN;
        using Pitts.Optim;

        // The lab's digit CNN: conv 1→8 (5×5), ReLU, pool 2, conv 8→16 (5×5), ReLU, pool 2, Linear(256, 10)
        var g = new Generator(1);
        var conv1 = new Conv2d(1, 8, 5, generator: g);
        var conv2 = new Conv2d(8, 16, 5, generator: g);
        var fc = new Linear(16 * 4 * 4, 10, generator: g);
        var net = new Sequential(conv1, new Relu(), new MaxPool2d(2), conv2, new Relu(), new MaxPool2d(2), new Flatten(), fc);

        var mnist = Datasets.Mnist();                                    // the shipped 7,996 + 2,004 digits
        var optimizer = new Adam(net.Parameters(), 2e-3f);
        for (int step = 0; step < 1500; step++)                         // 1,500 batches of 64: about 12 epochs
        {
            var batch = mnist.Train.GetBatch(Enumerable.Range(0, 64).Select(_ => (int)g.NextInt64(0, mnist.Train.Count)).ToArray());
            optimizer.ZeroGrad();
            Functional.CrossEntropy(net.Forward(batch.Inputs), batch.Targets).Backward();
            optimizer.Step();
        }

        net.Eval();
        using (Autograd.NoGrad())
        {
            var x = mnist.Test.Inputs.Narrow(0, {{digit}}, 1);                      // (1, 1, 28, 28)
            var a1 = conv1.Forward(x).Relu(); var p1 = a1.MaxPool2d(2);       // (1, 8, 24, 24), (1, 8, 12, 12)
            var a2 = conv2.Forward(p1).Relu(); var p2 = a2.MaxPool2d(2);      // (1, 16, 8, 8), (1, 16, 4, 4)
            var logits = fc.Forward(p2.Flatten(1));                           // (1, 10)
            Console.WriteLine($"test digit #{{digit}}: label {mnist.Test.Targets.ToArray()[{{digit}}]}, predicted {logits.Argmax()}");

            // What excites each conv1 unit most among 400 held-out digits: the 5×5 patch under its strongest response
            var act = conv1.Forward(mnist.Test.Inputs.Narrow(0, 0, 400)).Relu();   // (400, 8, 24, 24)
            for (int c = 0; c < 8; c++)
            {
                int best = act.Select(1, c).Argmax();                          // flat index into (400, 24, 24)
                int n = best / (24 * 24), i = best / 24 % 24, j = best % 24;
                Console.WriteLine($"conv1 unit {c}: strongest on test digit #{n} at row {i}, column {j}");
            }
        }
        """;

    /// <summary>
    /// The gradient-descent page: SGD at rate <paramref name="lr"/> from (<paramref name="w1"/>, <paramref name="w2"/>) on
    /// the landscape <paramref name="landscape"/> (bowl, saddle, local, banana).
    /// </summary>
    public static string GradientDescent(string landscape, double w1, double w2, double lr, int steps)
    {
        var land = Landscape.Get(landscape);
        string loss = land.LossCode;
        return $$"""
            using Pitts;
            using Pitts.Optim;

            // L(w1, w2) = {{land.Title}}, written with tensor ops so autograd can differentiate it
            static Tensor Loss(Tensor w1, Tensor w2) => {{loss}};

            var w = Tensor.FromArray([{{Num.Lit(w1)}}, {{Num.Lit(w2)}}]).RequireGrad();
            var optimizer = new Sgd([w], lr: {{Num.Lit(lr)}});          // or: new Sgd([w], {{Num.Lit(lr)}}, momentum: 0.9f), new Adam([w], {{Num.Lit(lr)}})
            for (int step = 0; step < {{Math.Max(steps, 50)}}; step++)
            {
                optimizer.ZeroGrad();
                var loss = Loss(w.Select(0, 0), w.Select(0, 1));
                loss.Backward();
                optimizer.Step();
                var (a, b) = (w.ToArray()[0], w.ToArray()[1]);
                Console.WriteLine($"step {step}: w = ({a:0.000}, {b:0.000}), loss = {loss.Item():0.0000}");
            }
            """;
    }

    /// <summary>The Hodgkin-Huxley page: current clamp with a step or pulse, the f-I curve and a voltage clamp.</summary>
    public static string HodgkinHuxley(string protocol, double current, double width, double duration, string method, double clampV)
    {
        string stimulus = protocol == "pulse"
            ? $"Waveform.Pulse({Num.F(current, 3)}, startMs: 10, widthMs: {Num.F(width, 3)})"
            : $"Waveform.Step({Num.F(current, 3)}, startMs: 10)";
        return $$"""
            using Pitts.Neuro.HodgkinHuxley;

            var model = new HodgkinHuxleyModel();            // gNa 120, gK 36, gL 0.3 mS/cm², ENa 50, EK -77, EL -54.387 mV
            var stimulus = {{stimulus}};
            var trace = model.Simulate(stimulus, durationMs: {{Num.F(duration, 3)}},
                new SimulationOptions { Method = SimulationOptions.ParseMethod("{{method}}"), Dt = 0.01 });
            foreach (var spike in trace.Spikes())
                Console.WriteLine($"spike at {spike.TimeMs:0.00} ms, peak {spike.PeakMv:0.0} mV");

            var fi = Analysis.FiCurve(model, Analysis.Range(0, 30, 0.5), durationMs: 1000);
            var clamp = VoltageClamp.Run(model, Waveform.Step({{Num.F(clampV, 3)}}, 2, 22, baseline: -65), durationMs: 30);
            """;
    }

    /// <summary>The C# expression in x of a linear-hypothesis target (the page's own list holds the functions).</summary>
    private static string LinearTargetCode(string target) => target switch
    {
        "cubic" => "x * x * x - x",
        "sin" => "Math.Sin(2 * x)",
        "step" => "x < 0 ? -1 : 1",
        _ => "x / 2 + Math.Sin(3 * x)",
    };

    /// <summary>The linear-hypothesis page: least squares in the feature map <paramref name="phi"/> (linear, custom, poly).</summary>
    public static string LinearHypothesis(string target, string targetTitle, int seed, int nTrain, double noise, string phi, int degree)
    {
        string map = phi == "linear" ? "FeatureMap.Linear" : phi == "custom" ? "FeatureMap.LectureCustom" : $"FeatureMap.Polynomial({degree})";
        return $$"""
            using Pitts;
            using Pitts.Data;
            using Pitts.Models;

            Func<double, double> f = x => {{LinearTargetCode(target)}};   // {{targetTitle}}
            var g = new Generator({{seed}});
            var train = Synthetic.Function(f, {{nTrain}}, -1.5, 1.5, noise: {{Num.F(noise, 3)}}, generator: g, sorted: true);
            var val = Synthetic.Function(f, 30, -1.5, 1.5, noise: {{Num.F(noise, 3)}}, generator: g, sorted: true);
            var test = Synthetic.Function(f, 30, -1.5, 1.5, noise: {{Num.F(noise, 3)}}, generator: g, sorted: true);

            var phi = {{map}};
            var model = LinearModel.Fit(phi, train.Inputs, train.Targets);     // least squares on the training set
            Console.WriteLine($"train {model.Mse(train.Inputs, train.Targets):0.00000}  val {model.Mse(val.Inputs, val.Targets):0.00000}  test {model.Mse(test.Inputs, test.Targets):0.00000}");
            """;
    }

    /// <summary>The losses page: MSE for one prediction and binary cross-entropy for one probability.</summary>
    public static string Losses(double mseYhat, double mseY, double bceP, int bceY) => $$"""
        using Pitts;
        using Pitts.NN;

        // MSE for one prediction
        var yHat = Tensor.FromArray([{{Num.Lit(mseYhat)}}]).RequireGrad();
        var y = Tensor.FromArray([{{Num.Lit(mseY)}}]);
        var mse = Functional.MseLoss(yHat, y);                          // or: new MseLoss().Forward(yHat, y)
        mse.Backward();
        Console.WriteLine($"MSE = {mse.Item():0.0000}, dL/dyhat = {yHat.Grad!.Item():0.0000}");

        // Binary cross-entropy for one predicted probability
        var p = Tensor.FromArray([{{Num.Lit(bceP)}}]).RequireGrad();
        var label = Tensor.FromArray([{{bceY}}f]);
        var bce = Functional.BinaryCrossEntropy(p, label);              // or: new BceLoss().Forward(p, label)
        bce.Backward();
        Console.WriteLine($"BCE = {bce.Item():0.0000}, dL/dp = {p.Grad!.Item():0.0000}");
        """;

    /// <summary>
    /// The McCulloch-Pitts page: a unit with the first <paramref name="n"/> <paramref name="weights"/> and threshold
    /// <paramref name="theta"/> on <paramref name="inputs"/> (its output <paramref name="output"/>), the XOR network and the search.
    /// </summary>
    public static string McCullochPitts(int n, IReadOnlyList<double> weights, double theta, IReadOnlyList<int> inputs, int output) => $$"""
        using Pitts.Neuro.McCullochPitts;

        var unit = new McCullochPittsNeuron([{{string.Join(", ", weights.Take(n).Select(D))}}], threshold: {{D(theta)}});
        Console.WriteLine(unit.Fire({{Ints(inputs.Take(n))}}));   // {{output}}
        Console.WriteLine(TruthTable.Of(unit));

        // XOR needs two layers: AND(OR(a, b), NAND(a, b))
        Console.WriteLine(TruthTable.Of(Gates.Xor));
        // and no single unit computes it:
        var search = ThresholdSearch.Search(TruthTable.FromOutputs(2, 0, 1, 1, 0), maxAbsWeight: 4);
        Console.WriteLine($"{search.CandidatesTried} candidates, {search.Solutions.Count} solutions");
        """;

    /// <summary>The networks page: the fully connected network with layer <paramref name="sizes"/> (inputs first) on input <paramref name="x"/>.</summary>
    public static string Networks(IReadOnlyList<int> sizes, string activation, int seed, IReadOnlyList<double> x)
    {
        var layers = new List<string>();
        for (int i = 0; i + 1 < sizes.Count; i++)
        {
            layers.Add($"    new Linear({sizes[i]}, {sizes[i + 1]}, generator: g),");
            if (i + 2 < sizes.Count) layers.Add($"    {LabActivations.Code(activation)},");
        }
        int inputs = sizes[0];
        return $$"""
            using Pitts;
            using Pitts.NN;

            var g = new Generator({{seed}});
            var net = new Sequential(
            {{string.Join("\n", layers).TrimEnd(',')}});
            Console.WriteLine(net.Summary(1, {{inputs}}));

            var x = Tensor.FromArray([{{Lits(x.Take(inputs))}}], 1, {{inputs}});
            Console.WriteLine(net.Forward(x));   // ŷ
            """;
    }

    /// <summary>The overfitting page: the 1-64-64-1 network on 20 noisy points with the chosen regularizers.</summary>
    public static string Overfitting(int seed, double weightDecay, double dropout, double augment, bool earlyStopping, int patience, int epochs)
    {
        string drop = dropout > 0 ? $" new Dropout({Num.Lit(dropout)}, g)," : "";
        string x = augment > 0 ? $"Augment.GaussianNoise(train.Inputs, {Num.F(augment, 3)}, g);   // augmentation: jittered inputs" : "train.Inputs;";
        string stop = earlyStopping
            ? $"if (v < best) {{ best = v; sinceBest = 0; }}\n                    else if (++sinceBest >= {patience}) break;   // early stopping (keep a StateDict() copy of the best weights to restore)"
            : "best = Math.Min(best, v);";
        return $$"""
            using Pitts;
            using Pitts.Data;
            using Pitts.NN;
            using Pitts.Optim;

            var g = new Generator({{seed}});
            var train = Synthetic.Function(x => Math.Sin(1.5 * x), 20, -3, 3, noise: 0.3, generator: g, sorted: true);
            var val = Synthetic.Function(x => Math.Sin(1.5 * x), 100, -3, 3, noise: 0.3, generator: g, sorted: true);
            var net = new Sequential(
                new Linear(1, 64, generator: g), new Tanh(),{{drop}}
                new Linear(64, 64, generator: g), new Tanh(),{{drop}}
                new Linear(64, 1, generator: g));
            // Weight decay in Pitts, as in the lecture's optim.Adam(net.parameters(), lr=0.01, weight_decay=1e-3):
            var optimizer = new Adam(net.Parameters(), lr: 0.01f, weightDecay: {{Num.Lit(weightDecay)}});
            var mse = new MseLoss();
            double best = double.PositiveInfinity;{{(earlyStopping ? " int sinceBest = 0;" : "")}}

            for (int epoch = 0; epoch < {{epochs}}; epoch++)
            {
                net.Train();
                var x = {{x}}
                mse.Forward(net.Forward(x), train.Targets).Backward();
                optimizer.Step();
                optimizer.ZeroGrad();

                net.Eval();
                using (Autograd.NoGrad())
                {
                    double v = mse.Forward(net.Forward(val.Inputs), val.Targets).Item();
                    {{stop}}
                }
            }
            Console.WriteLine($"best validation MSE {best:0.0000}");
            """;
    }

    private static string PlaygroundFeature(string key) => key switch
    {
        "x2" => "x2",
        "x1sq" => "x1.Square()",
        "x2sq" => "x2.Square()",
        "x1x2" => "x1 * x2",
        "sinx1" => "x1.Sin()",
        "sinx2" => "x2.Sin()",
        _ => "x1",
    };

    /// <summary>
    /// The playground: the data set, input features, network, loss and optimizer of <paramref name="s"/>, trained as the page
    /// trains it (same seed, split, initialisation and batch order).
    /// </summary>
    public static string Playground(PlaygroundSettings s)
    {
        string noise = Num.F(s.Noise / 100.0, 2);
        string data = s.Data switch
        {
            "xor" => $"var data = Playground.Xor(300, noise: {noise}, generator: g);",
            "gauss" => $"var data = Playground.Gauss(300, noise: {noise}, generator: g);",
            "spiral" => $"var data = Playground.Spiral(300, noise: {noise}, generator: g);",
            "moons" => $"""
                var moons = Synthetic.Moons(300, noise: {noise}, generator: g);
                // The moons live on about [-1, 2] x [-0.5, 1]: stretch them onto the playground's [-6, 6] square
                var data = new TensorDataset((moons.Inputs - Tensor.FromArray([0.5f, 0.25f])) * Tensor.FromArray([3.5f, 5f]), moons.Targets);
                """,
            "custom" => CustomData(s.Custom),
            _ => $"var data = Playground.Circle(300, noise: {noise}, generator: g);",
        };
        var layers = new List<string>();
        int width = s.Features.Count;
        foreach (int h in s.Hidden)
        {
            layers.Add($"    new Linear({width}, {h}, generator: g), {LabActivations.Code(s.Activation)},");
            width = h;
        }
        layers.Add($"    new Linear({width}, 1, generator: g));");
        string opt = s.Optimizer switch
        {
            "sgd" => $"new Sgd(net.Parameters(), {Num.Lit(s.Lr)}, weightDecay: {Num.Lit(s.L2)})",
            "momentum" => $"new Sgd(net.Parameters(), {Num.Lit(s.Lr)}, momentum: 0.9f, weightDecay: {Num.Lit(s.L2)})",
            "rmsprop" => $"new RmsProp(net.Parameters(), {Num.Lit(s.Lr)}, weightDecay: {Num.Lit(s.L2)})",
            _ => $"new Adam(net.Parameters(), {Num.Lit(s.Lr)}, weightDecay: {Num.Lit(s.L2)})",
        };
        bool mse = s.Loss == "mse";
        string features = string.Join(", ", s.Features.Select(PlaygroundFeature));
        return $$"""
            using Pitts;
            using Pitts.Data;
            using Pitts.NN;
            using Pitts.Optim;

            var g = new Generator({{s.Seed}});
            {{data}}
            // inputs (n, 2): the points (x1, x2); targets (n, 1): 1 for the blue class, 0 for the orange one

            // The network's input features: {{string.Join(", ", s.Features.Select(PlaygroundModel.FeatureName))}}
            static Tensor Features(Tensor points)
            {
                var x1 = points.Narrow(1, 0, 1);
                var x2 = points.Narrow(1, 1, 1);
                return Tensor.Cat([{{features}}], 1);
            }

            // {{s.TrainPercent}} % of the points for training, the rest for testing
            int n = data.Count;
            int nTrain = Math.Clamp((int)Math.Round(n * {{s.TrainPercent}} / 100.0), 1, Math.Max(1, n - 1));
            var order = g.Permutation(n);
            var xAll = Features(data.Inputs);
            var (xTrain, yTrain) = (xAll.IndexSelect(0, order[..nTrain]), data.Targets.IndexSelect(0, order[..nTrain]));
            var (xTest, yTest) = (xAll.IndexSelect(0, order[nTrain..]), data.Targets.IndexSelect(0, order[nTrain..]));

            var net = new Sequential(
            {{string.Join("\n", layers)}}
            var loss = {{(mse ? "new MseLoss();                 // on the probability Sigmoid(output)" : "new BceWithLogitsLoss();       // on the output logit")}}
            Tensor LossOf(Tensor x, Tensor y) => loss.Forward({{(mse ? "net.Forward(x).Sigmoid()" : "net.Forward(x)")}}, y);
            var optimizer = {{opt}};

            for (int epoch = 0; epoch < {{s.Epochs}}; epoch++)
            {
                var perm = g.Permutation(nTrain);                   // shuffled mini-batches of {{s.Batch}} training points
                for (int start = 0; start < nTrain; start += {{s.Batch}})
                {
                    var idx = perm[start..Math.Min(start + {{s.Batch}}, nTrain)];
                    optimizer.ZeroGrad();
                    LossOf(xTrain.IndexSelect(0, idx), yTrain.IndexSelect(0, idx)).Backward();
                    optimizer.Step();
                }
            }

            using (Autograd.NoGrad())
            {
                var p = net.Forward(xTest).Sigmoid().ToArray();     // P(blue) for each test point
                var y = yTest.ToArray();
                double accuracy = p.Select((pi, i) => (pi >= 0.5f ? 1f : 0f) == y[i] ? 1.0 : 0.0).Average();
                Console.WriteLine($"training loss {LossOf(xTrain, yTrain).Item():0.000}, test loss {LossOf(xTest, yTest).Item():0.000}, test accuracy {accuracy:P1}");
            }
            """;
    }

    private static string CustomData(IReadOnlyList<(double X, double Y, int Label)> points)
    {
        if (points.Count == 0)
            return """
                // No points drawn yet: click on the page's plot to add some, and they appear here
                var data = new TensorDataset(Tensor.Zeros(0, 2), Tensor.Zeros(0, 1));
                if (data.Count < 2) { Console.WriteLine("draw at least two points"); return; }
                """;
        string xs = string.Join(", ", points.Select(p => $"{Num.Lit(p.X)}, {Num.Lit(p.Y)}"));
        string ys = string.Join(", ", points.Select(p => p.Label + "f"));
        return $"""
            // The points drawn on the page: (x1, x2) and the label (1 blue, 0 orange)
            var data = new TensorDataset(
                Tensor.FromArray([{xs}], {points.Count}, 2),
                Tensor.FromArray([{ys}], {points.Count}, 1));
            """;
    }

    /// <summary>
    /// The recurrent page: Euler's recurrence with step <paramref name="h"/>, and an RNN or LSTM (<paramref name="kind"/>)
    /// trained to predict the next value of the <paramref name="signal"/> (oscillator or hh).
    /// </summary>
    public static string Recurrent(double h, string kind, string signal)
    {
        string cell = kind == "lstm" ? "new Lstm(1, 32, batchFirst: true, generator: g)" : "new Rnn(1, 32, batchFirst: true, generator: g)";
        string data = signal == "hh"
            ? """
                // The signal: the squid axon's membrane potential (Pitts.Neuro) under constant currents of 6 to 20 µA/cm²,
                // sampled every 0.5 ms after 50 ms of settling and scaled to x = (V + 65 mV) / 100 mV
                var traces = Enumerable.Range(0, 29).Select(i =>
                {
                    var v = new HodgkinHuxleyModel().Simulate(6 + 0.5 * i, 350, new SimulationOptions { RecordInterval = 0.5 }).Voltage;
                    return Enumerable.Range(100, 600).Select(j => (float)((v[j] + 65) / 100)).ToArray();
                }).ToArray();
                float[] Sequence()    // 61 consecutive samples of one trace
                {
                    var x = traces[g.NextInt64(0, traces.Length)];
                    return x.Skip((int)g.NextInt64(0, 600 - 60 - 1)).Take(61).ToArray();
                }
                """
            : """
                // The signal: the damped oscillator x(t) = A e^(-ζωt) cos(ω_d t + φ), ω = 1, ζ = 0.1, sampled every 0.2
                float[] Sequence()    // 61 samples with a random amplitude and phase
                {
                    double a = 0.5 + g.NextDouble(), phase = 2 * Math.PI * g.NextDouble(), wd = Math.Sqrt(1 - 0.1 * 0.1);
                    return Enumerable.Range(0, 61).Select(i => (float)(a * Math.Exp(-0.1 * i * 0.2) * Math.Cos(wd * i * 0.2 + phase))).ToArray();
                }
                """;
        string neuro = signal == "hh" ? "using Pitts.Neuro.HodgkinHuxley;\n" : "";
        string state = kind == "lstm" ? "(Tensor H, Tensor C)?" : "Tensor?";
        return $$"""
            using Pitts;
            using Pitts.NN;
            using Pitts.Optim;
            {{neuro}}
            // Euler's recurrence with fixed weights W = I + hA (h = {{Num.F(h, 2)}}): y(n+1) = W y(n)
            var W = Tensor.FromArray(new float[,] { { 1f, {{Num.Lit(h)}} }, { {{Num.Lit(-h)}}, {{Num.Lit(1 - 0.2 * h)}} } });
            var y = Tensor.FromArray([1f, -0.1f], 2, 1);
            for (int n = 0; n < 100; n++) y = W.MatMul(y);
            Console.WriteLine(y);

            // A learned recurrence: {{(kind == "lstm" ? "an LSTM" : "an RNN")}} with 32 units reads x(t), a Linear(32, 1) predicts x(t+1)
            var g = new Generator(1);
            var cell = {{cell}};
            var head = new Linear(32, 1, generator: g);
            var parameters = cell.Parameters().Concat(head.Parameters()).ToList();
            var optimizer = new Adam(parameters, 5e-3f);
            {{data}}
            for (int step = 0; step < 4000; step++)
            {
                var batch = Enumerable.Range(0, 32).Select(_ => Sequence()).ToArray();
                var x = Tensor.FromArray(batch.SelectMany(s => s.Take(60)).ToArray(), 32, 60, 1);       // x(0) … x(59)
                var target = Tensor.FromArray(batch.SelectMany(s => s.Skip(1)).ToArray(), 32, 60, 1);  // x(1) … x(60)
                optimizer.ZeroGrad();
                var (output, _) = cell.Forward(x, null);        // (32, 60, 32); the state is returned to feed it back
                var loss = Functional.MseLoss(head.Forward(output), target);
                loss.Backward();
                GradClip.ClipGradNorm(parameters, 1f);
                optimizer.Step();
                if (step % 500 == 0) Console.WriteLine($"step {step}: loss {loss.Item():0.00000}");
            }

            // Run freely: after 20 true values, feed each prediction back in as the next input
            using (Autograd.NoGrad())
            {
                var truth = Sequence();
                {{state}} state = null;
                float input = truth[0];
                for (int t = 0; t < 60; t++)
                {
                    var (o, s) = cell.Forward(Tensor.FromArray([t < 20 ? truth[t] : input], 1, 1, 1), state);
                    state = s;
                    input = head.Forward(o).Item();
                    Console.WriteLine($"t = {t + 1}: true {truth[t + 1]:0.000}, predicted {input:0.000}");
                }
            }
            """;
    }

    /// <summary>
    /// The training page: the lecture's loop in C#, the network class after the top-level statements (C# requires
    /// that order in a program file).
    /// </summary>
    public static string TrainingInPractice(int seed, string optimizer, double lr, int epochs) => $$"""
        using Pitts;
        using Pitts.NN;
        using Pitts.Optim;

        Generator.ManualSeed({{seed}});
        var xTrain = Tensor.Linspace(-3, 3, 30).Reshape(30, 1);
        var yTrain = xTrain.Sin();
        var net = new Net();
        var criterion = new MseLoss();
        var optimizer = {{(optimizer == "sgd" ? "new Sgd" : "new Adam")}}(net.Parameters(), lr: {{Num.Lit(lr)}});

        for (int epoch = 0; epoch < {{epochs}}; epoch++)
        {
            var output = net.Forward(xTrain);
            var loss = criterion.Forward(output, yTrain);
            loss.Backward();          // Backpropagation
            optimizer.Step();         // Update weights
            optimizer.ZeroGrad();     // Reset gradients
        }

        class Net : Module
        {
            private readonly Linear fc1, fc2, fc3;

            public Net()
            {
                fc1 = RegisterModule("fc1", new Linear(1, 20));
                fc2 = RegisterModule("fc2", new Linear(20, 15));
                fc3 = RegisterModule("fc3", new Linear(15, 1));
            }

            public override Tensor Forward(Tensor x)
            {
                x = fc1.Forward(x).Relu();
                x = fc2.Forward(x).Relu();
                return fc3.Forward(x);
            }
        }
        """;

    /// <summary>The universal-approximation page: 1 → <paramref name="units"/> → 1 sigmoid network on the target <paramref name="target"/>.</summary>
    public static string UniversalApproximation(int seed, int units, string target)
    {
        string f = TargetFunction.Get(target).Code;
        return $$"""
            using Pitts;
            using Pitts.NN;
            using Pitts.Optim;

            Func<double, double> f = x => {{f}};    // {{TargetFunction.Get(target).Title}}
            var g = new Generator({{seed}});
            var x = Tensor.Linspace(-3f, 3f, 30).Reshape(30, 1);
            var y = Tensor.FromArray(x.ToArray().Select(v => (float)f(v)).ToArray(), 30, 1);
            var net = new Sequential(new Linear(1, {{units}}, generator: g), new Sigmoid(), new Linear({{units}}, 1, generator: g));
            var optimizer = new Sgd(net.Parameters(), lr: 0.005f);
            var loss = new MseLoss();

            for (int epoch = 0; epoch < 800; epoch++)
            {
                foreach (int i in g.Permutation(30))    // one point per step, in a new order each epoch
                {
                    optimizer.ZeroGrad();
                    loss.Forward(net.Forward(x.IndexSelect(0, [i])), y.IndexSelect(0, [i])).Backward();
                    optimizer.Step();
                }
            }
            using (Autograd.NoGrad())
                Console.WriteLine($"MSE = {loss.Forward(net.Forward(x), y).Item():0.00000}");
            """;
    }
}
