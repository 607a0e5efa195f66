using GmaiBench.Ingest.Raster;
using GmaiBench.Model;

namespace GmaiBench.Ingest.Dicom;

/// <summary>
/// One-time set-up of GDCM's C# binding: its console chatter is switched off (failures are reported as rejects instead)
/// and its data dictionary is loaded before any reader runs, so parallel first reads do not race to build it.
/// </summary>
internal static class GdcmRuntime
{
    private static readonly Lazy<bool> Ready = new(Initialise, LazyThreadSafetyMode.ExecutionAndPublication);

    // Per thread: a series is read on one thread, and a count moved by another thread's file is not this series' doing.
    [ThreadStatic]
    private static int _failures;

    /// <summary>
    /// Calls into GDCM that failed on this thread so far (<see cref="Guard{T}"/>, <see cref="Failed"/>). Native code that
    /// failed on damaged data may have left its heap damaged too: a decoder child that sees this count move answers, then retires.
    /// </summary>
    public static int Failures => _failures;

    /// <summary>
    /// Counts a GDCM call that reported failure without throwing (a reader or codec returning false on damaged data) as
    /// <see cref="Failures"/> does a thrown one; returns <paramref name="reject"/> for the caller to throw.
    /// </summary>
    public static ItemRejectedException Failed(ItemRejectedException reject)
    {
        _failures++;
        return reject;
    }

    /// <summary>Throws <see cref="InvalidOperationException"/> with the fix when the native glue library cannot be loaded.</summary>
    public static void EnsureInitialised() => _ = Ready.Value;

    private static bool Initialise()
    {
        try
        {
            gdcm.Trace.WarningOff();
            gdcm.Trace.ErrorOff();
            gdcm.Trace.DebugOff();
            // The singleton and its dictionaries belong to GDCM: referenced, never disposed.
            _ = gdcm.Global.GetInstance().GetDicts();
            return true;
        }
        catch (Exception e) when (IsMissingBinding(e))
        {
            throw new InvalidOperationException(
                "GDCM's C# binding could not be loaded: gdcm-sharp.dll and libgdcmsharpglue.so must sit next to the application " +
                "(install Debian's libgdcm-cil, see scripts/setup): " + e.Message, e);
        }
    }

    /// <summary>A failure of the installation (missing native library or assembly), never of one input file.</summary>
    public static bool IsMissingBinding(Exception e) =>
        e is DllNotFoundException or EntryPointNotFoundException or BadImageFormatException or TypeInitializationException
        || e is FileNotFoundException { FileName: { } file } && file.Contains("gdcm", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// Runs a call into GDCM, turning anything the binding throws into a reject with <paramref name="reason"/>. Rejects
    /// pass through; a broken installation is not an item's fault and propagates. A native crash (SIGSEGV, or SIGABRT from
    /// one of GDCM's assertions) cannot be caught here: that needs a separate decode process.
    /// </summary>
    public static T Guard<T>(string name, string reason, Func<T> call)
    {
        try { return call(); }
        catch (ItemRejectedException) { throw; }
        catch (Exception e) when (IsMissingBinding(e)) { throw; }
        catch (OutOfMemoryException)
        {
            _failures++;
            throw new ItemRejectedException(DicomRejects.VolumeTooLarge, $"{name}: decoding ran out of memory: the pixel data is larger than this machine can hold");
        }
        catch (Exception)
        {
            _failures++;
            // GDCM's own exception texts are C++ assertions and .NET wrapper names; say what it means instead.
            throw new ItemRejectedException(reason, $"{name}: GDCM cannot decode this file: its data is damaged or uses an encoding GDCM does not read");
        }
    }
}
