using Pitts.Cli.Commands;

namespace Pitts.Cli;

/// <summary>PNG line plots for the commands' --plot option, drawn with ScottPlot.</summary>
public static class Plots
{
    /// <summary>Checks a --plot path before any work is done: null passes, otherwise it must end in .png in an existing folder.</summary>
    public static string? CheckPath(string? path)
    {
        if (path is null) return null;
        CommandKit.Require(path.EndsWith(".png", StringComparison.OrdinalIgnoreCase), $"--plot: '{path}' must end in .png");
        string? dir = Path.GetDirectoryName(Path.GetFullPath(path));
        CommandKit.Require(dir is null || Directory.Exists(dir), $"--plot: folder '{dir}' does not exist");
        return path;
    }

    /// <summary>Draws one or more series against <paramref name="xs"/> and saves an 900x450 PNG.</summary>
    public static void Line(CommandContext ctx, string path, string title, string xLabel, string yLabel, double[] xs,
        IReadOnlyList<(string Label, double[] Ys)> series, bool markers = false)
    {
        var plot = new ScottPlot.Plot();
        plot.Font.Set("DejaVu Sans");
        foreach (var (label, ys) in series)
        {
            var s = plot.Add.Scatter(xs, ys);
            s.MarkerSize = markers ? 5 : 0;
            s.LineWidth = 1.5f;
            if (series.Count > 1) s.LegendText = label;
        }
        if (series.Count > 1) plot.ShowLegend();
        plot.Title(title);
        plot.XLabel(xLabel);
        plot.YLabel(yLabel);
        string full = Path.GetFullPath(path);
        plot.SavePng(full, 900, 450);
        ctx.Error.WriteLine($"wrote {full}");
    }
}
