using System;
using System.Runtime.InteropServices;

namespace Atlas.Core.Nifti
{
    /// <summary>
    /// The CRC-32 of gzip (RFC 1952 section 8: polynomial 0xEDB88320, reflected, initial and final
    /// value inverted), for the members this module stores and reads without zlib. On .NET (PowerShell
    /// 7) the runtime's own zlib-ng computes it, through the function its native compression library
    /// exports for System.IO.Compression (carry-less multiply where the CPU has it, memory speed);
    /// where that library or function is not there (Windows PowerShell, another runtime), a table
    /// driven CRC (slicing by 8) computes the same value at a few hundred MB/s.
    /// </summary>
    internal static class Crc32
    {
        private delegate uint NativeCrc(uint crc, IntPtr buffer, int length);

        [DllImport("libSystem.IO.Compression.Native", EntryPoint = "CompressionNative_Crc32")]
        private static extern uint NativeCrcUnix(uint crc, IntPtr buffer, int length);

        [DllImport("System.IO.Compression.Native", EntryPoint = "CompressionNative_Crc32")]
        private static extern uint NativeCrcWindows(uint crc, IntPtr buffer, int length);

        private static readonly NativeCrc s_native = BindNative();
        private static readonly uint[] s_table = MakeTable();

        /// <summary>True when the runtime's zlib computes the CRC (else the managed tables do).</summary>
        public static bool Native => s_native != null;

        private static NativeCrc BindNative()
        {
            foreach (NativeCrc f in new NativeCrc[] { NativeCrcUnix, NativeCrcWindows })
            {
                try
                {
                    // Probe with the check value of the standard ("123456789" -> 0xCBF43926).
                    var probe = new byte[] { 0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x37, 0x38, 0x39 };
                    var h = GCHandle.Alloc(probe, GCHandleType.Pinned);
                    try { if (f(0, h.AddrOfPinnedObject(), probe.Length) == 0xCBF43926u) return f; }
                    finally { h.Free(); }
                }
                catch (DllNotFoundException) { }
                catch (EntryPointNotFoundException) { }
                catch (BadImageFormatException) { }
            }
            return null;
        }

        /// <summary>The CRC of <paramref name="length"/> bytes at <paramref name="p"/>, continuing <paramref name="crc"/> (0 to start).</summary>
        public static unsafe uint Append(uint crc, byte* p, long length) =>
            s_native != null ? AppendNative(crc, p, length) : AppendManaged(crc, p, length);

        private static unsafe uint AppendNative(uint crc, byte* p, long length)
        {
            while (length > 0)
            {
                int n = (int)Math.Min(length, 1 << 30);
                crc = s_native(crc, new IntPtr(p), n);
                p += n; length -= n;
            }
            return crc;
        }

        /// <summary>The table-driven CRC, eight bytes a step; public so tests hold the two paths to the same values.</summary>
        public static unsafe uint AppendManaged(uint crc, byte* p, long length)
        {
            uint c = ~crc;
            uint[] t = s_table;
            while (length >= 8)
            {
                uint a = c ^ (uint)(p[0] | p[1] << 8 | p[2] << 16 | p[3] << 24);
                uint b = (uint)(p[4] | p[5] << 8 | p[6] << 16 | p[7] << 24);
                c = t[7 * 256 + (a & 0xFF)] ^ t[6 * 256 + ((a >> 8) & 0xFF)] ^ t[5 * 256 + ((a >> 16) & 0xFF)] ^ t[4 * 256 + (a >> 24)]
                  ^ t[3 * 256 + (b & 0xFF)] ^ t[2 * 256 + ((b >> 8) & 0xFF)] ^ t[256 + ((b >> 16) & 0xFF)] ^ t[b >> 24];
                p += 8; length -= 8;
            }
            while (length-- > 0) c = t[(c ^ *p++) & 0xFF] ^ (c >> 8);
            return ~c;
        }

        private static uint[] MakeTable()
        {
            var t = new uint[8 * 256];
            for (uint n = 0; n < 256; n++)
            {
                uint c = n;
                for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
                t[n] = c;
            }
            for (int n = 0; n < 256; n++)
                for (int s = 1; s < 8; s++) t[s * 256 + n] = t[(s - 1) * 256 + n] >> 8 ^ t[t[(s - 1) * 256 + n] & 0xFF];
            return t;
        }
    }
}
