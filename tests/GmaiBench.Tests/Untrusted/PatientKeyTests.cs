using System.Security.Cryptography;
using System.Text;
using GmaiBench.Catalog;
using GmaiBench.Model;
using GmaiBench.Pipeline;
using GmaiBench.Release;

namespace GmaiBench.Tests.Untrusted;

public class PatientKeyTests(DemoCorpusFixture corpus) : IClassFixture<DemoCorpusFixture>
{
    [Fact]
    public void Group_keys_are_keyed_hashes_that_a_dictionary_of_ids_cannot_reverse()
    {
        var a = new PatientKeys(Encoding.UTF8.GetBytes(new string('a', 64)));
        var b = new PatientKeys(Encoding.UTF8.GetBytes(new string('b', 64)));
        Assert.NotEqual(a.Hash("MRN-0001"), b.Hash("MRN-0001"));
        Assert.Equal(a.Hash("MRN-0001"), new PatientKeys(Encoding.UTF8.GetBytes(new string('a', 64))).Hash("MRN-0001"));
        var unsalted = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes("MRN-0001")))[..16];
        Assert.NotEqual(unsalted, a.Hash("MRN-0001"));
        Assert.DoesNotContain(a.Fingerprint, a.Hash("MRN-0001"));
    }

    [Fact]
    public void The_catalog_holds_no_raw_or_unsalted_patient_key_and_a_release_refuses_another_secret()
    {
        var project = corpus.NewProject("patient-keys");
        var build = project.Build();
        using (var db = build.Work.OpenCatalog())
        {
            var groups = new CatalogStore(db).Cases().Select(c => c.GroupKey).Distinct().ToList();
            // The demo's DICOM series carry Patient IDs DEMO-PATIENT-0..; its fundus files name patients p000..
            foreach (var id in Enumerable.Range(0, 6).Select(i => $"DEMO-PATIENT-{i}"))
                Assert.DoesNotContain(groups, g => g.Contains(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(id)))[..16]));
            Assert.DoesNotContain(groups, g => g.Contains("/p0") || g.Contains("DEMO-PATIENT"));
        }
        ReleaseWriter.Write(Workflows.ReleaseInputOf(build), "1.0.0");

        // Another secret: the next release is refused, naming both fingerprints.
        File.WriteAllText(project.PathOf("demo/corpus/patient-key.demo"), new string('7', 64) + "\n");
        var other = project.Build();
        var e = Assert.Throws<ReleaseRefusedException>(() => ReleaseWriter.Write(Workflows.ReleaseInputOf(other), "1.0.1"));
        Assert.Contains("another patient-key secret", e.Message);
    }

    [Fact]
    public void Without_a_configured_secret_the_first_build_makes_one_private_to_the_user_and_every_build_says_so()
    {
        var project = corpus.NewProject("patient-key-generated");
        var pipeline = project.PathOf("pipelines/demo.yaml");
        var text = File.ReadAllLines(pipeline).Where(l => !l.StartsWith("patient_key:", StringComparison.Ordinal) && !l.TrimStart().StartsWith("file: ../demo/corpus/patient-key", StringComparison.Ordinal));
        File.WriteAllLines(pipeline, text);
        var build = project.Build();
        var path = build.Work.PatientKeyPath;
        Assert.True(File.Exists(path));
        if (!OperatingSystem.IsWindows()) Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        var secret = File.ReadAllText(path);
        Assert.Contains(build.Report.Warnings, w => w.Contains("the patient-key secret is the work folder's own", StringComparison.Ordinal));
        // The second build reuses it and its report says the same, word for word (a report must not depend on which build
        // of a work folder wrote it: a merge of shards and a one-machine build give the same bytes).
        var again = project.Build();
        Assert.Equal(secret, File.ReadAllText(path));
        Assert.Equal(build.Report.Warnings, again.Report.Warnings);
    }
}
