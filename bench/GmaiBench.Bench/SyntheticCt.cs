using GmaiBench.Imaging.Volumes;
using GmaiBench.Ingest.Nifti;
using GmaiBench.Questions;
using GmaiBench.Model;

namespace GmaiBench.Bench;

/// <summary>
/// CT-like int16 volumes (Hounsfield units) with a 10-label uint8 map: an elliptic body with a fat rim, two lungs, a
/// spine and ten ellipsoid organs, plus deterministic noise, so gzip sees realistic entropy. Stored LPS, as DICOM
/// converters often leave them, so the pipeline's reorientation does real work.
/// </summary>
public static class SyntheticCt
{
    public const double InPlaneMm = 0.7;
    public const double SliceMm = 2.5;

    private sealed record Organ(int Label, double Cx, double Cy, double Cz, double Rx, double Ry, double Rz, short Hu);

    public static (string Image, string Labels) Write(string dir, int index, GridShape shape)
    {
        Directory.CreateDirectory(dir);
        var image = Path.Combine(dir, $"ct_{index:000}.nii.gz");
        var labels = Path.Combine(dir, $"ct_{index:000}_labels.nii.gz");
        var (ct, map) = Make(index, shape);
        NiftiWriter.Write(image, ct, new NiftiWriteOptions { Description = "GmaiBench synthetic CT" });
        NiftiWriter.Write(labels, map, new NiftiWriteOptions { Description = "GmaiBench synthetic labels" });
        return (image, labels);
    }

    // Uniform noise of -15..15 HU in steps of 2, from the top four bits of one draw.
    private static int Noise(Prng rng) => (int)(rng.NextUInt64() >> 60) * 2 - 15;

    public static (Volume<short> Image, Volume<byte> Labels) Make(int index, GridShape shape)
    {
        var rng = Prng.For(2026, $"ct-{index}", "bench");
        double Jitter(double scale) => (rng.NextInt(2001) - 1000) / 1000.0 * scale;
        // Organ centres and radii as fractions of the grid, jittered per volume.
        Organ[] organs =
        [
            new(1, 0.36, 0.55, 0.35, 0.16, 0.12, 0.20, 60),   // liver
            new(2, 0.68, 0.55, 0.40, 0.06, 0.07, 0.10, 45),   // spleen
            new(3, 0.38, 0.66, 0.28, 0.04, 0.05, 0.09, 35),   // right kidney
            new(4, 0.62, 0.66, 0.28, 0.04, 0.05, 0.09, 35),   // left kidney
            new(5, 0.50, 0.60, 0.50, 0.02, 0.02, 0.45, 180),  // aorta (contrast)
            new(6, 0.52, 0.58, 0.30, 0.08, 0.03, 0.05, 40),   // pancreas
            new(7, 0.60, 0.48, 0.42, 0.08, 0.06, 0.08, 20),   // stomach
            new(8, 0.42, 0.50, 0.30, 0.025, 0.025, 0.04, 10), // gallbladder
            new(9, 0.50, 0.50, 0.08, 0.07, 0.06, 0.06, 5),    // bladder
            new(10, 0.48, 0.46, 0.78, 0.10, 0.09, 0.12, 50),  // heart
        ];
        organs = [.. organs.Select(o => o with { Cx = o.Cx + Jitter(0.02), Cy = o.Cy + Jitter(0.02), Cz = o.Cz + Jitter(0.03), Rx = o.Rx * (1 + Jitter(0.15)) })];
        int ni = shape.Ni, nj = shape.Nj, nk = shape.Nk;
        var hu = new short[shape.VoxelCount];
        var labels = new byte[shape.VoxelCount];
        var noise = new Prng(rng.NextUInt64());
        for (var k = 0; k < nk; k++)
        {
            var z = (k + 0.5) / nk;
            for (var j = 0; j < nj; j++)
            {
                var y = (j + 0.5) / nj;
                var row = (long)ni * (j + (long)nj * k);
                for (var i = 0; i < ni; i++)
                {
                    var x = (i + 0.5) / ni;
                    double bx = (x - 0.5) / 0.42, by = (y - 0.52) / 0.32;
                    var body = bx * bx + by * by;
                    double value;
                    if (body > 1) value = -1000;
                    else if (body > 0.85) value = -100;
                    else
                    {
                        value = 40;
                        var lungX = Math.Abs(x - 0.5) - 0.16;
                        if (z > 0.62 && lungX * lungX / 0.012 + (y - 0.5) * (y - 0.5) / 0.03 < 1) value = -850;
                        if ((x - 0.5) * (x - 0.5) + (y - 0.76) * (y - 0.76) < 0.0016) value = 700;
                    }
                    hu[row + i] = (short)(value + Noise(noise));
                }
            }
            // Organs: only within each ellipsoid's bounding box on this slice.
            foreach (var o in organs)
            {
                var dz = (z - o.Cz) / o.Rz;
                if (dz * dz >= 1) continue;
                var scale = Math.Sqrt(1 - dz * dz);
                int j0 = Math.Max(0, (int)((o.Cy - o.Ry * scale) * nj)), j1 = Math.Min(nj - 1, (int)((o.Cy + o.Ry * scale) * nj));
                int i0 = Math.Max(0, (int)((o.Cx - o.Rx * scale) * ni)), i1 = Math.Min(ni - 1, (int)((o.Cx + o.Rx * scale) * ni));
                for (var j = j0; j <= j1; j++)
                {
                    var dy = ((j + 0.5) / nj - o.Cy) / (o.Ry * scale);
                    for (var i = i0; i <= i1; i++)
                    {
                        var dx = ((i + 0.5) / ni - o.Cx) / (o.Rx * scale);
                        if (dx * dx + dy * dy >= 1) continue;
                        var at = i + (long)ni * (j + (long)nj * k);
                        labels[at] = (byte)o.Label;
                        hu[at] = (short)(o.Hu + Noise(noise));
                    }
                }
            }
        }
        // LPS storage: i towards the patient's left, j posterior, k superior; origin as a scanner would put it.
        var affine = Affine.Diagonal(-InPlaneMm, -InPlaneMm, SliceMm, ni * InPlaneMm / 2, nj * InPlaneMm / 2, -nk * SliceMm / 2);
        return (new Volume<short>(hu, shape, affine), new Volume<byte>(labels, shape, affine));
    }
}
