using System;

namespace Atlas.Core.Metrics
{
    /// <summary>Which of the two masks of a pair hold no voxel.</summary>
    public enum EmptyMasks { None, Reference, Candidate, Both }

    /// <summary>
    /// Agreement of a candidate mask with a reference mask: one flat row per pair (Export-Csv
    /// friendly). Distances are in mm, volumes in mm³; the definitions are in docs/metrics.md.
    /// Summary rows (<see cref="Statistic"/> = Mean, SD, Median, Min, Max) hold the statistic of
    /// each column over the pair rows, with counts as real numbers.
    /// </summary>
    public sealed class LesionOverlap
    {
        /// <summary>The subject of the pair, when the masks came from an AtlasSubject.</summary>
        public string SubjectId { get; set; }
        /// <summary>Empty for a pair; Mean, SD, Median, Min or Max for a summary row.</summary>
        public string Statistic { get; set; }
        public string ReferencePath { get; set; }
        public string CandidatePath { get; set; }

        public double ReferenceVoxels { get; set; }
        public double CandidateVoxels { get; set; }
        public double TruePositiveVoxels { get; set; }
        public double FalsePositiveVoxels { get; set; }
        public double FalseNegativeVoxels { get; set; }
        public double Dice { get; set; }
        public double Jaccard { get; set; }
        public double Sensitivity { get; set; }
        public double Precision { get; set; }
        public double ReferenceVolumeMm3 { get; set; }
        public double CandidateVolumeMm3 { get; set; }
        public double VolumeDifferenceMm3 { get; set; }
        public double VolumeSimilarity { get; set; }

        public double HausdorffMm { get; set; }
        /// <summary>The larger directed percentile distance (95th unless another percentile was asked for).</summary>
        public double Hausdorff95Mm { get; set; }
        public double AverageSurfaceDistanceMm { get; set; }
        public double ReferenceSurfaceVoxels { get; set; }
        public double CandidateSurfaceVoxels { get; set; }

        public double ReferenceLesions { get; set; }
        public double CandidateLesions { get; set; }
        public double LesionTruePositives { get; set; }
        public double LesionFalseNegatives { get; set; }
        public double LesionFalsePositives { get; set; }
        public double LesionF1 { get; set; }
        public double LesionCountDifference { get; set; }

        /// <summary>The percentile behind <see cref="Hausdorff95Mm"/>.</summary>
        public double Percentile { get; set; }
        /// <summary>Face (6), edge (18) or vertex (26) connectivity of the lesion counts.</summary>
        public int Connectivity { get; set; }
        public EmptyMasks EmptyMasks { get; set; }

        public override string ToString() =>
            (Statistic ?? SubjectId ?? CandidatePath ?? "pair") + " Dice=" + Dice.ToString("0.####", System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Options of <see cref="OverlapMetrics.Compute(byte[], byte[], Volumes.Grid, OverlapOptions)"/>.</summary>
    public sealed class OverlapOptions
    {
        /// <summary>Percentile (0–100) of the directed distances behind Hausdorff95Mm; default 95.</summary>
        public double Percentile { get; set; } = 95;
        /// <summary>6, 18 or 26 (default): the neighbourhood that joins voxels into one lesion.</summary>
        public int Connectivity { get; set; } = 26;
        /// <summary>Skip the surface distances (they are NaN), for callers that need only overlap.</summary>
        public bool SkipDistances { get; set; }
        /// <summary>Skip the lesion-wise counts (they are NaN).</summary>
        public bool SkipLesionWise { get; set; }
    }
}
