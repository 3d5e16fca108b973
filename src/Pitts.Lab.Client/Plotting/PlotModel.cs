using System.Globalization;
using System.Text;

namespace Pitts.Lab.Services;

/// <summary>One curve or scatter of a <c>Plot</c>.</summary>
/// <param name="Name">Legend text (empty hides it from the legend).</param>
/// <param name="Color">CSS colour.</param>
/// <param name="X">X values.</param>
/// <param name="Y">Y values (NaN breaks the line).</param>
public sealed record Series(string Name, string Color, IReadOnlyList<double> X, IReadOnlyList<double> Y)
{
    /// <summary>Line width in pixels (0 draws no line).</summary>
    public double Width { get; init; } = 2;

    /// <summary>Marker radius in pixels (0 draws no markers).</summary>
    public double Markers { get; init; }

    /// <summary>Dashed line.</summary>
    public bool Dashed { get; init; }

    /// <summary>Opacity of the line.</summary>
    public double Opacity { get; init; } = 1;
}

/// <summary>Maps data coordinates to pixels for a plot area and formats SVG path data.</summary>
public sealed class PlotFrame
{
    /// <summary>Creates the mapping.</summary>
    public PlotFrame(double width, double height, double xMin, double xMax, double yMin, double yMax, bool logY = false)
    {
        Width = width; Height = height; LogY = logY;
        if (!(xMax > xMin)) { xMin -= 0.5; xMax += 0.5; }
        if (!(yMax > yMin)) { yMin -= 0.5; yMax += 0.5; }
        XMin = xMin; XMax = xMax; YMin = yMin; YMax = yMax;
    }

    /// <summary>Left margin in pixels.</summary>
    public const double Left = 52;

    /// <summary>Right margin.</summary>
    public const double Right = 12;

    /// <summary>Top margin.</summary>
    public const double Top = 12;

    /// <summary>Bottom margin.</summary>
    public const double Bottom = 38;

    /// <summary>Total width.</summary>
    public double Width { get; }

    /// <summary>Total height.</summary>
    public double Height { get; }

    /// <summary>Smallest x shown.</summary>
    public double XMin { get; }

    /// <summary>Largest x shown.</summary>
    public double XMax { get; }

    /// <summary>Smallest y shown.</summary>
    public double YMin { get; }

    /// <summary>Largest y shown.</summary>
    public double YMax { get; }

    /// <summary>Logarithmic y axis.</summary>
    public bool LogY { get; }

    /// <summary>Width of the plot area.</summary>
    public double AreaWidth => Width - Left - Right;

    /// <summary>Height of the plot area.</summary>
    public double AreaHeight => Height - Top - Bottom;

    private double Ty(double y) => LogY ? Math.Log10(Math.Max(y, 1e-12)) : y;

    /// <summary>Pixel x of data x.</summary>
    public double Px(double x) => Left + (x - XMin) / (XMax - XMin) * AreaWidth;

    /// <summary>Pixel y of data y.</summary>
    public double Py(double y) => Top + (1 - (Ty(y) - Ty(YMin)) / (Ty(YMax) - Ty(YMin))) * AreaHeight;

    /// <summary>Data x of pixel x.</summary>
    public double DataX(double px) => XMin + (px - Left) / AreaWidth * (XMax - XMin);

    /// <summary>Data y of pixel y (linear axes).</summary>
    public double DataY(double py) => YMin + (1 - (py - Top) / AreaHeight) * (YMax - YMin);

    /// <summary>SVG path data through the points, broken at non-finite values and clipped to a sane pixel range.</summary>
    public string Path(IReadOnlyList<double> xs, IReadOnlyList<double> ys)
    {
        var sb = new StringBuilder();
        bool pen = false;
        int n = Math.Min(xs.Count, ys.Count);
        for (int i = 0; i < n; i++)
        {
            double x = xs[i], y = ys[i];
            if (!double.IsFinite(x) || !double.IsFinite(y)) { pen = false; continue; }
            double px = Px(x), py = Math.Clamp(Py(y), -10 * Height, 11 * Height);
            sb.Append(pen ? 'L' : 'M').Append(N(px)).Append(',').Append(N(py));
            pen = true;
        }
        return sb.ToString();
    }

    /// <summary>A number for SVG attributes (invariant, one decimal).</summary>
    public static string N(double v) => v.ToString("0.#", CultureInfo.InvariantCulture);

    /// <summary>
    /// About <paramref name="count"/> round tick values covering [lo, hi]; with <paramref name="integer"/> only whole
    /// numbers (for counts such as a polynomial degree or a step, where 2.5 means nothing).
    /// </summary>
    public static List<double> Ticks(double lo, double hi, int count = 5, bool integer = false)
    {
        var ticks = new List<double>();
        if (!(hi > lo) || !double.IsFinite(lo) || !double.IsFinite(hi)) return ticks;
        double raw = (hi - lo) / count;
        double mag = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        double step = new[] { 1, 2, 2.5, 5, 10 }.Select(m => m * mag).First(s => s >= raw * 0.999);
        if (integer) step = step < 1 ? 1 : step == Math.Floor(step) ? step : Math.Floor(step); // 2.5 → 2
        for (double t = Math.Ceiling(lo / step) * step; t <= hi + step * 1e-9; t += step)
            ticks.Add(Math.Abs(t) < step * 1e-9 ? 0 : t);
        return ticks;
    }

    /// <summary>Approximate width in pixels of a tick label (11 px sans-serif: about 7 px a character).</summary>
    public static double TickLabelWidth(string label) => label.Length * 7.0;

    /// <summary>
    /// Where to draw an x tick label at <paramref name="px"/> so that it stays inside an SVG of width
    /// <paramref name="width"/>: centred under the tick, or right-aligned to the edge when centring would cut it
    /// (the right margin is narrower than half of "3000").
    /// </summary>
    public static (double X, string Anchor) XTickAnchor(double px, string label, double width)
    {
        double half = TickLabelWidth(label) / 2;
        if (px + half > width - 1) return (width - 1, "end");
        if (px - half < 1) return (1, "start");
        return (px, "middle");
    }

    /// <summary>
    /// A log axis range for data in [<paramref name="lo"/>, <paramref name="hi"/>] (both &gt; 0): the data's range,
    /// widened to the enclosing powers of ten when it holds fewer than two of them, so the axis always has labels.
    /// </summary>
    public static (double Lo, double Hi) LogRange(double lo, double hi)
    {
        if (!(lo > 0) || !(hi >= lo)) return (lo, hi);
        if (Math.Floor(Math.Log10(hi)) - Math.Ceiling(Math.Log10(lo)) >= 1) return (lo, hi);
        double a = Math.Pow(10, Math.Floor(Math.Log10(lo))), b = Math.Pow(10, Math.Ceiling(Math.Log10(hi)));
        if (!(b > a)) b = a * 10;
        return (a, b);
    }

    /// <summary>
    /// Powers of ten in [<paramref name="lo"/>, <paramref name="hi"/>] for a log axis <paramref name="heightPx"/>
    /// high, thinned to every 2nd, 3rd, 5th… decade so that labels stay at least 16 px apart.
    /// </summary>
    public static List<double> LogTicks(double lo, double hi, double heightPx)
    {
        var list = new List<double>();
        if (!(lo > 0) || !(hi >= lo) || !double.IsFinite(hi)) return list;
        int e0 = (int)Math.Ceiling(Math.Log10(lo) - 1e-9), e1 = (int)Math.Floor(Math.Log10(hi) + 1e-9);
        double perDecade = heightPx / Math.Max(Math.Log10(hi) - Math.Log10(lo), 1e-9);
        int stride = new[] { 1, 2, 3, 4, 5, 10, 20, 50 }.FirstOrDefault(s => s * perDecade >= 16, 100);
        for (int e = e0; e <= e1; e++)
            if (((e % stride) + stride) % stride == 0) list.Add(Math.Pow(10, e));
        return list;
    }

    /// <summary>
    /// Where to put a legend box of <paramref name="width"/> × <paramref name="height"/> pixels: the inside corner of
    /// the plot area that hides the least of the curves (as matplotlib's loc="best"). Each curve is walked in steps of
    /// at most 3 px, so a line crossing a corner counts even where it has no point there; ties keep the order
    /// top-left, top-right, bottom-left, bottom-right. Returns the box's top-left pixel and how many curve samples it
    /// hides (0: a free corner).
    /// </summary>
    public (double X, double Y, int Hidden) LegendBox(IEnumerable<Series> series, double width, double height)
    {
        const double inset = 6, topInset = 4;
        (double X, double Y)[] corners =
        [
            (Left + inset, Top + topInset),
            (Left + AreaWidth - inset - width, Top + topInset),
            (Left + inset, Top + AreaHeight - inset - height),
            (Left + AreaWidth - inset - width, Top + AreaHeight - inset - height),
        ];
        var hidden = new int[corners.Length];
        void Count(double px, double py)
        {
            for (int c = 0; c < corners.Length; c++)
                if (px >= corners[c].X && px <= corners[c].X + width && py >= corners[c].Y && py <= corners[c].Y + height) hidden[c]++;
        }
        foreach (var s in series)
        {
            int n = Math.Min(s.X.Count, s.Y.Count);
            double lastX = double.NaN, lastY = double.NaN;
            for (int i = 0; i < n; i++)
            {
                if (!double.IsFinite(s.X[i]) || !double.IsFinite(s.Y[i]) || (LogY && s.Y[i] <= 0)) { lastX = double.NaN; continue; }
                double px = Px(s.X[i]), py = Py(s.Y[i]);
                if (s.Width > 0 && double.IsFinite(lastX))
                {
                    int steps = (int)Math.Min(1000, Math.Ceiling(Math.Max(Math.Abs(px - lastX), Math.Abs(py - lastY)) / 3));
                    for (int k = 1; k < steps; k++) Count(lastX + (px - lastX) * k / steps, lastY + (py - lastY) * k / steps);
                }
                Count(px, py);
                (lastX, lastY) = (px, py);
            }
        }
        int best = 0;
        for (int c = 1; c < corners.Length; c++) if (hidden[c] < hidden[best]) best = c;
        return (corners[best].X, corners[best].Y, hidden[best]);
    }

    /// <summary>
    /// Tick label of a power of ten on a log axis: plain from 0.001 to 1000, "1e4", "1e-4" beyond, so one axis does
    /// not mix "10000" with "1e5".
    /// </summary>
    public static string LogLabel(double v)
    {
        int e = (int)Math.Round(Math.Log10(v));
        return e is >= -3 and <= 3 ? Label(v) : "1e" + e.ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>Tick label text.</summary>
    public static string Label(double v)
    {
        double a = Math.Abs(v);
        if (a != 0 && (a >= 1e5 || a < 1e-3)) return v.ToString("0.#e0", CultureInfo.InvariantCulture);
        return v.ToString("0.###", CultureInfo.InvariantCulture);
    }
}

/// <summary>Number formatting for the pages (invariant culture).</summary>
public static class Num
{
    /// <summary>Up to <paramref name="digits"/> decimals, no trailing zeros.</summary>
    public static string F(double v, int digits = 3)
    {
        if (double.IsNaN(v)) return "NaN";
        if (double.IsInfinity(v)) return v > 0 ? "∞" : "−∞";
        double a = Math.Abs(v);
        if (a != 0 && (a < Math.Pow(10, -digits) || a >= 1e7)) return v.ToString("0.###e0", CultureInfo.InvariantCulture);
        string s = v.ToString("0." + new string('#', digits), CultureInfo.InvariantCulture);
        return s == "-0" ? "0" : s;
    }

    /// <summary>Exactly <paramref name="digits"/> decimals.</summary>
    public static string Fixed(double v, int digits) => v.ToString("F" + digits, CultureInfo.InvariantCulture);

    /// <summary>Invariant string for code samples (C# float literal).</summary>
    public static string Lit(double v) => v.ToString("0.######", CultureInfo.InvariantCulture) + "f";
}
