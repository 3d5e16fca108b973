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
}
