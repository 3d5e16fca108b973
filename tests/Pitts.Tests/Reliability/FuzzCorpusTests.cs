using Pitts.Fuzz;
using Pitts.Tests.IO;

namespace Pitts.Tests.Reliability;

/// <summary>
/// Replays the fuzzer's saved corpus (fuzz/corpus, minimised from afl++'s queue by fuzz/run.sh) and the seeds
/// through every reader, not only the one that found each input: every input is accepted or refused with a typed
/// Pitts error, so what the fuzzer explored stays covered in CI without afl++.
/// </summary>
public sealed class FuzzCorpusTests
{
    private static string Fuzz => Path.Combine(TestFiles.RepoRoot(), "fuzz");

    public static TheoryData<string> Folders() =>
        new(new[] { "corpus", "seeds" }.SelectMany(root => Directory.Exists(Path.Combine(Fuzz, root))
            ? Directory.EnumerateDirectories(Path.Combine(Fuzz, root)).Select(d => Path.GetRelativePath(Fuzz, d))
            : []).Order(StringComparer.Ordinal));

    [Theory]
    [MemberData(nameof(Folders))]
    public void Every_saved_input_is_accepted_or_refused_with_a_typed_error_by_every_reader(string folder)
    {
        var files = Directory.EnumerateFiles(Path.Combine(Fuzz, folder)).Order(StringComparer.Ordinal).ToList();
        Assert.NotEmpty(files);
        int accepted = 0, refused = 0;
        foreach (var file in files)
        {
            var bytes = File.ReadAllBytes(file);
            foreach (var target in Targets.All.Keys)
            {
                bool ok;
                try { ok = Targets.Run(target, bytes); }
                catch (Exception e)
                {
                    throw new Xunit.Sdk.XunitException($"{Path.GetRelativePath(Fuzz, file)} through '{target}': {e.GetType().Name}: {e.Message}\n{e.StackTrace}");
                }
                if (ok) accepted++;
                else refused++;
            }
        }
        // The folder of each target holds inputs its reader accepts (the seeds, the queue's valid files) and refuses.
        string own = Path.GetFileName(folder);
        if (Targets.All.ContainsKey(own))
            Assert.Contains(files, f => Targets.Run(own, File.ReadAllBytes(f)));
        Assert.True(accepted + refused == files.Count * Targets.All.Count);
    }

    [Fact]
    public void Every_target_has_seeds()
    {
        foreach (var target in Targets.All.Keys)
            Assert.NotEmpty(Directory.EnumerateFiles(Path.Combine(Fuzz, "seeds", target)));
    }
}
