using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using GmaiBench.Cli;
using GmaiBench.Pipeline;

namespace GmaiBench.Tests.Cluster;

/// <summary>
/// A single-node Slurm cluster of the test's own: munged, slurmctld and slurmd from Debian's slurm-wlm and munge
/// (installed by scripts/setup), with a key, config, spool and ports under a temp folder, so no cluster configuration on
/// the machine is touched. Runs as root, like the CI container; the daemons are stopped by their pids at the end.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class SingleNodeSlurm : IDisposable
{
    public string Folder { get; } = TestData.TempDir("slurm");
    public string Config => Path.Combine(Folder, "slurm.conf");
    private readonly List<string> _pidFiles = [];

    public SingleNodeSlurm()
    {
        foreach (var tool in new[] { "/usr/sbin/munged", "/usr/sbin/slurmctld", "/usr/sbin/slurmd", "/usr/bin/sbatch" })
            if (!File.Exists(tool)) throw new InvalidOperationException($"{tool} is missing: run scripts/setup (it installs slurm-wlm and munge)");
        if (Environment.UserName != "root") throw new InvalidOperationException("the single-node Slurm cluster runs its daemons as root (as in the CI container)");
        File.SetUnixFileMode(Folder, (UnixFileMode)0b111_101_101);
        for (var dir = Directory.GetParent(Folder); dir is not null && dir.FullName != Path.GetTempPath().TrimEnd('/'); dir = dir.Parent)
            File.SetUnixFileMode(dir.FullName, File.GetUnixFileMode(dir.FullName) | UnixFileMode.OtherExecute | UnixFileMode.GroupExecute);
        var munge = Path.Combine(Folder, "munge");
        Directory.CreateDirectory(munge);
        var key = Path.Combine(munge, "munge.key");
        File.WriteAllBytes(key, System.Security.Cryptography.RandomNumberGenerator.GetBytes(1024));
        Run("chown", "-R", "munge:munge", munge);
        File.SetUnixFileMode(key, UnixFileMode.UserRead);
        File.SetUnixFileMode(munge, (UnixFileMode)0b111_001_001);   // the socket's folder must be searchable by all
        var socket = Path.Combine(munge, "munge.socket");
        Run("runuser", "-u", "munge", "--", "/usr/sbin/munged", "--force", $"--key-file={key}", $"--socket={socket}",
            $"--pid-file={munge}/munged.pid", $"--log-file={munge}/munged.log", $"--seed-file={munge}/munged.seed");
        _pidFiles.Add($"{munge}/munged.pid");

        var host = Capture("hostname", "-s").Trim();
        foreach (var d in new[] { "spool/ctld", "spool/d", "log" }) Directory.CreateDirectory(Path.Combine(Folder, d));
        File.WriteAllText(Config, $"""
            ClusterName=gmaitest
            SlurmctldHost={host}
            SlurmUser=root
            AuthType=auth/munge
            AuthInfo=socket={socket}
            CredType=cred/munge
            ProctrackType=proctrack/linuxproc
            TaskPlugin=task/none
            JobAcctGatherType=jobacct_gather/none
            SelectType=select/cons_tres
            SelectTypeParameters=CR_Core_Memory
            StateSaveLocation={Folder}/spool/ctld
            SlurmdSpoolDir={Folder}/spool/d
            SlurmctldPidFile={Folder}/slurmctld.pid
            SlurmdPidFile={Folder}/slurmd.pid
            SlurmctldLogFile={Folder}/log/slurmctld.log
            SlurmdLogFile={Folder}/log/slurmd.log
            SlurmctldPort={FreePort()}
            SlurmdPort={FreePort()}
            ReturnToService=2
            MpiDefault=none
            NodeName={host} CPUs={Environment.ProcessorCount} RealMemory=8000 State=UNKNOWN
            PartitionName=debug Nodes={host} Default=YES MaxTime=INFINITE State=UP

            """);
        Environment.SetEnvironmentVariable("SLURM_CONF", Config);
        Run("/usr/sbin/slurmctld");
        _pidFiles.Add($"{Folder}/slurmctld.pid");
        Run("/usr/sbin/slurmd");
        _pidFiles.Add($"{Folder}/slurmd.pid");
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!Capture("sinfo", "-h", "-o", "%t").Contains("idle", StringComparison.Ordinal))
        {
            if (DateTime.UtcNow > deadline) throw new InvalidOperationException($"the Slurm node did not come up idle: {Log()}");
            Thread.Sleep(500);
        }
    }

    public string Log() => string.Join("\n", Directory.GetFiles(Path.Combine(Folder, "log")).Select(f => $"{f}:\n{File.ReadAllText(f)}"));

    public void Dispose()
    {
        foreach (var pidFile in Enumerable.Reverse(_pidFiles))
        {
            if (!File.Exists(pidFile) || !int.TryParse(File.ReadAllText(pidFile).Trim(), out var pid)) continue;
            try
            {
                using var p = Process.GetProcessById(pid);
                p.Kill();
                p.WaitForExit(10_000);
            }
            catch (ArgumentException) { }   // already gone
        }
        Environment.SetEnvironmentVariable("SLURM_CONF", null);
    }

    private static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }

    private static void Run(string file, params string[] args)
    {
        using var p = Process.Start(new ProcessStartInfo(file, args) { RedirectStandardError = true, RedirectStandardOutput = true })!;
        var err = p.StandardError.ReadToEnd() + p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0) throw new InvalidOperationException($"{file} {string.Join(' ', args)} failed ({p.ExitCode}): {err}");
    }

    public static string Capture(string file, params string[] args)
    {
        using var p = Process.Start(new ProcessStartInfo(file, args) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var output = p.StandardOutput.ReadToEnd();
        p.StandardError.ReadToEnd();
        p.WaitForExit();
        return output;
    }
}

[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public class SlurmClusterTests(DemoCorpusFixture corpus) : IClassFixture<DemoCorpusFixture>
{
    [Fact]
    public void The_shard_array_and_its_merge_run_on_a_real_Slurm_cluster_and_write_the_bytes_of_one_build()
    {
        var one = corpus.NewProject("slurm-reference");
        var (_, referenceFolder) = Workflows.Build(one.Config(), new BuildOptions { Jobs = 2 });

        using var slurm = new SingleNodeSlurm();
        var project = corpus.NewProject("slurm");
        var cli = Path.Combine(AppContext.BaseDirectory, "gmai.dll");
        var gmai = $"{ClusterJobs.Quote(Environment.ProcessPath!.EndsWith("dotnet", StringComparison.Ordinal) ? Environment.ProcessPath : "dotnet")} {ClusterJobs.Quote(cli)}";
        var exit = GmaiCommand.Build().Parse(["cluster", "slurm", "--shards", "3", "--jobs", "1", "--gmai", gmai, "--submit", "--wait",
            "--sources", project.PathOf("sources.yaml"), "--taxonomy", project.PathOf("label-taxonomy"), "--pipeline", project.PathOf("pipelines/demo.yaml")]).Invoke();
        var logs = Path.Combine(project.Root, "cluster", "slurm", "logs");
        string Logs() => string.Join("\n", Directory.GetFiles(logs).Order(StringComparer.Ordinal).Select(f => $"{Path.GetFileName(f)}:\n{File.ReadAllText(f)}")) + slurm.Log();
        Assert.True(exit == ExitCodes.Ok, $"gmai cluster slurm --submit --wait exited {exit}\n{Logs()}");

        // Every array task ran its own shard (index from SLURM_ARRAY_TASK_ID) and printed its progress with its index.
        foreach (var k in new[] { 0, 1, 2 })
        {
            var log = File.ReadAllText(Path.Combine(logs, $"shard-{k}.log"));
            Assert.Contains($"shard {k}/3: decode", log);
            Assert.Contains($"Shard {k}/3: ", log);
        }
        var merge = File.ReadAllText(Path.Combine(logs, "merge.log"));
        Assert.Contains("Pixel work: nothing decoded", merge);
        Assert.Equal(ShardedBuildTests.DigestsOf(referenceFolder), ShardedBuildTests.DigestsOf(project.PathOf("out/gmai-demo")));

        var script = File.ReadAllText(Path.Combine(project.Root, "cluster", "slurm", "shards.sbatch"));
        Assert.Contains("#SBATCH --array=0-2", script);
        Assert.Contains("--shard \"${SLURM_ARRAY_TASK_ID}/3\"", script);
        Assert.Contains("--dependency=afterok:", File.ReadAllText(Path.Combine(project.Root, "cluster", "slurm", "submit.sh")));
    }
}
