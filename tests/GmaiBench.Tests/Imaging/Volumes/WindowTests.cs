using System.Numerics;
using GmaiBench.Imaging.Intensity;
using GmaiBench.Imaging.Volumes;
using GmaiBench.Questions;
using GmaiBench.Model;

namespace GmaiBench.Tests.Imaging.Volumes;

public class WindowTests
{
    [Theory]
    // Soft tissue, width 400 level 40: 0 at or below -160, 255 above 239, else ((x - 39.5) / 399 + 0.5) x 255.
    [InlineData(-1000, 0)]
    [InlineData(-160, 0)]
    [InlineData(-159, 1)] // 0.64
    [InlineData(-158, 1)] // 1.28
    [InlineData(-157, 2)] // 1.92
    [InlineData(0, 102)] // 102.26
    [InlineData(40, 128)] // 127.82
    [InlineData(39.5, 128)] // 127.5, half away from zero
    [InlineData(239, 255)]
    [InlineData(3000, 255)]
    public void Voi_linear_follows_the_dicom_formula(double hu, byte expected)
    {
        Assert.Equal(expected, VoiLinearWindow.Preset("soft_tissue").Apply(hu));
    }

    [Fact]
    public void Width_one_is_a_threshold_at_level_minus_a_half()
    {
        var w = new VoiLinearWindow(1, 0);
        Assert.Equal(0, w.Apply(-0.5));
        Assert.Equal(255, w.Apply(-0.49));
        Assert.Throws<ArgumentOutOfRangeException>(() => new VoiLinearWindow(0.5, 0));
    }

    [Fact]
    public void Presets_by_name()
    {
        Assert.Equal(new VoiLinearWindow(400, 40), VoiLinearWindow.Preset("soft_tissue"));
        Assert.Equal(new VoiLinearWindow(1500, -600), VoiLinearWindow.Preset("lung"));
        Assert.Equal(new VoiLinearWindow(150, 90), VoiLinearWindow.Preset("liver"));
        Assert.Equal(new VoiLinearWindow(2500, 480), VoiLinearWindow.Preset("bone"));
        Assert.Equal(new VoiLinearWindow(80, 40), VoiLinearWindow.Preset("Brain"));
        Assert.Equal(new VoiLinearWindow(350, 50), VoiLinearWindow.Preset("mediastinum"));
        var e = Assert.Throws<ArgumentException>(() => VoiLinearWindow.Preset("abdomen"));
        Assert.Contains("soft_tissue, lung, liver, bone, brain, mediastinum", e.Message);
        Assert.Equal(DisplayWindow.FromVoi(new VoiLinearWindow(400, 40)), WindowSpec.Default.Resolve(new Volume<short>([0], new GridShape(1, 1, 1), Affine.Identity)));
    }

    [Fact]
    public void Percentiles_ignore_zero_voxels_of_the_whole_volume()
    {
        // 200 non-zero values 1..200 and 800 zeros: nearest rank 1 (0.5 %) is 1, rank 199 (99.5 %) is 199.
        var voxels = new ushort[1000];
        for (var n = 0; n < 200; n++) voxels[n * 5] = (ushort)(n + 1);
        var volume = new Volume<ushort>(voxels, new GridShape(10, 10, 10), Affine.Identity);
        Assert.Equal(new PercentileWindow(1, 199), VolumePercentiles.NonZero(volume));
        Assert.Equal(DisplayWindow.FromPercentile(new PercentileWindow(1, 199)), WindowSpec.Percentiles().Resolve(volume));
    }

    [Fact]
    public void All_zero_volume_gives_a_flat_window()
    {
        var volume = new Volume<float>(new float[8], new GridShape(2, 2, 2), Affine.Identity);
        Assert.Equal(new PercentileWindow(0, 0), VolumePercentiles.NonZero(volume));
    }

    public static TheoryData<string> Types => new() { "uint8", "int8", "int16", "uint16", "int32", "uint32", "int64", "float32", "float64" };

    [Theory]
    [MemberData(nameof(Types))]
    public void Percentiles_match_a_sort_for_every_voxel_type(string type)
    {
        switch (type)
        {
            case "uint8": Check<byte>(0, 255); break;
            case "int8": Check<sbyte>(-128, 127); break;
            case "int16": Check<short>(-32768, 32767); break;
            case "uint16": Check<ushort>(0, 65535); break;
            case "int32": Check<int>(-2e9, 2e9); break;
            case "uint32": Check<uint>(0, 4e9); break;
            case "int64": Check<long>(-9e15, 9e15); break;
            case "float32": Check<float>(-1e6, 1e6); break;
            case "float64": Check<double>(-1e12, 1e12); break;
        }
    }

    private static void Check<T>(double min, double max) where T : unmanaged, INumber<T>
    {
        var rng = Prng.For(11, typeof(T).Name, "percentiles");
        var values = new T[5003];
        for (var n = 0; n < values.Length; n++)
        {
            // A third zeros, many repeats, and the extremes of the range.
            var r = rng.NextInt(12);
            values[n] = r < 4 ? T.Zero : r == 4 ? T.CreateTruncating(min) : r == 5 ? T.CreateTruncating(max)
                : T.CreateTruncating(min + (max - min) * (rng.NextUInt64() >> 11) / (double)(1UL << 53));
        }
        if (typeof(T) == typeof(float) || typeof(T) == typeof(double)) values[7] = T.CreateTruncating(double.NaN);
        foreach (var scaling in new[] { VoxelScaling.Identity, new VoxelScaling(2, -3), new VoxelScaling(-0.5, 10) })
        {
            foreach (var (low, high) in new[] { (0.5, 99.5), (0.0, 100.0), (10.0, 50.0) })
            {
                var physical = values.Select(v => scaling.Apply(double.CreateTruncating(v))).Where(p => p != 0 && double.IsFinite(p)).Order().ToArray();
                double Rank(double p) => physical[Math.Max(1, (long)Math.Ceiling(p / 100.0 * physical.Length)) - 1];
                var window = VolumePercentiles.NonZero<T>(values, scaling, low, high);
                Assert.Equal(new PercentileWindow(Rank(low), Rank(high)), window);
            }
        }
    }
}
