using System;
using System.Collections.Generic;
using System.IO;
using Atlas.Core.Datasets;

namespace Atlas.Core.Bids
{
    /// <summary>Where lesion masks go: a derivative dataset (BIDS-valid, the default) or next to the T1w as the R2.0 release did.</summary>
    public enum BidsMaskPlacement { Derivatives, Anat }

    /// <summary>How .nii.gz sources reach the BIDS tree (.nii and .voi sources are always rewritten as .nii.gz).</summary>
    public enum BidsLinkMode { Copy, HardLink, SymbolicLink }

    /// <summary>How one BIDS file is produced.</summary>
    public enum BidsFileOperation
    {
        /// <summary>Bytes of a .nii.gz source copied unchanged.</summary>
        Copy,
        /// <summary>A .nii, .voi or .hdr/.img source rewritten as .nii.gz (header and voxels unchanged).</summary>
        Compress,
        /// <summary>Several lesion masks of one scan merged into one binary mask (voxel-wise union).</summary>
        Merge,
        HardLink,
        SymbolicLink,
        /// <summary>JSON, TSV or text written by the converter.</summary>
        Text,
    }

    public enum BidsFileOutcome { Written, Skipped, NotApproved, Failed }

    public sealed class BidsConvertOptions
    {
        /// <summary>The BIDS dataset root (created when absent).</summary>
        public string Destination { get; set; }
        public BidsMaskPlacement MaskPlacement { get; set; } = BidsMaskPlacement.Derivatives;
        /// <summary>One mask per lesion (label-L1, label-L2 … in rank order) instead of one merged mask.</summary>
        public bool KeepSeparateLesions { get; set; }
        /// <summary>Also write the raw (unsmoothed) masks, as desc-T1lesionRaw.</summary>
        public bool IncludeRawMasks { get; set; }
        public BidsLinkMode LinkMode { get; set; } = BidsLinkMode.Copy;
        /// <summary>Convert subjects whose masks are not on the T1's grid (else they fail with an error naming both files).</summary>
        public bool AllowGridMismatch { get; set; }
        /// <summary>Rewrite every file, even identical ones, and replace files that differ.</summary>
        public bool Force { get; set; }
        /// <summary>
        /// Keep R2.0's space-… in the raw T1w names of standard-space scans. Off by default: BIDS allows
        /// space- only in derivatives, so bids-validator 1.15 rejects those names and the default output must
        /// be a valid dataset. The masks (in derivatives/, or beside the T1w and listed in .bidsignore) keep it.
        /// </summary>
        public bool KeepSpaceEntity { get; set; }
        /// <summary>Overrides the participant label of a scan (the result must be alphanumeric).</summary>
        public Func<AtlasSubject, string> SubjectLabel { get; set; }
        public string DatasetName { get; set; }
        public string[] Authors { get; set; }
        public string License { get; set; }
        public string GeneratorName { get; set; } = "Atlas.Psm";
        public string GeneratorVersion { get; set; } = "0.0.0";
    }

    /// <summary>One file the conversion writes, with the sources it comes from.</summary>
    public sealed class BidsPlannedFile
    {
        /// <summary>Path relative to the destination, with forward slashes (as the mapping file records it).</summary>
        public string RelativePath { get; internal set; }
        public string FullPath { get; internal set; }
        public BidsFileOperation Operation { get; internal set; }
        public string[] Sources { get; internal set; } = new string[0];
        /// <summary>What the file is (T1w, lesion mask, participants table …), for messages.</summary>
        public string Role { get; internal set; }
        /// <summary>Written only when absent (or with Force): README and CHANGES, which users edit.</summary>
        public bool KeepExisting { get; internal set; }
        internal Func<string> Text { get; set; }
        public override string ToString() => RelativePath;
    }

    /// <summary>One scan (subject at one time point) and the files it becomes.</summary>
    public sealed class BidsScanPlan
    {
        public AtlasSubject Subject { get; internal set; }
        public string SubjectLabel { get; internal set; }
        public string SessionLabel { get; internal set; }
        public string BidsSubject => "sub-" + SubjectLabel;
        public string BidsSession => "ses-" + SessionLabel;
        public string T1wRelativePath { get; internal set; }
        public List<BidsPlannedFile> Files { get; } = new List<BidsPlannedFile>();
        public override string ToString() => BidsSubject + "/" + BidsSession;
    }

    /// <summary>A scan that cannot be converted (no T1, a truncated source image, masks off its grid …); nothing of it is written, the others go on.</summary>
    public sealed class BidsPlanFailure
    {
        public BidsPlanFailure(AtlasSubject subject, Exception error) { Subject = subject; Error = error; }
        public AtlasSubject Subject { get; }
        public Exception Error { get; }
        /// <summary>The participant and session labels the scan would have had.</summary>
        public string SubjectLabel { get; internal set; }
        public string SessionLabel { get; internal set; }

        /// <summary>The scan's record: nothing written, one failure.</summary>
        public BidsSubjectResult ToResult(string destination) => new BidsSubjectResult
        {
            SubjectId = Subject.SubjectId,
            ScanId = Subject.ScanId,
            BidsSubject = SubjectLabel == null ? null : "sub-" + SubjectLabel,
            BidsSession = SessionLabel == null ? null : "ses-" + SessionLabel,
            FilesFailed = 1,
            Destination = destination,
        };
    }

    public sealed class BidsPlan
    {
        public BidsConvertOptions Options { get; internal set; }
        public string Destination { get; internal set; }
        public List<BidsScanPlan> Scans { get; } = new List<BidsScanPlan>();
        public List<BidsPlanFailure> Failures { get; } = new List<BidsPlanFailure>();
        /// <summary>Dataset-level files written before the scans (descriptions, README, CHANGES, .bidsignore).</summary>
        public List<BidsPlannedFile> HeadFiles { get; } = new List<BidsPlannedFile>();
        /// <summary>Files written after the scans (participants, sessions, mapping), as they summarise them.</summary>
        public List<BidsPlannedFile> TailFiles { get; } = new List<BidsPlannedFile>();

        public IEnumerable<BidsPlannedFile> AllFiles
        {
            get
            {
                foreach (var f in HeadFiles) yield return f;
                foreach (var s in Scans) foreach (var f in s.Files) yield return f;
                foreach (var f in TailFiles) yield return f;
            }
        }
    }

    /// <summary>The record Convert-AtlasToBids writes per scan.</summary>
    public sealed class BidsSubjectResult
    {
        public string SubjectId { get; set; }
        public string ScanId { get; set; }
        public string BidsSubject { get; set; }
        public string BidsSession { get; set; }
        public int FilesWritten { get; set; }
        public int FilesSkipped { get; set; }
        public int FilesFailed { get; set; }
        /// <summary>Full path of the BIDS T1w image.</summary>
        public string T1wPath { get; set; }
        public string Destination { get; set; }
        public override string ToString() => BidsSubject + "/" + BidsSession;
    }

    /// <summary>Nothing was written: labels collide or are not alphanumeric. Lists every problem.</summary>
    public sealed class BidsPlanException : InvalidOperationException
    {
        public BidsPlanException(IList<string> problems)
            : base("Nothing was written: " + string.Join("; ", problems)) { Problems = problems; }
        public IList<string> Problems { get; }
    }

    /// <summary>A target exists with different content and Force was not given.</summary>
    public sealed class BidsOutputExistsException : IOException
    {
        public BidsOutputExistsException(string path)
            : base("The file '" + path + "' already exists and differs from what the conversion produces; use -Force to replace it.") { FilePath = path; }
        public string FilePath { get; }
    }
}
