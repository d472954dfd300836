using System;
using System.Collections.Generic;
using System.IO;
using Atlas.Core.Datasets;
using Atlas.Core.Nifti;
using Atlas.Core.Volumes;

namespace Atlas.Core.Tests.Bids
{
    /// <summary>Small hand-made ATLAS trees (R1.1 native names) for the converter tests.</summary>
    internal static class BidsTestData
    {
        public static readonly Grid Grid8 = Grid.Create(8, 8, 6, 1, 1, 1);

        public static void WriteT1(string path, Grid grid, float offset = 0)
        {
            var data = new float[grid.VoxelCount];
            for (int i = 0; i < data.Length; i++) data[i] = offset + (i % 97);
            NiftiWriter.Write(AtlasVolume.FromFloat32(grid, data), path);
        }

        /// <summary>A mask with the voxels (i,j,k) listed set to <paramref name="value"/>.</summary>
        public static void WriteMask(string path, Grid grid, byte value, params int[][] voxels)
        {
            var m = new byte[grid.VoxelCount];
            foreach (var v in voxels) m[grid.Index(v[0], v[1], v[2])] = value;
            NiftiWriter.Write(AtlasVolume.FromMask(grid, m), path);
        }

        public static int[][] Box(int i0, int i1, int j0, int j1, int k0, int k1)
        {
            var l = new List<int[]>();
            for (int k = k0; k <= k1; k++) for (int j = j0; j <= j1; j++) for (int i = i0; i <= i1; i++) l.Add(new[] { i, j, k });
            return l.ToArray();
        }

        /// <summary>
        /// c0001s0002 (t01 and t02; t01 has a primary .nii.gz mask of 8 voxels, a secondary of 4 voxels sharing 1 with it,
        /// and a raw .voi; t02 has a .nii T1 and a .voi mask) and c0002s0001 (t01, one .nii.gz mask of 27 voxels).
        /// </summary>
        public static List<AtlasSubject> NativeTree(string root)
        {
            var list = new List<AtlasSubject>();
            // c0001s0002t01
            string d1 = Path.Combine(root, "c0001", "c0001s0002t01");
            Directory.CreateDirectory(d1);
            WriteT1(Path.Combine(d1, "c0001s0002t01.nii.gz"), Grid8);
            WriteMask(Path.Combine(d1, "c0001s0002t01_LesionSmooth.nii.gz"), Grid8, 1, Box(1, 2, 1, 2, 1, 2));     // 8 voxels
            WriteMask(Path.Combine(d1, "c0001s0002t01_LesionSmooth_1.nii.gz"), Grid8, 1, Box(2, 3, 2, 2, 2, 3));   // 4 voxels, 2 shared
            WriteMask(Path.Combine(d1, "c0001s0002t01_LesionRaw.voi"), Grid8, 1, Box(1, 2, 1, 2, 1, 1));           // 4 voxels
            list.Add(new AtlasSubject
            {
                SubjectId = "c0001s0002t01", ScanId = "c0001s0002t01", Cohort = "c0001", Subject = "s0002", Session = 1,
                Layout = AtlasLayout.Native, Space = AtlasSpace.Native, Root = root, Directory = d1,
                T1Path = Path.Combine(d1, "c0001s0002t01.nii.gz"),
                LesionMaskPaths = new[] { Path.Combine(d1, "c0001s0002t01_LesionSmooth.nii.gz"), Path.Combine(d1, "c0001s0002t01_LesionSmooth_1.nii.gz") },
                SmoothLesionMaskPaths = new[] { Path.Combine(d1, "c0001s0002t01_LesionSmooth.nii.gz"), Path.Combine(d1, "c0001s0002t01_LesionSmooth_1.nii.gz") },
                RawLesionMaskPaths = new[] { Path.Combine(d1, "c0001s0002t01_LesionRaw.voi") },
                Metadata = Meta(("ScannerStrength", (object)"3T"), ("ScannerBrand", "Siemens"), ("StrokeType", "ischemic"), ("Pvh", 1.0), ("DaysPostStroke", 200.0), ("Session", 1.0)),
                MetadataHeaders = Headers(("ScannerStrength", "Scanner Strength"), ("ScannerBrand", "Scanner Brand"), ("StrokeType", "Stroke type"), ("Pvh", "PVH"), ("DaysPostStroke", "Days Post Stroke"), ("Session", "Session")),
            });
            // c0001s0002t02: T1 as .nii (rewritten as .nii.gz), mask as .voi.
            string d2 = Path.Combine(root, "c0001", "c0001s0002t02");
            Directory.CreateDirectory(d2);
            WriteT1(Path.Combine(d2, "c0001s0002t02.nii"), Grid8, 5);
            WriteMask(Path.Combine(d2, "c0001s0002t02_LesionSmooth.voi"), Grid8, 1, Box(1, 2, 1, 2, 1, 1));
            list.Add(new AtlasSubject
            {
                SubjectId = "c0001s0002t02", ScanId = "c0001s0002t02", Cohort = "c0001", Subject = "s0002", Session = 2,
                Layout = AtlasLayout.Native, Space = AtlasSpace.Native, Root = root, Directory = d2,
                T1Path = Path.Combine(d2, "c0001s0002t02.nii"),
                LesionMaskPaths = new[] { Path.Combine(d2, "c0001s0002t02_LesionSmooth.voi") },
                SmoothLesionMaskPaths = new[] { Path.Combine(d2, "c0001s0002t02_LesionSmooth.voi") },
                Metadata = Meta(("ScannerStrength", (object)"3T"), ("ScannerBrand", "Siemens"), ("StrokeType", "ischemic"), ("Pvh", 1.0), ("DaysPostStroke", 230.0), ("Session", 2.0)),
                MetadataHeaders = Headers(("ScannerStrength", "Scanner Strength"), ("ScannerBrand", "Scanner Brand"), ("StrokeType", "Stroke type"), ("Pvh", "PVH"), ("DaysPostStroke", "Days Post Stroke"), ("Session", "Session")),
            });
            // c0002s0001t01: 0.9 x 0.9 x 3 mm grid, 1.5 T, one mask of 27 voxels.
            var g2 = Grid.Create(6, 6, 4, 0.9, 0.9, 3);
            string d3 = Path.Combine(root, "c0002", "c0002s0001t01");
            Directory.CreateDirectory(d3);
            WriteT1(Path.Combine(d3, "c0002s0001t01.nii.gz"), g2, 10);
            WriteMask(Path.Combine(d3, "c0002s0001t01_LesionSmooth.nii.gz"), g2, 1, Box(1, 3, 1, 3, 0, 2));
            list.Add(new AtlasSubject
            {
                SubjectId = "c0002s0001t01", ScanId = "c0002s0001t01", Cohort = "c0002", Subject = "s0001", Session = 1,
                Layout = AtlasLayout.Native, Space = AtlasSpace.Native, Root = root, Directory = d3,
                T1Path = Path.Combine(d3, "c0002s0001t01.nii.gz"),
                LesionMaskPaths = new[] { Path.Combine(d3, "c0002s0001t01_LesionSmooth.nii.gz") },
                SmoothLesionMaskPaths = new[] { Path.Combine(d3, "c0002s0001t01_LesionSmooth.nii.gz") },
                Metadata = Meta(("ScannerStrength", (object)1.5), ("ScannerBrand", "GE"), ("StrokeType", "hemorrhagic"), ("Pvh", null), ("DaysPostStroke", 400.0), ("Session", 1.0)),
                MetadataHeaders = Headers(("ScannerStrength", "Scanner Strength"), ("ScannerBrand", "Scanner Brand"), ("StrokeType", "Stroke type"), ("Pvh", "PVH"), ("DaysPostStroke", "Days Post Stroke"), ("Session", "Session")),
            });
            return list;
        }

        /// <summary>
        /// Standard-space scans: INDI 031768 (Site1, t01, two masks) and R2.0 sub-r001s001 (R001, ses-1, one mask),
        /// both on a 1 mm MNI-like grid.
        /// </summary>
        public static List<AtlasSubject> StandardTree(string root)
        {
            var g = Grid.Create(7, 8, 6, 1, 1, 1);
            string d1 = Path.Combine(root, "Site1", "031768", "t01");
            Directory.CreateDirectory(d1);
            WriteT1(Path.Combine(d1, "031768_t1w_deface_stx.nii.gz"), g);
            WriteMask(Path.Combine(d1, "031768_LesionSmooth_stx.nii.gz"), g, 1, Box(1, 2, 1, 2, 1, 2));
            WriteMask(Path.Combine(d1, "031768_LesionSmooth_1_stx.nii.gz"), g, 1, Box(4, 5, 4, 5, 4, 4));
            string d2 = Path.Combine(root, "R001", "sub-r001s001", "ses-1", "anat");
            Directory.CreateDirectory(d2);
            WriteT1(Path.Combine(d2, "sub-r001s001_ses-1_space-MNI152NLin2009aSym_T1w.nii.gz"), g, 3);
            WriteMask(Path.Combine(d2, "sub-r001s001_ses-1_space-MNI152NLin2009aSym_label-L_desc-T1lesion_mask.nii.gz"), g, 1, Box(2, 3, 2, 3, 2, 3));
            return new List<AtlasSubject>
            {
                new AtlasSubject
                {
                    SubjectId = "031768", ScanId = "031768_t01", Cohort = "Site1", Subject = "031768", Session = 1,
                    Layout = AtlasLayout.Standardized, Space = AtlasSpace.MNI152, Root = root, Directory = d1,
                    T1Path = Path.Combine(d1, "031768_t1w_deface_stx.nii.gz"),
                    LesionMaskPaths = new[] { Path.Combine(d1, "031768_LesionSmooth_stx.nii.gz"), Path.Combine(d1, "031768_LesionSmooth_1_stx.nii.gz") },
                    SmoothLesionMaskPaths = new[] { Path.Combine(d1, "031768_LesionSmooth_stx.nii.gz"), Path.Combine(d1, "031768_LesionSmooth_1_stx.nii.gz") },
                },
                new AtlasSubject
                {
                    SubjectId = "sub-r001s001", ScanId = "sub-r001s001_ses-1", Cohort = "R001", Subject = "r001s001", Session = 1,
                    Layout = AtlasLayout.Bids, Space = AtlasSpace.MNI152, Root = root, Directory = d2,
                    T1Path = Path.Combine(d2, "sub-r001s001_ses-1_space-MNI152NLin2009aSym_T1w.nii.gz"),
                    LesionMaskPaths = new[] { Path.Combine(d2, "sub-r001s001_ses-1_space-MNI152NLin2009aSym_label-L_desc-T1lesion_mask.nii.gz") },
                },
            };
        }

        private static IDictionary<string, object> Meta(params (string, object)[] kv)
        {
            var d = new Dictionary<string, object>(StringComparer.OrdinalIgnoreCase);
            foreach (var (k, v) in kv) d[k] = v;
            return d;
        }

        private static IDictionary<string, string> Headers(params (string, string)[] kv)
        {
            var d = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            foreach (var (k, v) in kv) d[k] = v;
            return d;
        }

        /// <summary>Every file under a root (hidden ones too) → SHA-256, by relative path.</summary>
        public static SortedDictionary<string, string> Snapshot(string root)
        {
            var d = new SortedDictionary<string, string>(StringComparer.Ordinal);
            foreach (var f in Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories))
                d[Path.GetRelativePath(root, f).Replace('\\', '/')] = Atlas.Core.Bids.FileLinks.Sha256(f);
            return d;
        }
    }
}
