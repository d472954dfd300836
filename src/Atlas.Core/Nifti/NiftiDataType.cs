using System;
using Atlas.Core.Volumes;

namespace Atlas.Core.Nifti
{
    /// <summary>NIfTI datatype codes (nifti1.h, DT_*).</summary>
    public enum NiftiDataType : short
    {
        Unknown = 0,
        Binary = 1,
        UInt8 = 2,
        Int16 = 4,
        Int32 = 8,
        Float32 = 16,
        Complex64 = 32,
        Float64 = 64,
        Rgb24 = 128,
        Int8 = 256,
        UInt16 = 512,
        UInt32 = 768,
        Int64 = 1024,
        UInt64 = 1280,
        Float128 = 1536,
        Complex128 = 1792,
        Complex256 = 2048,
        Rgba32 = 2304,
    }

    public static class NiftiDataTypes
    {
        /// <summary>Bytes one voxel takes on disk (all channels), 0 when not a known type.</summary>
        public static int BytesPerVoxel(NiftiDataType t)
        {
            switch (t)
            {
                case NiftiDataType.UInt8: case NiftiDataType.Int8: return 1;
                case NiftiDataType.Int16: case NiftiDataType.UInt16: return 2;
                case NiftiDataType.Rgb24: return 3;
                case NiftiDataType.Int32: case NiftiDataType.UInt32: case NiftiDataType.Float32: case NiftiDataType.Rgba32: return 4;
                case NiftiDataType.Int64: case NiftiDataType.UInt64: case NiftiDataType.Float64: case NiftiDataType.Complex64: return 8;
                case NiftiDataType.Float128: case NiftiDataType.Complex128: return 16;
                case NiftiDataType.Complex256: return 32;
                default: return 0;
            }
        }

        /// <summary>Bytes of one scalar element (one channel / one complex part) for byte swapping.</summary>
        public static int ElementSize(NiftiDataType t)
        {
            switch (t)
            {
                case NiftiDataType.Rgb24: case NiftiDataType.Rgba32: return 1;
                case NiftiDataType.Complex64: return 4;
                case NiftiDataType.Complex128: return 8;
                case NiftiDataType.Complex256: return 16;
                default: return BytesPerVoxel(t);
            }
        }

        /// <summary>Number of elements of the typed array per voxel (channels for RGB, 2 for complex).</summary>
        public static int ElementsPerVoxel(NiftiDataType t)
        {
            switch (t)
            {
                case NiftiDataType.Rgb24: return 3;
                case NiftiDataType.Rgba32: return 4;
                case NiftiDataType.Complex64: case NiftiDataType.Complex128: return 2;
                default: return 1;
            }
        }

        public static bool IsInteger(NiftiDataType t)
        {
            switch (t)
            {
                case NiftiDataType.UInt8: case NiftiDataType.Int8: case NiftiDataType.Int16: case NiftiDataType.UInt16:
                case NiftiDataType.Int32: case NiftiDataType.UInt32: case NiftiDataType.Int64: case NiftiDataType.UInt64:
                    return true;
                default: return false;
            }
        }

        /// <summary>The .NET element type of the typed array that holds this datatype in memory.</summary>
        public static Type ElementType(NiftiDataType t)
        {
            switch (t)
            {
                case NiftiDataType.UInt8: case NiftiDataType.Rgb24: case NiftiDataType.Rgba32: return typeof(byte);
                case NiftiDataType.Int8: return typeof(sbyte);
                case NiftiDataType.Int16: return typeof(short);
                case NiftiDataType.UInt16: return typeof(ushort);
                case NiftiDataType.Int32: return typeof(int);
                case NiftiDataType.UInt32: return typeof(uint);
                case NiftiDataType.Int64: return typeof(long);
                case NiftiDataType.UInt64: return typeof(ulong);
                case NiftiDataType.Float32: case NiftiDataType.Complex64: return typeof(float);
                case NiftiDataType.Float64: case NiftiDataType.Complex128: return typeof(double);
                default: return null;
            }
        }

        /// <summary>Inclusive range of an integer datatype.</summary>
        public static void Range(NiftiDataType t, out double min, out double max)
        {
            switch (t)
            {
                case NiftiDataType.UInt8: min = 0; max = 255; return;
                case NiftiDataType.Int8: min = -128; max = 127; return;
                case NiftiDataType.Int16: min = short.MinValue; max = short.MaxValue; return;
                case NiftiDataType.UInt16: min = 0; max = ushort.MaxValue; return;
                case NiftiDataType.Int32: min = int.MinValue; max = int.MaxValue; return;
                case NiftiDataType.UInt32: min = 0; max = uint.MaxValue; return;
                case NiftiDataType.Int64: min = long.MinValue; max = long.MaxValue; return;
                case NiftiDataType.UInt64: min = 0; max = ulong.MaxValue; return;
                case NiftiDataType.Float32: min = -float.MaxValue; max = float.MaxValue; return;
                default: min = double.NegativeInfinity; max = double.PositiveInfinity; return;
            }
        }

        /// <summary>
        /// A typed array for data about to be overwritten completely (a file read): on .NET 5+ it
        /// skips the zeroing (GC.AllocateUninitializedArray, bound by reflection because Atlas.Core
        /// targets netstandard2.0), which saves a pass over 64 MiB for a 256³ float volume, and
        /// asks for huge pages on large arrays (see StreamIO.AdviseHugePages).
        /// </summary>
        internal static Array AllocateForOverwrite(NiftiDataType t, long voxels, VoxelBufferPool pool = null)
        {
            var et = ElementType(t);
            long n = checked(voxels * ElementsPerVoxel(t));
            if (et == null || n > int.MaxValue) return Allocate(t, voxels);
            if (pool != null) return pool.Rent(et, (int)n);
            return AllocateUninitialized(et, (int)n);
        }

        /// <summary>A 1-D array whose contents are undefined (zeroed where the runtime cannot skip it).</summary>
        internal static Array AllocateUninitialized(Type elementType, int n)
        {
            if (n > 4096 && s_uninit != null)
            {
                Array a = null;
                try { a = (Array)s_uninit.MakeGenericMethod(elementType).Invoke(null, new object[] { n, false }); }
                catch (System.Reflection.TargetInvocationException) { }
                if (a != null) { StreamIO.AdviseHugePages(a); return a; }
            }
            return Array.CreateInstance(elementType, n);
        }

        private static readonly System.Reflection.MethodInfo s_uninit = FindUninit();

        private static System.Reflection.MethodInfo FindUninit()
        {
            foreach (var m in typeof(GC).GetMethods(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Static))
                if (m.Name == "AllocateUninitializedArray" && m.IsGenericMethodDefinition && m.GetParameters().Length == 2) return m;
            return null;
        }

        public static Array Allocate(NiftiDataType t, long voxels)
        {
            var et = ElementType(t);
            if (et == null) throw new NotSupportedException("Datatype " + t + " has no in-memory representation.");
            return Array.CreateInstance(et, checked(voxels * ElementsPerVoxel(t)));
        }
    }
}
