using System.Text;
using GmaiBench.Imaging.Volumes;
using GmaiBench.Ingest.Dicom;
using GmaiBench.Ingest.Raster;
using GmaiBench.Tests.Imaging.Volumes;
using GmaiBench.Tests.Ingest.Nifti;
using GmaiBench.Model;

namespace GmaiBench.Tests.Ingest.Dicom;

/// <summary>Tiny synthetic CT volumes written with GDCM, and byte-level edits of the files the tests write.</summary>
public static class DicomFixtures
{
    /// <summary>8 columns x 6 rows x 5 slices: small enough to be fast, with every axis a different length.</summary>
    public static readonly GridShape Shape = new(8, 6, 5);

    /// <summary>CT-like Modality LUT: HU = stored x 2 - 1024.</summary>
    public static readonly VoxelScaling CtScaling = new(2, -1024);

    /// <summary>
    /// An axial grid as a scanner writes it: 0.7 mm between columns, 0.9 mm between rows, 2.5 mm between slices, first
    /// voxel at LPS (-10, -20, 30), i.e. RAS (10, 20, 30). Voxel i runs towards L, j towards P, k towards S.
    /// </summary>
    public static readonly Affine Axial = Affine.FromRows([-0.7, 0, 0, 10, 0, -0.9, 0, 20, 0, 0, 2.5, 30]);

    /// <summary>A distinct stored value per voxel, negative and positive, well inside int16.</summary>
    public static short Value(int i, int j, int k) => (short)(i * 13 + j * 101 + k * 709 - 1500);

    public static Volume<short> Volume(Affine? affine = null, VoxelScaling? scaling = null, GridShape? shape = null) =>
        VolumeFixtures.Make<short>(shape ?? Shape, affine ?? Axial, (i, j, k) => Value(i, j, k), scaling ?? CtScaling);

    /// <summary>The read volume holds <paramref name="expected"/>'s stored values (as int16) and its Modality LUT.</summary>
    public static void AssertSameVoxels(Volume<short> expected, Volume actual)
    {
        NiftiFixtures.AssertSameVoxels(expected, actual);
        Assert.Equal(expected.Scaling, actual.Scaling);
    }

    /// <summary>Affines equal to 1e-9 mm: DICOM writes positions as decimal text, which round-trips these values.</summary>
    public static void AssertAffine(Affine expected, Affine actual) => NiftiFixtures.AssertAffine(expected, actual, 1e-9);

    public static string Reject(Action read) => Assert.Throws<ItemRejectedException>(read).Reason;

    /// <summary>
    /// Offset of the value of the first top-level explicit VR little endian element (group, element) with a 16-bit length,
    /// and that length: enough to patch a value in place without re-encoding the file.
    /// </summary>
    public static (int Offset, int Length) FindShortElement(byte[] file, ushort group, ushort element, string vr)
    {
        byte[] pattern = [(byte)group, (byte)(group >> 8), (byte)element, (byte)(element >> 8), (byte)vr[0], (byte)vr[1]];
        var at = file.AsSpan().IndexOf(pattern);
        Assert.True(at >= 0, $"({group:X4},{element:X4}) {vr} not found");
        return (at + 8, file[at + 6] | file[at + 7] << 8);
    }

    /// <summary>Overwrites the value of a short explicit VR element with bytes of the same length.</summary>
    public static void Patch(string path, ushort group, ushort element, string vr, byte[] value)
    {
        var bytes = File.ReadAllBytes(path);
        var (offset, length) = FindShortElement(bytes, group, element, vr);
        Assert.Equal(length, value.Length);
        value.CopyTo(bytes, offset);
        File.WriteAllBytes(path, bytes);
    }

    public static void PatchText(string path, ushort group, ushort element, string vr, string value) =>
        Patch(path, group, element, vr, Encoding.ASCII.GetBytes(value));
}
