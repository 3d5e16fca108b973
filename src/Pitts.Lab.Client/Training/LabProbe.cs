using Microsoft.JSInterop;

namespace Pitts.Lab.Services;

/// <summary>
/// What the tests and the benchmark read from the page (<c>DotNet.invokeMethod('Pitts.Lab.Client', ...)</c>): how many
/// trainings run in this tab, and the longest slice any of them held the browser's thread.
/// </summary>
public static class LabProbe
{
    /// <summary>Training loops running in this tab now.</summary>
    public static int Running { get; set; }

    /// <summary>The longest slice of training steps so far, in milliseconds.</summary>
    public static double LongestSlice { get; set; }

    /// <summary>Training loops running in this tab now.</summary>
    [JSInvokable]
    public static int RunningTrainings() => Running;

    /// <summary>The longest slice of training steps so far in this tab, in milliseconds.</summary>
    [JSInvokable]
    public static double LongestSliceMs() => LongestSlice;
}
