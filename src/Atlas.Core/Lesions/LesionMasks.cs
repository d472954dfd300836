using System;
using System.Collections.Generic;
using System.IO;
using Atlas.Core.Nifti;
using Atlas.Core.Volumes;

namespace Atlas.Core.Lesions
{
    /// <summary>ATLAS file names and mask unions shared by the lesion operations (grid checks: <see cref="GridCheck"/>).</summary>
    public static class LesionMasks
    {
        /// <summary>
        /// The published name of a smoothed mask for a raw one: the last "LesionRaw" in the file name
        /// becomes "LesionSmooth" and the extension .nii.gz (c0001s0001t01_LesionRaw_1.voi →
        /// c0001s0001t01_LesionSmooth_1.nii.gz); other names get "_smooth" before the extension.
        /// </summary>
        public static string SmoothFileName(string rawFileName)
        {
            string name = Path.GetFileName(rawFileName);
            string stem = NiftiFiles.StripExtension(name);
            int at = stem.LastIndexOf("LesionRaw", StringComparison.OrdinalIgnoreCase);
            stem = at >= 0 ? stem.Substring(0, at) + "LesionSmooth" + stem.Substring(at + "LesionRaw".Length) : stem + "_smooth";
            return stem + ".nii.gz";
        }

        /// <summary>
        /// The ATLAS archive's name for the mask of the lesion at a rank (1 = largest): the primary
        /// keeps the base name, then _1, _2 … (base_LesionSmooth.nii.gz, base_LesionSmooth_1.nii.gz …).
        /// </summary>
        public static string ComponentFileName(string baseName, int rank, string extension = ".nii.gz")
        {
            if (rank < 1) throw new ArgumentOutOfRangeException(nameof(rank));
            return baseName + (rank == 1 ? "" : "_" + (rank - 1).ToString(System.Globalization.CultureInfo.InvariantCulture)) + extension;
        }

        /// <summary>
        /// The union of masks on one grid (non-zero → 1), or with <paramref name="asLabelMap"/> a label
        /// map whose value is the 1-based position of the first mask (in the given order, so the
        /// primary wins overlaps) containing the voxel: uint8 up to 255 masks, else int16.
        /// </summary>
        public static AtlasVolume Merge(IList<AtlasVolume> masks, bool asLabelMap = false)
        {
            if (masks == null || masks.Count == 0) throw new ArgumentException("No masks to merge.", nameof(masks));
            var first = masks[0];
            for (int m = 1; m < masks.Count; m++) GridCheck.RequireSame(first, masks[m]);
            long n = first.Grid.VoxelCount;
            if (!asLabelMap)
            {
                var u = new byte[n];
                foreach (var v in masks)
                {
                    var b = v.ToMask();
                    for (long i = 0; i < n; i++) u[i] |= b[i];
                }
                return AtlasVolume.FromMask(first.Grid, u, first.Header);
            }
            if (masks.Count > short.MaxValue) throw new ArgumentException("At most " + short.MaxValue + " masks fit a label map.");
            var lab = new short[n];
            for (int m = 0; m < masks.Count; m++)
            {
                var b = masks[m].ToMask();
                short id = (short)(m + 1);
                for (long i = 0; i < n; i++) if (b[i] != 0 && lab[i] == 0) lab[i] = id;
            }
            if (masks.Count <= 255)
            {
                var l8 = new byte[n];
                for (long i = 0; i < n; i++) l8[i] = (byte)lab[i];
                var h8 = AtlasVolume.MakeHeader(first.Grid, NiftiDataType.UInt8, first.Header);
                h8.SclSlope = 1; h8.SclInter = 0; h8.CalMin = 0; h8.CalMax = masks.Count; h8.IntentCode = 1002; h8.IntentName = "Label";
                return new AtlasVolume(h8, l8);
            }
            var h = AtlasVolume.MakeHeader(first.Grid, NiftiDataType.Int16, first.Header);
            h.SclSlope = 1; h.SclInter = 0; h.CalMin = 0; h.CalMax = masks.Count; h.IntentCode = 1002; h.IntentName = "Label";
            return new AtlasVolume(h, lab);
        }
    }
}
