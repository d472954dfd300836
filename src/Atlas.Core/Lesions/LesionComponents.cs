using System;
using System.Threading;
using Atlas.Core.Imaging;
using Atlas.Core.Volumes;

namespace Atlas.Core.Lesions
{
    /// <summary>One lesion (connected component) of a mask, as Get-LesionComponent reports it.</summary>
    public sealed class LesionComponentInfo
    {
        public string SubjectId { get; set; }
        public string MaskPath { get; set; }
        /// <summary>The mask's rank among its subject's masks (1 = primary; 1 for a lone mask).</summary>
        public int MaskRank { get; set; } = 1;
        /// <summary>1 = largest lesion of the mask.</summary>
        public int Rank { get; set; }
        public long VoxelCount { get; set; }
        public double VolumeMm3 { get; set; }
        public double CentroidXMm { get; set; }
        public double CentroidYMm { get; set; }
        public double CentroidZMm { get; set; }
        public double CentroidI { get; set; }
        public double CentroidJ { get; set; }
        public double CentroidK { get; set; }
        public int MinI { get; set; }
        public int MaxI { get; set; }
        public int MinJ { get; set; }
        public int MaxJ { get; set; }
        public int MinK { get; set; }
        public int MaxK { get; set; }
        public string BoundingBox => MinI + "-" + MaxI + "," + MinJ + "-" + MaxJ + "," + MinK + "-" + MaxK;
        public int Connectivity { get; set; }
        /// <summary>The lesion's own mask file, when one was written.</summary>
        public string OutputPath { get; set; }
    }

    /// <summary>Get-LesionComponent's engine: the labelling of a mask volume and one record per lesion.</summary>
    public sealed class LesionComponentSet
    {
        private LesionComponentSet(AtlasVolume mask, ComponentLabeling labeling, LesionComponentInfo[] lesions)
        {
            Mask = mask; Labeling = labeling; Lesions = lesions;
        }

        public AtlasVolume Mask { get; }
        public ComponentLabeling Labeling { get; }
        public LesionComponentInfo[] Lesions { get; }

        public static LesionComponentSet Find(AtlasVolume mask, int connectivity = 26, long minimumVoxels = 0, CancellationToken cancellation = default)
        {
            if (mask == null) throw new ArgumentNullException(nameof(mask));
            var g = mask.Grid;
            var lab = ConnectedComponents.Label(mask.ToMask(), g, connectivity, minimumVoxels, cancellation);
            var list = new LesionComponentInfo[lab.Count];
            for (int c = 0; c < lab.Count; c++)
            {
                var k = lab.Components[c];
                var cv = k.CentroidVoxel;
                var w = g.VoxelToWorld(cv[0], cv[1], cv[2]);
                list[c] = new LesionComponentInfo
                {
                    MaskPath = mask.Path, Rank = k.Rank, VoxelCount = k.VoxelCount, VolumeMm3 = k.VoxelCount * g.VoxelVolumeMm3,
                    CentroidXMm = w[0], CentroidYMm = w[1], CentroidZMm = w[2], CentroidI = cv[0], CentroidJ = cv[1], CentroidK = cv[2],
                    MinI = k.MinI, MaxI = k.MaxI, MinJ = k.MinJ, MaxJ = k.MaxJ, MinK = k.MinK, MaxK = k.MaxK, Connectivity = connectivity,
                };
            }
            return new LesionComponentSet(mask, lab, list);
        }

        /// <summary>The mask of the lesion of a rank (1-based) as a uint8 volume on the mask's grid.</summary>
        public AtlasVolume MaskOf(int rank) => AtlasVolume.FromMask(Mask.Grid, Labeling.MaskOf(rank), Mask.Header);
    }
}
