using System.Runtime.CompilerServices;
using Pitts.Tests.IO;

namespace Pitts.Tests.Data;

internal static class TestSetup
{
    /// <summary>Points Datasets.Mnist() at the repository's data folder when the tests run from an artifacts folder outside it.</summary>
    [ModuleInitializer]
    internal static void PointAtRepositoryData()
    {
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable("PITTS_DATA")))
            Environment.SetEnvironmentVariable("PITTS_DATA", Path.Combine(TestFiles.RepoRoot(), "data"));
    }
}
