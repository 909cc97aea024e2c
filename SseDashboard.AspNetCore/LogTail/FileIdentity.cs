using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace SseDashboard.LogTail;

/// <summary>
/// A file's device and inode: what tells "the path now names another file" (rotation) from "the file grew". .NET has no
/// API for it, so this asks Linux's <c>statx</c>, whose struct layout is the same on every architecture.
/// </summary>
public readonly record struct FileIdentity(ulong Device, ulong Inode)
{
    private const int AtFdCwd = -100;
    private const int AtEmptyPath = 0x1000;
    private const uint StatxIno = 0x100;
    private static bool _unsupported = !OperatingSystem.IsLinux();

    /// <summary>False off Linux (or without <c>statx</c>): followers then detect truncation but not rotation by rename.</summary>
    public static bool Supported => !_unsupported;

    /// <summary>The identity of the file <paramref name="path"/> names now (following symlinks, as <c>tail -F</c>), or null when there is none.</summary>
    public static FileIdentity? OfPath(string path) => Stat(AtFdCwd, path, 0);

    public static FileIdentity? Of(SafeFileHandle handle)
    {
        var added = false;
        try
        {
            handle.DangerousAddRef(ref added);
            return Stat(handle.DangerousGetHandle().ToInt32(), "", AtEmptyPath);
        }
        finally
        {
            if (added)
            {
                handle.DangerousRelease();
            }
        }
    }

    private static FileIdentity? Stat(int dirFd, string path, int flags)
    {
        if (_unsupported)
        {
            return null;
        }

        var buffer = new byte[256];
        try
        {
            if (statx(dirFd, path, flags, StatxIno, buffer) != 0)
            {
                return null;
            }
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            _unsupported = true;
            return null;
        }

        // struct statx: stx_ino at byte 32; stx_dev_major and stx_dev_minor at 136 and 140.
        var inode = BitConverter.ToUInt64(buffer, 32);
        var device = ((ulong)BitConverter.ToUInt32(buffer, 136) << 32) | BitConverter.ToUInt32(buffer, 140);
        return new FileIdentity(device, inode);
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int statx(int dirfd, [MarshalAs(UnmanagedType.LPUTF8Str)] string pathname, int flags, uint mask, [Out] byte[] statxbuf);
}
