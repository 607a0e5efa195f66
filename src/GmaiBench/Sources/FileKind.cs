using System.Runtime.InteropServices;

namespace GmaiBench.Sources;

/// <summary>What a stat cache compares: a file whose size, modification time and inode are unchanged is taken as unchanged.</summary>
public readonly record struct FileStamp(long Size, long MtimeTicks, long Inode);

/// <summary>What a path is on disk, read without opening it (a FIFO opened for reading blocks until a writer comes).</summary>
public enum FileKind { Missing, Regular, Directory, Link, Fifo, Socket, CharacterDevice, BlockDevice, Other }

/// <summary>
/// <c>lstat</c> through the runtime's own native shim (<c>SystemNative_LStat</c>, whose status record starts with
/// <c>int Flags, int Mode</c>; file type bits as in POSIX <c>S_IFMT</c>), so no file is opened to learn its type.
/// </summary>
public static partial class FileKinds
{
    private const int TypeMask = 0xF000, Fifo = 0x1000, CharDevice = 0x2000, Directory = 0x4000, BlockDevice = 0x6000,
        Regular = 0x8000, Link = 0xA000, Socket = 0xC000;

    [LibraryImport("libSystem.Native", EntryPoint = "SystemNative_LStat", StringMarshalling = StringMarshalling.Utf8)]
    private static unsafe partial int LStat(string path, byte* status);

    [LibraryImport("libSystem.Native", EntryPoint = "SystemNative_Stat", StringMarshalling = StringMarshalling.Utf8)]
    private static unsafe partial int Stat(string path, byte* status);

    // The shim's FileStatus record: int Flags, int Mode, uint Uid, uint Gid, then int64 Size, ATime, ATimeNsec, MTime,
    // MTimeNsec, CTime, CTimeNsec, BirthTime, BirthTimeNsec, Dev, RDev, Ino.
    private const int SizeOffset = 16, MTimeOffset = 40, MTimeNsecOffset = 48, InodeOffset = 104;

    /// <summary>
    /// Size, modification time (100 ns ticks since 0001-01-01 UTC, as <see cref="FileInfo.LastWriteTimeUtc"/>) and
    /// inode of a file, from one <c>stat</c> call; null when it cannot be read. Where the shim is missing, the inode is 0.
    /// </summary>
    public static unsafe FileStamp? Stamp(string path)
    {
        if (!OperatingSystem.IsWindows())
        {
            var status = stackalloc byte[512];
            try
            {
                if (Stat(path, status) != 0) return null;
                var seconds = *(long*)(status + MTimeOffset);
                var nanos = *(long*)(status + MTimeNsecOffset);
                var ticks = DateTime.UnixEpoch.Ticks + seconds * TimeSpan.TicksPerSecond + nanos / 100;
                return new FileStamp(*(long*)(status + SizeOffset), ticks, *(long*)(status + InodeOffset));
            }
            catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException) { /* fall back below */ }
        }
        var info = new FileInfo(path);
        return info.Exists ? new FileStamp(info.Length, info.LastWriteTimeUtc.Ticks, 0) : null;
    }

    public static unsafe FileKind Of(string path)
    {
        if (!OperatingSystem.IsWindows())
        {
            var status = stackalloc byte[512];   // larger than the shim's record on every platform
            try
            {
                if (LStat(path, status) != 0) return FileKind.Missing;
                var mode = *(int*)(status + 4);
                return (mode & TypeMask) switch
                {
                    Regular => FileKind.Regular,
                    Directory => FileKind.Directory,
                    Link => FileKind.Link,
                    Fifo => FileKind.Fifo,
                    Socket => FileKind.Socket,
                    CharDevice => FileKind.CharacterDevice,
                    BlockDevice => FileKind.BlockDevice,
                    _ => FileKind.Other,
                };
            }
            catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException) { /* fall back below */ }
        }
        var info = new FileInfo(path);
        if (info.LinkTarget is not null) return FileKind.Link;
        if (System.IO.Directory.Exists(path)) return FileKind.Directory;
        return info.Exists ? FileKind.Regular : FileKind.Missing;
    }

    /// <summary>A person's word for a kind that is not a regular file.</summary>
    public static string Describe(FileKind kind) => kind switch
    {
        FileKind.Fifo => "a named pipe (FIFO)",
        FileKind.Socket => "a socket",
        FileKind.CharacterDevice => "a character device",
        FileKind.BlockDevice => "a block device",
        FileKind.Missing => "missing",
        _ => "not a regular file",
    };
}
