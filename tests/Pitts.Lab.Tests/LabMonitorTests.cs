using Pitts.Lab.Services;

namespace Pitts.Lab.Tests;

/// <summary>The lab's shared redraw budget: many trainings at once each draw less often.</summary>
public sealed class LabMonitorTests
{
    [Fact]
    public void RunningTrainingsShareTheFrameBudget()
    {
        var monitor = new LabMonitor();
        Assert.Equal(20, monitor.FrameRate(20));
        for (int i = 0; i < 2; i++) Assert.True(monitor.TryEnter());
        Assert.Equal(20, monitor.FrameRate(20));
        for (int i = 2; i < 20; i++) Assert.True(monitor.TryEnter());
        Assert.Equal(3, monitor.FrameRate(20));
        for (int i = 20; i < LabMonitor.MaxConcurrentTrainings; i++) Assert.True(monitor.TryEnter());
        Assert.Equal(1, monitor.FrameRate(20));
        Assert.False(monitor.TryEnter());
        Assert.Equal(LabMonitor.MaxConcurrentTrainings, monitor.Running);
    }
}
