using System.Diagnostics;
using GmaiBench.Pipeline;
using GmaiBench.Sources;

namespace GmaiBench.Tests.Cluster;

public class StatCacheTests(DemoCorpusFixture corpus) : IClassFixture<DemoCorpusFixture>
{
    [Fact]
    public void A_stamp_is_the_size_modification_time_and_inode_the_system_reports()
    {
        var file = Path.Combine(TestData.TempDir("stamp"), "x.bin");
        File.WriteAllBytes(file, new byte[12345]);
        var stamp = FileKinds.Stamp(file)!.Value;
        var info = new FileInfo(file);
        Assert.Equal(12345, stamp.Size);
        Assert.Equal(info.LastWriteTimeUtc.Ticks, stamp.MtimeTicks);
        using var stat = Process.Start(new ProcessStartInfo("stat", ["-c", "%i", file]) { RedirectStandardOutput = true })!;
        var inode = long.Parse(stat.StandardOutput.ReadToEnd().Trim(), System.Globalization.CultureInfo.InvariantCulture);
        stat.WaitForExit();
        Assert.Equal(inode, stamp.Inode);
        Assert.Null(FileKinds.Stamp(file + ".missing"));
    }

    [Fact]
    public void A_rebuild_trusts_size_time_and_inode_and_rehash_reads_every_byte()
    {
        var project = corpus.NewProject("stat-cache");
        var first = project.Build();
        Assert.True(first.Report.Decoded > 100);
        var image = Directory.GetFiles(project.PathOf("demo/corpus/fundus"), "*.png", SearchOption.AllDirectories).Order(StringComparer.Ordinal).First();
        var original = File.ReadAllBytes(image);
        var mtime = File.GetLastWriteTimeUtc(image);

        // Changed in place, size and time kept: the stat cache cannot see it (documented), --rehash does.
        using (var f = new FileStream(image, FileMode.Open, FileAccess.Write))
        {
            f.Position = original.Length / 2;
            f.WriteByte((byte)(original[original.Length / 2] ^ 0xFF));
        }
        File.SetLastWriteTimeUtc(image, mtime);
        Assert.Equal(0, project.Build().Report.Decoded);
        var rehashed = BuildRunner.Run(project.Config(), new BuildOptions { Jobs = 2, Rehash = true });
        Assert.Equal(1, rehashed.Report.Decoded);

        // Replaced by another file (a new inode) of the same size and time: read again.
        var temp = image + ".new";
        File.WriteAllBytes(temp, original);
        File.SetLastWriteTimeUtc(temp, mtime);
        File.Move(temp, image, overwrite: true);
        Assert.Equal(1, project.Build().Report.Decoded);
        Assert.Equal(0, project.Build().Report.Decoded);
    }

    [Fact]
    public void A_rebuild_that_would_write_the_same_folder_leaves_it_alone_and_restores_a_file_that_went_missing()
    {
        var project = corpus.NewProject("output-stamp");
        var (_, folder) = Workflows.Build(project.Config(), new BuildOptions { Jobs = 2 });
        var digests = ShardedBuildTests.DigestsOf(folder);
        var times = Directory.GetFiles(folder).ToDictionary(f => f, File.GetLastWriteTimeUtc);
        Thread.Sleep(20);

        Workflows.Build(project.Config(), new BuildOptions { Jobs = 2 });
        Assert.All(times, kv => Assert.Equal(kv.Value, File.GetLastWriteTimeUtc(kv.Key)));   // not rewritten

        File.Delete(Path.Combine(folder, "rejects.tsv"));
        Workflows.Build(project.Config(), new BuildOptions { Jobs = 2 });
        Assert.Equal(digests, ShardedBuildTests.DigestsOf(folder));

        // A change to what the folder holds (the pipeline's display name, which names the files) rewrites it.
        var pipeline = project.PathOf("pipelines/demo.yaml");
        File.WriteAllText(pipeline, File.ReadAllText(pipeline).Replace("display_name: GmaiDemo", "display_name: GmaiDemoB", StringComparison.Ordinal));
        Workflows.Build(project.Config(), new BuildOptions { Jobs = 2 });
        Assert.True(File.Exists(Path.Combine(folder, "GmaiDemoB.tsv")));
        Assert.False(File.Exists(Path.Combine(folder, "GmaiDemo.tsv")));
    }
}
