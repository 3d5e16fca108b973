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
