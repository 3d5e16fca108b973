using System.CommandLine;
using Pitts.Neuro.HodgkinHuxley;

namespace Pitts.Cli.Commands;

/// <summary>pitts hh: the Hodgkin-Huxley model (run, spikes, fi, rates).</summary>
public static class HodgkinHuxleyCommand
{
    // Spike detection keeps V at every step (8 bytes a step, twice over in an f-I sweep on two cores): 1e7 steps is 80 MB.
    private const long MaxSteps = 10_000_000;
    private const long MaxTraceRows = 10_000_000;

    /// <summary>Builds the hh command group.</summary>
    public static Command Create()
    {
        var hh = new Command("hh", "Hodgkin-Huxley squid axon (1952), modern convention: rest -65 mV, 6.3 °C; currents in µA/cm², times in ms");
        hh.Subcommands.Add(Run());
        hh.Subcommands.Add(Spikes());
        hh.Subcommands.Add(Fi());
        hh.Subcommands.Add(Rates());
        hh.Subcommands.Add(Clamp());
        hh.Subcommands.Add(Excitability());
        hh.Subcommands.Add(Bench());
        return hh;
    }

    private sealed class SimOptions
    {
        public Option<double> Duration { get; } = new("--duration", "-d") { Description = "Simulated time in ms", DefaultValueFactory = _ => 100 };
        public Option<double> Dt { get; } = new("--dt") { Description = "Time step in ms (Dormand-Prince: first step and sampling interval)", DefaultValueFactory = _ => 0.01 };
        public Option<string> Method { get; } = new("--method", "-m") { Description = "Integrator: euler, rk4, expeuler (Rush-Larsen) or dopri5 (adaptive Dormand-Prince 5(4))", DefaultValueFactory = _ => "rk4" };
        public Option<double> Temperature { get; } = new("--temperature") { Description = "Temperature in °C (rates scale by Q10 = 3 per 10 °C from 6.3 °C)", DefaultValueFactory = _ => 6.3 };

        public void AddTo(Command c)
        {
            c.Options.Add(Duration);
            c.Options.Add(Dt);
            c.Options.Add(Method);
            c.Options.Add(Temperature);
        }

        public (HodgkinHuxleyModel Model, SimulationOptions Options, double Duration) Read(CommandContext ctx)
        {
            double duration = ctx.Get(Duration), dt = ctx.Get(Dt), temp = ctx.Get(Temperature);
            CommandKit.Require(double.IsFinite(duration) && duration > 0, $"--duration must be a positive number of ms, got {CommandKit.Num(duration)}");
            CommandKit.Require(double.IsFinite(dt) && dt > 0, $"--dt must be a positive number of ms, got {CommandKit.Num(dt)}");
            CommandKit.Require(dt <= duration, $"--dt {CommandKit.Num(dt)} ms is larger than --duration {CommandKit.Num(duration)} ms");
            CommandKit.Require(duration / dt <= MaxSteps, $"--duration / --dt is {duration / dt:G3} steps; at most {MaxSteps:G3}");
            CommandKit.Require(double.IsFinite(temp) && temp > -273.15 && temp < 100, $"--temperature must be between -273.15 and 100 °C, got {CommandKit.Num(temp)}");
            string name = ctx.Get(Method);
            IntegrationMethod method;
            try
            {
                method = SimulationOptions.ParseMethod(name);
            }
            catch (ArgumentException)
            {
                throw new UsageException($"--method: unknown method '{name}' (expected euler, rk4, expeuler or dopri5)");
            }
            var model = new HodgkinHuxleyModel(new HodgkinHuxleyParameters { TemperatureCelsius = temp });
            return (model, new SimulationOptions { Method = method, Dt = dt }, duration);
        }
    }

    /// <summary>The current-clamp protocol options shared by run and spikes.</summary>
    private sealed class StimulusOptions
    {
        public Option<double> Current { get; } = new("--current", "-i") { Description = "Injected current in µA/cm² (the amplitude of the protocol)", DefaultValueFactory = _ => 10 };
        public Option<string> Protocol { get; } = new("--protocol") { Description = "step (from --start on), pulse (--width long), ramp (0 at --start to --current at --ramp-end) or train (--count pulses of --width every --period)", DefaultValueFactory = _ => "step" };
        public Option<double> Start { get; } = new("--start") { Description = "When the current starts, in ms", DefaultValueFactory = _ => 0 };
        public Option<double> Width { get; } = new("--width") { Description = "Pulse width in ms (pulse, train)", DefaultValueFactory = _ => 1 };
        public Option<double> Period { get; } = new("--period") { Description = "Pulse period in ms (train)", DefaultValueFactory = _ => 10 };
        public Option<int> Count { get; } = new("--count") { Description = "Number of pulses (train)", DefaultValueFactory = _ => 10 };
        public Option<double?> RampEnd { get; } = new("--ramp-end") { Description = "When the ramp reaches --current, in ms (default: the end of the run)" };

        public void AddTo(Command c)
        {
            foreach (var o in new Option[] { Current, Protocol, Start, Width, Period, Count, RampEnd }) c.Options.Add(o);
        }

        public (Waveform Waveform, string Title) Read(CommandContext ctx, double duration)
        {
            double i = ctx.Get(Current), start = ctx.Get(Start), width = ctx.Get(Width), period = ctx.Get(Period);
            int count = ctx.Get(Count);
            CommandKit.Require(double.IsFinite(i) && Math.Abs(i) <= 1e4, $"--current must be a number of µA/cm² within ±10000, got {CommandKit.Num(i)}");
            CommandKit.Require(double.IsFinite(start) && start >= 0, $"--start must be a time >= 0 ms, got {CommandKit.Num(start)}");
            string protocol = ctx.Get(Protocol).ToLowerInvariant();
            string amp = $"{CommandKit.Num(i)} µA/cm²";
            switch (protocol)
            {
                case "step":
                    return (Waveform.Step(i, start), start == 0 ? $"I = {amp}" : $"step of {amp} at {CommandKit.Num(start)} ms");
                case "pulse":
                    CommandKit.Require(double.IsFinite(width) && width > 0, $"--width must be a positive number of ms, got {CommandKit.Num(width)}");
                    return (Waveform.Pulse(i, start, width), $"{CommandKit.Num(width)} ms pulse of {amp}");
                case "ramp":
                    double end = ctx.Get(RampEnd) ?? duration;
                    CommandKit.Require(double.IsFinite(end) && end > start, $"--ramp-end {CommandKit.Num(end)} ms must be after --start {CommandKit.Num(start)} ms");
                    return (Waveform.Ramp(0, i, start, end), $"ramp to {amp} at {CommandKit.Num(end)} ms");
                case "train":
                    CommandKit.Require(double.IsFinite(width) && width > 0, $"--width must be a positive number of ms, got {CommandKit.Num(width)}");
                    CommandKit.Require(double.IsFinite(period) && period >= width, $"--period {CommandKit.Num(period)} ms must be at least --width {CommandKit.Num(width)} ms");
                    CommandKit.Require(count is >= 1 and <= 1_000_000, $"--count must be between 1 and 1000000, got {count}");
                    return (Waveform.PulseTrain(i, start, width, period, count), $"{count} pulses of {amp}, every {CommandKit.Num(period)} ms");
                default:
                    throw new UsageException($"--protocol: unknown protocol '{protocol}' (expected step, pulse, ramp or train)");
            }
        }
    }

    private static Option<string?> PlotOption() =>
        new("--plot") { Description = "Also draw the result to this PNG file" };

    private static Command Run()
    {
        var cmd = new Command("run", "Simulate current clamp and print the trace: t_ms, v_mv, m, h, n");
        var current = new StimulusOptions();
        var sim = new SimOptions();
        var interval = new Option<double?>("--record-interval") { Description = "Recording interval in ms (default: every step)" };
        var plot = PlotOption();
        current.AddTo(cmd);
        sim.AddTo(cmd);
        cmd.Options.Add(interval);
        cmd.Options.Add(plot);
        cmd.WithOutputOptions();
        cmd.SetBody(ctx =>
        {
            var (model, options, duration) = sim.Read(ctx);
            var (stimulus, title) = current.Read(ctx, duration);
            double? every = ctx.Get(interval);
            CommandKit.Require(every is null || (double.IsFinite(every.Value) && every.Value > 0), $"--record-interval must be a positive number of ms, got {every}");
            double samples = duration / (every ?? options.Dt);
            CommandKit.Require(samples <= MaxTraceRows, $"the trace would have {samples:G3} rows; at most {MaxTraceRows:G3} (raise --record-interval)");
            string? plotPath = Plots.CheckPath(ctx.Get(plot));
            var trace = model.Simulate(stimulus, duration, options with { RecordInterval = every, Record = RecordedQuantities.Voltage | RecordedQuantities.Gates });
            CommandKit.WriteTable(ctx, ["t_ms", "v_mv", "m", "h", "n"],
                Enumerable.Range(0, trace.Count).Select(k => new[] { Math.Round(trace.Time[k], 9), trace.Voltage[k], trace.M[k], trace.H[k], trace.N[k] }));
            if (plotPath is not null)
                Plots.Line(ctx, plotPath, $"Hodgkin-Huxley, {title}", "t (ms)", "V (mV)", trace.Time, [("V", trace.Voltage)]);
            return CommandKit.ExitOk;
        });
        return cmd;
    }

    private static Command Spikes()
    {
        var cmd = new Command("spikes", "Simulate current clamp and print each spike's time in ms (the time of its voltage peak)");
        var current = new StimulusOptions();
        var sim = new SimOptions();
        var prominence = new Option<double>("--prominence") { Description = "Minimum prominence of a spike's peak in mV", DefaultValueFactory = _ => SpikeDetector.DefaultProminenceMv };
        current.AddTo(cmd);
        sim.AddTo(cmd);
        cmd.Options.Add(prominence);
        cmd.WithOutputOptions();
        cmd.SetBody(ctx =>
        {
            var (model, options, duration) = sim.Read(ctx);
            var (stimulus, _) = current.Read(ctx, duration);
            double p = ctx.Get(prominence);
            CommandKit.Require(double.IsFinite(p) && p > 0, $"--prominence must be a positive number of mV, got {CommandKit.Num(p)}");
            var spikes = model.Simulate(stimulus, duration, options with { Record = RecordedQuantities.Voltage }).Spikes(p);
            CommandKit.WriteTable(ctx, ["spike_time_ms"], spikes.Select(s => new[] { s.TimeMs }));
            return CommandKit.ExitOk;
        });
        return cmd;
    }

    private static Command Fi()
    {
        var cmd = new Command("fi", "The f-I curve: for each current, 1000 / mean inter-spike interval of the spikes in the second half of the run (0 with fewer than two)");
        var from = new Option<double>("--from") { Description = "First current in µA/cm²", DefaultValueFactory = _ => 0 };
        var to = new Option<double>("--to") { Description = "Last current in µA/cm²", DefaultValueFactory = _ => 20 };
        var step = new Option<double>("--step") { Description = "Current step in µA/cm²", DefaultValueFactory = _ => 0.5 };
        var sim = new SimOptions();
        sim.Duration.DefaultValueFactory = _ => 1000;
        var plot = PlotOption();
        cmd.Options.Add(from);
        cmd.Options.Add(to);
        cmd.Options.Add(step);
        sim.AddTo(cmd);
        cmd.Options.Add(plot);
        cmd.WithOutputOptions();
        cmd.SetBody(ctx =>
        {
            var currents = ReadRange(ctx, from, to, step, 10_000, "currents");
            CommandKit.Require(currents.All(c => Math.Abs(c) <= 1e4), "currents must stay within ±10000 µA/cm²");
            var (model, options, duration) = sim.Read(ctx);
            string? plotPath = Plots.CheckPath(ctx.Get(plot));
            var fi = Analysis.FiCurve(model, currents, duration, options);
            CommandKit.WriteTable(ctx, ["current_uA_cm2", "rate_hz"], fi.Select(p => new[] { p.CurrentUaCm2, p.RateHz }));
            if (plotPath is not null)
                Plots.Line(ctx, plotPath, "Hodgkin-Huxley f-I curve", "I (µA/cm²)", "rate (Hz)", currents, [("rate", fi.Select(p => p.RateHz).ToArray())], markers: true);
            return CommandKit.ExitOk;
        });
        return cmd;
    }

    private static Command Rates()
    {
        var cmd = new Command("rates", "The rate functions α, β (1/ms), steady states x∞ and time constants τx (ms) over a voltage range");
        var from = new Option<double>("--from") { Description = "First potential in mV", DefaultValueFactory = _ => -100 };
        var to = new Option<double>("--to") { Description = "Last potential in mV", DefaultValueFactory = _ => 50 };
        var step = new Option<double>("--step") { Description = "Potential step in mV", DefaultValueFactory = _ => 1 };
        var temperature = new Option<double>("--temperature") { Description = "Temperature in °C (rates scale by Q10 = 3 per 10 °C from 6.3 °C)", DefaultValueFactory = _ => 6.3 };
        var plot = PlotOption();
        cmd.Options.Add(from);
        cmd.Options.Add(to);
        cmd.Options.Add(step);
        cmd.Options.Add(temperature);
        cmd.Options.Add(plot);
        cmd.WithOutputOptions();
        cmd.SetBody(ctx =>
        {
            var vs = ReadRange(ctx, from, to, step, 1_000_000, "potentials");
            double temp = ctx.Get(temperature);
            CommandKit.Require(double.IsFinite(temp) && temp > -273.15 && temp < 100, $"--temperature must be between -273.15 and 100 °C, got {CommandKit.Num(temp)}");
            CommandKit.Require(vs.All(v => Math.Abs(v) <= 1000), "potentials must stay within ±1000 mV");
            string? plotPath = Plots.CheckPath(ctx.Get(plot));
            var model = new HodgkinHuxleyModel(new HodgkinHuxleyParameters { TemperatureCelsius = temp });
            var table = vs.Select(v => (V: v, R: model.Rates(v))).ToArray();
            CommandKit.WriteTable(ctx,
                ["v_mv", "alpha_m", "beta_m", "alpha_h", "beta_h", "alpha_n", "beta_n", "m_inf", "h_inf", "n_inf", "tau_m_ms", "tau_h_ms", "tau_n_ms"],
                table.Select(x => new[]
                {
                    x.V, x.R.AlphaM, x.R.BetaM, x.R.AlphaH, x.R.BetaH, x.R.AlphaN, x.R.BetaN,
                    x.R.MInf, x.R.HInf, x.R.NInf, x.R.TauM, x.R.TauH, x.R.TauN,
                }));
            if (plotPath is not null)
                Plots.Line(ctx, plotPath, "Hodgkin-Huxley rate functions", "V (mV)", "rate (1/ms)", vs,
                [
                    ("αm", table.Select(x => x.R.AlphaM).ToArray()), ("βm", table.Select(x => x.R.BetaM).ToArray()),
                    ("αh", table.Select(x => x.R.AlphaH).ToArray()), ("βh", table.Select(x => x.R.BetaH).ToArray()),
                    ("αn", table.Select(x => x.R.AlphaN).ToArray()), ("βn", table.Select(x => x.R.BetaN).ToArray()),
                ]);
            return CommandKit.ExitOk;
        });
        return cmd;
    }

    private static Command Clamp()
    {
        var cmd = new Command("clamp", "Voltage clamp as Hodgkin and Huxley did it: hold V, step it, and print the currents (µA/cm²) and conductances (mS/cm²)");
        var hold = new Option<double>("--hold") { Description = "Holding potential in mV", DefaultValueFactory = _ => -65 };
        var step = new Option<double>("--step") { Description = "Command potential of the step in mV", DefaultValueFactory = _ => 0 };
        var start = new Option<double>("--start") { Description = "Time the step starts, in ms", DefaultValueFactory = _ => 1 };
        var width = new Option<double?>("--width") { Description = "How long the step lasts in ms (default: to the end)" };
        var duration = new Option<double>("--duration", "-d") { Description = "Recorded time in ms", DefaultValueFactory = _ => 20 };
        var dt = new Option<double>("--dt") { Description = "Time step in ms", DefaultValueFactory = _ => 0.01 };
        var temperature = new Option<double>("--temperature") { Description = "Temperature in °C", DefaultValueFactory = _ => 6.3 };
        var plot = PlotOption();
        foreach (var o in new Option[] { hold, step, start, width, duration, dt, temperature, plot }) cmd.Options.Add(o);
        cmd.WithOutputOptions();
        cmd.SetBody(ctx =>
        {
            double vh = ctx.Get(hold), vs = ctx.Get(step), t0 = ctx.Get(start), d = ctx.Get(duration), h = ctx.Get(dt), temp = ctx.Get(temperature);
            double? w = ctx.Get(width);
            CommandKit.Require(double.IsFinite(vh) && Math.Abs(vh) <= 500, $"--hold must be a potential within ±500 mV, got {CommandKit.Num(vh)}");
            CommandKit.Require(double.IsFinite(vs) && Math.Abs(vs) <= 500, $"--step must be a potential within ±500 mV, got {CommandKit.Num(vs)}");
            CommandKit.Require(double.IsFinite(d) && d > 0, $"--duration must be a positive number of ms, got {CommandKit.Num(d)}");
            CommandKit.Require(double.IsFinite(h) && h > 0, $"--dt must be a positive number of ms, got {CommandKit.Num(h)}");
            CommandKit.Require(h <= d, $"--dt {CommandKit.Num(h)} ms is larger than --duration {CommandKit.Num(d)} ms");
            CommandKit.Require(d / h <= MaxTraceRows, $"--duration / --dt is {d / h:G3} rows; at most {MaxTraceRows:G3}");
            CommandKit.Require(double.IsFinite(t0) && t0 >= 0, $"--start must be a time >= 0 ms, got {CommandKit.Num(t0)}");
            CommandKit.Require(w is null || (double.IsFinite(w.Value) && w.Value > 0), $"--width must be a positive number of ms, got {w}");
            CommandKit.Require(double.IsFinite(temp) && temp > -273.15 && temp < 100, $"--temperature must be between -273.15 and 100 °C, got {CommandKit.Num(temp)}");
            string? plotPath = Plots.CheckPath(ctx.Get(plot));
            var model = new HodgkinHuxleyModel(new HodgkinHuxleyParameters { TemperatureCelsius = temp });
            var command = Waveform.Step(vs, t0, w is { } ww ? t0 + ww : double.PositiveInfinity, baseline: vh);
            var c = VoltageClamp.Run(model, command, d, h);
            CommandKit.WriteTable(ctx, ["t_ms", "v_mv", "i_na_uA_cm2", "i_k_uA_cm2", "i_leak_uA_cm2", "g_na_mS_cm2", "g_k_mS_cm2"],
                Enumerable.Range(0, c.Time.Length).Select(k => new[] { Math.Round(c.Time[k], 9), c.Voltage[k], c.INa[k], c.IK[k], c.ILeak[k], c.GNa[k], c.GK[k] }));
            if (plotPath is not null)
                Plots.Line(ctx, plotPath, $"Voltage clamp {CommandKit.Num(vh)} → {CommandKit.Num(vs)} mV", "t (ms)", "I (µA/cm²)", c.Time, [("INa", c.INa), ("IK", c.IK)]);
            return CommandKit.ExitOk;
        });
        return cmd;
    }

    private static Command Excitability()
    {
        var cmd = new Command("excitability", "Resting potential, rheobase, onset of repetitive firing, Hopf current and pulse threshold, by bisection");
        var width = new Option<double>("--pulse-width") { Description = "Width of the threshold pulse in ms", DefaultValueFactory = _ => 1 };
        var temperature = new Option<double>("--temperature") { Description = "Temperature in °C", DefaultValueFactory = _ => 6.3 };
        cmd.Options.Add(width);
        cmd.Options.Add(temperature);
        cmd.WithOutputOptions();
        cmd.SetBody(ctx =>
        {
            double w = ctx.Get(width), temp = ctx.Get(temperature);
            CommandKit.Require(double.IsFinite(w) && w > 0 && w <= 100, $"--pulse-width must be between 0 and 100 ms, got {CommandKit.Num(w)}");
            CommandKit.Require(double.IsFinite(temp) && temp > -273.15 && temp < 100, $"--temperature must be between -273.15 and 100 °C, got {CommandKit.Num(temp)}");
            var model = new HodgkinHuxleyModel(new HodgkinHuxleyParameters { TemperatureCelsius = temp });
            (string Name, double Value)[] rows =
            [
                ("rest_mv", model.RestingPotential()),
                ("rheobase_uA_cm2", Analysis.Rheobase(model)),
                ("repetitive_onset_uA_cm2", Analysis.RepetitiveFiringOnset(model, tolerance: 1e-3)),
                ("hopf_uA_cm2", Analysis.HopfCurrent(model)),
                ("pulse_threshold_uA_cm2", Analysis.PulseThreshold(model, w, upper: 1e5)),
            ];
            if (ctx.Json)
            {
                CommandKit.WriteJson(ctx, j =>
                {
                    j.WriteStartObject();
                    j.WriteNumber("temperature_celsius", temp);
                    j.WriteNumber("pulse_width_ms", w);
                    foreach (var (name, value) in rows) CommandKit.WriteNumber(j, name, value);
                    j.WriteEndObject();
                });
            }
            else
            {
                CommandKit.WithWriter(ctx, o =>
                {
                    o.Write("quantity,value\n");
                    foreach (var (name, value) in rows) o.Write($"{name},{CommandKit.Num(value)}\n");
                });
            }
            return CommandKit.ExitOk;
        });
        return cmd;
    }

    private static Command Bench()
    {
        var cmd = new Command("bench", "Time 1 s of simulated time at dt = 0.01 ms (10 µA/cm², V recorded every step) for each method, and the 41-current f-I sweep; best of --repeat runs");
        var repeat = new Option<int>("--repeat") { Description = "Timed runs per method (after one warm-up)", DefaultValueFactory = _ => 20 };
        cmd.Options.Add(repeat);
        cmd.WithOutputOptions();
        cmd.SetBody(ctx =>
        {
            int n = ctx.Get(repeat);
            CommandKit.Require(n is >= 1 and <= 1000, $"--repeat must be between 1 and 1000, got {n}");
            var model = new HodgkinHuxleyModel();
            var rows = new List<double[]>();
            var names = new List<string>();
            foreach (var method in Enum.GetValues<IntegrationMethod>())
            {
                var o = new SimulationOptions { Method = method, Dt = 0.01, Record = RecordedQuantities.Voltage };
                var (best, median) = Time(() => model.Simulate(10, 1000, o), n);
                names.Add(method.ToString());
                rows.Add([best, median]);
            }
            var currents = Analysis.Range(0, 20, 0.5);
            foreach (var method in new[] { IntegrationMethod.RungeKutta4, IntegrationMethod.ExponentialEuler })
            {
                var o = new SimulationOptions { Method = method };
                var (best, median) = Time(() => Analysis.FiCurve(model, currents, 1000, o), Math.Max(1, n / 10));
                names.Add($"FiCurve41x1s.{method}");
                rows.Add([best, median]);
            }
            if (ctx.Json)
            {
                CommandKit.WriteJson(ctx, j =>
                {
                    j.WriteStartArray();
                    for (int i = 0; i < rows.Count; i++)
                    {
                        j.WriteStartObject();
                        j.WriteString("workload", names[i]);
                        j.WriteNumber("best_ms", rows[i][0]);
                        j.WriteNumber("median_ms", rows[i][1]);
                        j.WriteEndObject();
                    }
                    j.WriteEndArray();
                });
            }
            else
            {
                CommandKit.WithWriter(ctx, w =>
                {
                    w.Write("workload,best_ms,median_ms\n");
                    for (int i = 0; i < rows.Count; i++)
                        w.Write($"{names[i]},{CommandKit.Num(Math.Round(rows[i][0], 3))},{CommandKit.Num(Math.Round(rows[i][1], 3))}\n");
                });
            }
            return CommandKit.ExitOk;
        });
        return cmd;
    }

    private static (double Best, double Median) Time(Action work, int repeat)
    {
        work(); // warm-up: JIT and tiering
        var ms = new double[repeat];
        for (int i = 0; i < repeat; i++)
        {
            var sw = System.Diagnostics.Stopwatch.StartNew();
            work();
            ms[i] = sw.Elapsed.TotalMilliseconds;
        }
        Array.Sort(ms);
        return (ms[0], ms[repeat / 2]);
    }

    private static double[] ReadRange(CommandContext ctx, Option<double> from, Option<double> to, Option<double> step, int max, string what)
    {
        double a = ctx.Get(from), b = ctx.Get(to), s = ctx.Get(step);
        CommandKit.Require(double.IsFinite(a) && double.IsFinite(b), $"--from and --to must be numbers, got {CommandKit.Num(a)} and {CommandKit.Num(b)}");
        CommandKit.Require(double.IsFinite(s) && s > 0, $"--step must be a positive number, got {CommandKit.Num(s)}");
        CommandKit.Require(b >= a, $"--to {CommandKit.Num(b)} is below --from {CommandKit.Num(a)}");
        double n = Math.Floor((b - a) / s + 1e-9) + 1;
        CommandKit.Require(n <= max, $"{n:G3} {what} from --from to --to by --step; at most {max}");
        return Analysis.Range(a, b, s);
    }
}
