using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Atlas.Core.Datasets;
using Atlas.Core.Lesions;
using Atlas.Core.Nifti;
using Atlas.Core.Spatial;
using Atlas.Core.Volumes;

namespace Atlas.Core.Samples
{
    public sealed class SampleDatasetResult
    {
        public string Root { get; set; }
        /// <summary>The metadata CSV written at the root.</summary>
        public string MetadataPath { get; set; }
        public AtlasLayout Layout { get; set; }
        public int Seed { get; set; }
        /// <summary>People (a subject scanned twice counts once).</summary>
        public int SubjectCount { get; set; }
        /// <summary>Scans (time points): what Get-AtlasSubject lists.</summary>
        public int ScanCount { get; set; }
        public int LesionCount { get; set; }
        public int FileCount { get; set; }
        /// <summary>With -Standardization: the phantom head's template (template/sample_template_T1w.nii.gz), else null.</summary>
        public string TemplatePath { get; set; }
        /// <summary>With -Standardization: the template's brain mask (template/sample_template_brainmask.nii.gz), else null.</summary>
        public string TemplateMaskPath { get; set; }
        public override string ToString() => Root;
    }

    /// <summary>
    /// A deterministic synthetic ATLAS dataset (the demo's and the tests' input): per subject a phantom
    /// head (scalp, skull, CSF, folded cortex, white matter, ventricles, deep grey nuclei) with a smooth
    /// multiplicative inhomogeneity and Gaussian noise, 1 mm isotropic (144 × 176 × 152) or, for the two
    /// "1.5 T" cohorts, 0.9 × 0.9 × 3 mm (160 × 196 × 51), on an RAS affine centred like MNI (x = 0 is
    /// the midline, so hemisphere follows from world x). 1–3 dark lesions per subject, cortical and
    /// subcortical, left and right, kept apart (separate masks are separate lesions); raw masks with
    /// jagged "hand-traced" edges (.voi), smoothed masks (MRIcron smooth VOI, FWHM 2 mm, threshold 0.5)
    /// as .nii.gz and .voi, ranked largest first; every third subject has a second time point. The
    /// metadata CSV (R1.1 columns) is computed from the masks as written: lesion counts per hemisphere
    /// and cortical/subcortical (cortical = any voxel in cortex), the primary lesion's hemisphere from
    /// its centroid's world x. Same seed, same bytes.
    /// </summary>
    public static class SampleDataset
    {
        private const byte Background = 0, Scalp = 1, Skull = 2, Csf = 3, Cortex = 4, DeepGrey = 5, WhiteMatter = 6;
        // Head semi-axes (mm) and the world position of the head centre.
        private const double HeadA = 68, HeadB = 84, HeadC = 72, CentreY = -18, CentreZ = 10;
        private static readonly int[] LesionPattern = { 2, 1, 3, 1, 1, 2, 1, 3, 1, 1 };
        private const int CohortCount = 5;

        public static readonly string[] MetadataColumns =
        {
            "Subject ID", "INDI Site ID", "INDI Subject ID", "Session",
            "# Strokes LH Cortical", "# Strokes LH subcortical", "# Strokes RH Cortical", "# Strokes RH subcortical",
            "Other Location", "Stroke type", "Primary Stroke Location", "Primary Stroke Location Hemisphere",
            "Vascular territory", "PVH", "DWMH", "Notes",
        };

        /// <summary>The metadata sheet's name at the root.</summary>
        public const string MetadataFileName = "ATLAS_sample_metadata.csv";

        /// <summary>
        /// Removes the scan folders (cNNNN), and the template/ folder of a standardization sample, of a sample dataset under <paramref name="root"/>, before another sample
        /// replaces it, so a smaller sample leaves no scan of the earlier one. Only cohort folders and that template folder are removed.
        /// </summary>
        public static void RemoveScans(string root)
        {
            if (!Directory.Exists(root)) return;
            foreach (var d in Directory.GetDirectories(root))
                if (System.Text.RegularExpressions.Regex.IsMatch(Path.GetFileName(d), @"^c\d{4}$")) Directory.Delete(d, true);
            // A standardization sample's template goes with its scans.
            string template = Path.Combine(root, TemplateFolder);
            if (File.Exists(Path.Combine(template, "sample_template_T1w.nii.gz"))) Directory.Delete(template, true);
        }

        /// <summary>The folder under the root that holds the template of a standardization dataset (the scanner skips it).</summary>
        public const string TemplateFolder = DatasetScanner.SampleTemplateFolder;

        /// <summary>
        /// Writes the dataset under <paramref name="root"/> (created when absent; files already there are overwritten).
        /// With <paramref name="standardization"/>: also a template of the phantom head and its brain mask under
        /// template/, and every scan is that head moved by a known affine (its truth beside the scan, see
        /// <see cref="TruthFileName"/>), on a larger native grid (cohort c0002 stored LAS), with a stronger
        /// bias field fixed to the scanner; the default dataset is unchanged.
        /// </summary>
        public static SampleDatasetResult Generate(string root, int subjectCount = 20, int seed = 1, AtlasLayout layout = AtlasLayout.Native,
            CancellationToken cancellation = default, Action<int, int> progress = null, bool standardization = false)
        {
            if (subjectCount < 1 || subjectCount > 9999) throw new ArgumentOutOfRangeException(nameof(subjectCount), "SubjectCount must be between 1 and 9999.");
            if (layout != AtlasLayout.Native)
                throw new NotSupportedException("The sample dataset is written in the R1.1 native layout only (-Layout Native).");
            Directory.CreateDirectory(root);
            var scans = Plan(subjectCount, seed);
            string templatePath = null, templateMaskPath = null;
            int extra = 0;
            if (standardization)
            {
                // Every scan is the template's head moved: its folding too, so the known affine is the one answer
                // (with a subject's own folding the best fit of the head sat up to 8 degrees off the truth).
                foreach (var sc in scans)
                {
                    sc.Transform = PlanTransform(sc);
                    sc.Fold1 = TemplateFold1;
                    sc.Fold2 = TemplateFold2;
                }
                WriteTemplate(root, cancellation, out templatePath, out templateMaskPath);
                extra = 2;
            }
            var rows = new string[scans.Count][];
            int done = 0, lesions = 0, files = 0;
            var po = new ParallelOptions { CancellationToken = cancellation, MaxDegreeOfParallelism = Math.Max(1, Math.Min(Environment.ProcessorCount, 4)) };
            Parallel.For(0, scans.Count, po, i =>
            {
                var written = WriteScan(root, scans[i], cancellation, out rows[i]);
                Interlocked.Add(ref lesions, scans[i].Session == 1 ? scans[i].Lesions.Count : 0);
                Interlocked.Add(ref files, written);
                int d = Interlocked.Increment(ref done);
                progress?.Invoke(d, scans.Count);
            });

            var csv = new StringBuilder();
            csv.Append(Join(MetadataColumns)).Append('\n');
            foreach (var r in rows) csv.Append(Join(r)).Append('\n');
            string meta = Path.Combine(root, MetadataFileName);
            AtomicFile.WriteAllText(meta, csv.ToString());
            return new SampleDatasetResult
            {
                Root = root, MetadataPath = meta, Layout = layout, Seed = seed, SubjectCount = subjectCount,
                ScanCount = scans.Count, LesionCount = lesions, FileCount = files + 1 + extra,
                TemplatePath = templatePath, TemplateMaskPath = templateMaskPath,
            };
        }

        private static string Join(string[] cells)
        {
            var sb = new StringBuilder();
            for (int i = 0; i < cells.Length; i++) { if (i > 0) sb.Append(','); sb.Append(DelimitedText.Quote(cells[i])); }
            return sb.ToString();
        }

        // ------------------------------------------------------------------ plan

        private sealed class LesionPlan
        {
            public double X, Y, Z;          // centre, local mm (head centre = 0)
            public double Rx, Ry, Rz;       // semi-axes, mm
            public double P1, P2, P3;       // shape phases
            public bool Cortical;
            public int Index;
        }

        private sealed class ScanPlan
        {
            public int Number;              // subject number 0..N-1
            public string Cohort, Subject;
            public int Session;
            public bool LowRes;
            public int Seed;                // the subject's seed (anatomy, lesions, metadata)
            public int IndiSite, IndiId;
            public double Fold1, Fold2;     // cortical folding phases
            public double ShiftX, ShiftY, ShiftZ; // head position in the scanner, mm
            public List<LesionPlan> Lesions = new List<LesionPlan>();
            public int Pvh, Dwmh;
            public string StrokeType;
            /// <summary>Standardization datasets: template (fixed) → scan (moving) RAS mm, 4 × 4; null otherwise.</summary>
            public double[,] Transform;
        }

        private static List<ScanPlan> Plan(int count, int seed)
        {
            var scans = new List<ScanPlan>();
            for (int n = 0; n < count; n++)
            {
                int subjectSeed = unchecked(seed * 7919 + n * 104729 + 17);
                var rng = new Random(subjectSeed);
                int cohort = n % CohortCount + 1;
                var s = new ScanPlan
                {
                    Number = n,
                    Cohort = "c" + cohort.ToString("0000", CultureInfo.InvariantCulture),
                    Subject = "s" + (n / CohortCount + 1).ToString("0000", CultureInfo.InvariantCulture),
                    Session = 1,
                    LowRes = cohort >= 4,
                    Seed = subjectSeed,
                    IndiSite = cohort,
                    IndiId = 31000 + 100 * cohort + n / CohortCount + 1,
                    Fold1 = rng.NextDouble() * 6.28, Fold2 = rng.NextDouble() * 6.28,
                    ShiftX = 0, ShiftY = rng.NextDouble() * 6 - 3, ShiftZ = rng.NextDouble() * 6 - 3,
                    Pvh = rng.Next(0, 4), Dwmh = rng.Next(0, 4),
                    StrokeType = rng.NextDouble() < 0.85 ? "Ischemic" : "Hemorrhagic",
                };
                int lesionCount = LesionPattern[n % LesionPattern.Length];
                // Primaries alternate right/left and one in three is cortical, so even a 4-subject sample has both kinds.
                bool primaryLeft = n % 2 == 1;
                bool primaryCortical = n % 3 == 2;
                for (int l = 0; l < lesionCount; l++)
                {
                    bool left = l == 0 ? primaryLeft : rng.NextDouble() < 0.5;
                    bool cortical = l == 0 ? primaryCortical : rng.NextDouble() < 0.35;
                    // The first lesion is planned largest; ranks come from the voxel counts anyway.
                    double size = l == 0 ? (cortical ? 8 + rng.NextDouble() * 6 : 6 + rng.NextDouble() * 4) : 3.5 + rng.NextDouble() * 3;
                    LesionPlan placed = null;
                    for (int attempt = 0; attempt < 200 && placed == null; attempt++)
                    {
                        var p = Place(rng, left, cortical, size);
                        bool apart = true;
                        foreach (var o in s.Lesions)
                        {
                            double dx = p.X - o.X, dy = p.Y - o.Y, dz = p.Z - o.Z;
                            double rp = 1.25 * Math.Max(p.Rx, Math.Max(p.Ry, p.Rz)), ro = 1.25 * Math.Max(o.Rx, Math.Max(o.Ry, o.Rz));
                            if (Math.Sqrt(dx * dx + dy * dy + dz * dz) < rp + ro + 6) { apart = false; break; }
                        }
                        if (apart) placed = p;
                    }
                    if (placed == null) break;
                    placed.Index = l;
                    s.Lesions.Add(placed);
                }
                scans.Add(s);
                if (n % 3 == 1)
                {
                    // A rescan weeks later: same head and lesions, new noise, new tracing, slightly moved head.
                    scans.Add(new ScanPlan
                    {
                        Number = n, Cohort = s.Cohort, Subject = s.Subject, Session = 2, LowRes = s.LowRes, Seed = s.Seed,
                        IndiSite = s.IndiSite, IndiId = s.IndiId, Fold1 = s.Fold1, Fold2 = s.Fold2,
                        ShiftX = 0, ShiftY = s.ShiftY + 1.5, ShiftZ = s.ShiftZ - 1, Lesions = s.Lesions,
                        Pvh = s.Pvh, Dwmh = s.Dwmh, StrokeType = s.StrokeType,
                    });
                }
            }
            return scans;
        }

        private static LesionPlan Place(Random rng, bool left, bool cortical, double size)
        {
            var p = new LesionPlan
            {
                Rx = size * (0.8 + 0.4 * rng.NextDouble()),
                Ry = size * (0.8 + 0.4 * rng.NextDouble()),
                Rz = size * (0.8 + 0.4 * rng.NextDouble()),
                P1 = rng.NextDouble() * 6.28, P2 = rng.NextDouble() * 6.28, P3 = rng.NextDouble() * 6.28,
                Cortical = cortical,
            };
            double sign = left ? -1 : 1;
            if (cortical)
            {
                // On the lateral convexity, centred just inside the grey/white boundary.
                double az = (rng.NextDouble() - 0.5) * 1.4;           // around the x axis, radians
                double el = (rng.NextDouble() - 0.3) * 0.9;
                double ux = Math.Cos(el) * Math.Cos(az), uy = Math.Cos(el) * Math.Sin(az), uz = Math.Sin(el);
                double rho = 0.70;
                p.X = sign * rho * HeadA * ux; p.Y = rho * HeadB * uy; p.Z = rho * HeadC * uz;
            }
            else
            {
                // Deep: periventricular white matter / internal capsule / basal ganglia.
                double rmax = 1.25 * Math.Max(p.Rx, Math.Max(p.Ry, p.Rz));
                p.X = sign * (Math.Max(14, rmax + 4) + rng.NextDouble() * 8);
                p.Y = (rng.NextDouble() - 0.5) * 40;
                p.Z = (rng.NextDouble() - 0.3) * 30;
            }
            return p;
        }

        // ------------------------------------------------------------------ standardization

        /// <summary>The truth file beside a standardization scan: the 4 × 4 RAS template → scan matrix as text.</summary>
        public static string TruthFileName(string scanId) => scanId + "_truth_from-template_to-native_affine.txt";

        /// <summary>
        /// Reads a truth file (<see cref="TruthFileName"/>, beside each scan of a standardization sample): the 4 × 4 RAS
        /// matrix taking a template point to the scan's (moving = M · fixed), as registration gives it. Lines starting
        /// with '#' are comments. A missing file is a <see cref="FileNotFoundException"/>; a file that is not such a matrix
        /// (4 lines of 4 numbers, the last 0 0 0 1) a <see cref="GeometryException"/> naming it.
        /// </summary>
        public static double[,] ReadTruth(string path)
        {
            if (string.IsNullOrEmpty(path)) throw new ArgumentException("The truth file's path is empty.", nameof(path));
            if (!File.Exists(path)) throw new FileNotFoundException("Cannot find the truth file '" + path + "'.", path);
            var m = MatrixText.Parse(File.ReadAllText(path), path, "a sample truth matrix");
            if (m.GetLength(0) != 4 || m[3, 0] != 0 || m[3, 1] != 0 || m[3, 2] != 0 || m[3, 3] != 1)
                throw new GeometryException(GeometryErrorKind.BadTransform, path, "is not a sample truth matrix: expected 4 lines of 4 numbers, the last 0 0 0 1");
            return m;
        }

        /// <summary>
        /// A known affine per scan, template (fixed) → scan (moving), about the head centre: rotations up to
        /// ±10° about each axis, translations up to ±8 mm, scales 0.95–1.05, shears up to ±0.03. From its own
        /// random stream (the subject's seed and session), so the default dataset's numbers are untouched.
        /// </summary>
        private static double[,] PlanTransform(ScanPlan s)
        {
            var rng = new Random(unchecked(s.Seed * 613 + s.Session * 37 + 11));
            double U(double r) => (rng.NextDouble() * 2 - 1) * r;
            double deg = Math.PI / 180;
            double ax = U(10) * deg, ay = U(10) * deg, az = U(10) * deg;
            double[,] rx = { { 1, 0, 0 }, { 0, Math.Cos(ax), -Math.Sin(ax) }, { 0, Math.Sin(ax), Math.Cos(ax) } };
            double[,] ry = { { Math.Cos(ay), 0, Math.Sin(ay) }, { 0, 1, 0 }, { -Math.Sin(ay), 0, Math.Cos(ay) } };
            double[,] rz = { { Math.Cos(az), -Math.Sin(az), 0 }, { Math.Sin(az), Math.Cos(az), 0 }, { 0, 0, 1 } };
            double[,] sc = { { 1 + U(0.05), U(0.03), U(0.03) }, { 0, 1 + U(0.05), U(0.03) }, { 0, 0, 1 + U(0.05) } };
            var m = Mul3(Mul3(rz, Mul3(ry, rx)), sc);
            double[] c = { 0, CentreY, CentreZ };
            double[] t = { U(8), U(8), U(8) };
            var a = AffineMath.Identity();
            for (int r = 0; r < 3; r++)
            {
                double mc = 0;
                for (int q = 0; q < 3; q++) { a[r, q] = m[r, q]; mc += m[r, q] * c[q]; }
                a[r, 3] = c[r] + t[r] - mc; // moving = M (fixed − c) + c + t
            }
            return a;
        }

        private static double[,] Mul3(double[,] p, double[,] q)
        {
            var o = new double[3, 3];
            for (int r = 0; r < 3; r++) for (int c = 0; c < 3; c++) for (int k = 0; k < 3; k++) o[r, c] += p[r, k] * q[k, c];
            return o;
        }

        /// <summary>Native grids of a standardization dataset: room for the moved head; cohort c0002 stored LAS.</summary>
        private static Grid MakeStandardizationGrid(ScanPlan s)
        {
            int nx, ny, nz; double sx, sy, sz;
            if (s.LowRes) { nx = 186; ny = 222; nz = 59; sx = 0.9; sy = 0.9; sz = 3; }
            else { nx = 168; ny = 200; nz = 176; sx = sy = sz = 1; }
            var a = AffineMath.Identity();
            bool las = s.Cohort == "c0002";
            a[0, 0] = las ? -sx : sx; a[1, 1] = sy; a[2, 2] = sz;
            a[0, 3] = las ? (nx - 1) / 2.0 * sx : -(nx - 1) / 2.0 * sx;
            a[1, 3] = -(ny - 1) / 2.0 * sy + CentreY;
            a[2, 3] = -(nz - 1) / 2.0 * sz + CentreZ;
            return new Grid(nx, ny, nz, new[] { sx, sy, sz }, a);
        }

        /// <summary>
        /// The template: the phantom head (fixed folding phases, no lesion, no field, no noise) on a 1 mm RAS
        /// grid of 152 × 184 × 160 centred like the scans, and its brain mask (everything inside the outer CSF).
        /// </summary>
        private const double TemplateFold1 = 1.0, TemplateFold2 = 2.0; // the template head's folding phases

        private static void WriteTemplate(string root, CancellationToken ct, out string t1Path, out string maskPath)
        {
            const int nx = 152, ny = 184, nz = 160;
            var a = AffineMath.Identity();
            a[0, 3] = -(nx - 1) / 2.0; a[1, 3] = -(ny - 1) / 2.0 + CentreY; a[2, 3] = -(nz - 1) / 2.0 + CentreZ;
            var grid = new Grid(nx, ny, nz, new double[] { 1, 1, 1 }, a);
            var plan = new ScanPlan { Fold1 = TemplateFold1, Fold2 = TemplateFold2 };
            var t1 = new short[grid.VoxelCount];
            var brain = new byte[grid.VoxelCount];
            Parallel.For(0, nz, new ParallelOptions { CancellationToken = ct }, k =>
            {
                double z = a[2, 2] * k + a[2, 3] - CentreZ;
                for (int j = 0; j < ny; j++)
                {
                    double y = a[1, 1] * j + a[1, 3] - CentreY;
                    for (int i = 0; i < nx; i++)
                    {
                        double x = a[0, 0] * i + a[0, 3];
                        long o = grid.Index(i, j, k);
                        t1[o] = (short)Intensity(Tissue(x, y, z, plan));
                        double u = x / HeadA, v = y / HeadB, w = z / HeadC;
                        if (u * u + v * v + w * w < 0.83 * 0.83) brain[o] = 1;
                    }
                }
            });
            string dir = Path.Combine(root, TemplateFolder);
            Directory.CreateDirectory(dir);
            var h = AtlasVolume.MakeHeader(grid, NiftiDataType.Int16);
            h.Descrip = "Atlas.Psm sample template (phantom head)";
            h.CalMin = 0; h.CalMax = 1000;
            t1Path = Path.Combine(dir, "sample_template_T1w.nii.gz");
            maskPath = Path.Combine(dir, "sample_template_brainmask.nii.gz");
            NiftiWriter.Write(new AtlasVolume(h, t1), t1Path);
            NiftiWriter.Write(AtlasVolume.FromMask(grid, brain), maskPath);
        }

        private static string TruthText(string scanId, double[,] m)
        {
            var sb = new StringBuilder();
            sb.Append("# ").Append(scanId).Append(": the true affine from the template (fixed, ")
              .Append(TemplateFolder).Append("/sample_template_T1w.nii.gz) to this scan (moving),\n")
              .Append("# a 4 x 4 matrix in RAS millimetres: moving point = M * fixed point (rows below).\n");
            for (int r = 0; r < 4; r++)
            {
                for (int c = 0; c < 4; c++)
                {
                    if (c > 0) sb.Append(' ');
                    sb.Append(m[r, c].ToString("R", CultureInfo.InvariantCulture));
                }
                sb.Append('\n');
            }
            return sb.ToString();
        }

        // ------------------------------------------------------------------ one scan

        private static Grid MakeGrid(bool lowRes)
        {
            int nx, ny, nz; double sx, sy, sz;
            if (lowRes) { nx = 160; ny = 196; nz = 51; sx = 0.9; sy = 0.9; sz = 3; }
            else { nx = 144; ny = 176; nz = 152; sx = sy = sz = 1; }
            var a = AffineMath.Identity();
            a[0, 0] = sx; a[1, 1] = sy; a[2, 2] = sz;
            // x = 0 between the two middle columns: the midline never falls on a voxel centre.
            a[0, 3] = -(nx - 1) / 2.0 * sx;
            a[1, 3] = -(ny - 1) / 2.0 * sy + CentreY;
            a[2, 3] = -(nz - 1) / 2.0 * sz + CentreZ;
            return new Grid(nx, ny, nz, new[] { sx, sy, sz }, a);
        }

        /// <summary>Tissue label of a point in head coordinates (mm from the head centre).</summary>
        private static byte Tissue(double x, double y, double z, ScanPlan s)
        {
            double u = x / HeadA, v = y / HeadB, w = z / HeadC;
            double rho = Math.Sqrt(u * u + v * v + w * w);
            if (rho >= 1) return Background;
            if (rho >= 0.94) return Scalp;
            if (rho >= 0.87) return Skull;
            if (rho >= 0.83) return Csf;
            // Interhemispheric fissure above the ventricles.
            if (Math.Abs(x) < 1.0 && z > -8 && rho > 0.35) return Csf;
            // Lateral ventricles.
            double vx = (Math.Abs(x) - 8) / 5, vy = (y - 2) / 24, vz = (z - 6) / 7;
            if (vx * vx + vy * vy + vz * vz < 1) return Csf;
            // Deep grey nuclei (basal ganglia / thalamus).
            double gx = (Math.Abs(x) - 20) / 8, gy = (y - 4) / 15, gz = (z + 2) / 9;
            if (gx * gx + gy * gy + gz * gz < 1) return DeepGrey;
            // Folded grey/white boundary (between 0.695 and 0.775).
            if (rho >= 0.775) return Cortex;
            if (rho < 0.695) return WhiteMatter;
            double theta = Math.Atan2(v, u), phi = Math.Atan2(w, Math.Sqrt(u * u + v * v));
            double gw = 0.735 + 0.04 * Math.Sin(9 * theta + s.Fold1) * Math.Cos(7 * phi + s.Fold2);
            return rho >= gw ? Cortex : WhiteMatter;
        }

        private static double Intensity(byte tissue)
        {
            switch (tissue)
            {
                case Scalp: return 700;
                case Skull: return 110;
                case Csf: return 220;
                case Cortex: return 480;
                case DeepGrey: return 540;
                case WhiteMatter: return 690;
                default: return 0;
            }
        }

        private const int GaussianTableSize = 1 << 16;

        /// <summary>Box–Muller normal deviates from a fixed seed: noise by table look-up (a per-voxel log/cos is the slow part otherwise).</summary>
        private static double[] GaussianTable()
        {
            var t = new double[GaussianTableSize];
            var rng = new Random(12345);
            for (int i = 0; i < t.Length; i += 2)
            {
                double u1 = 1.0 - rng.NextDouble(), u2 = rng.NextDouble();
                double r = Math.Sqrt(-2 * Math.Log(u1));
                t[i] = r * Math.Cos(2 * Math.PI * u2);
                t[i + 1] = r * Math.Sin(2 * Math.PI * u2);
            }
            return t;
        }

        /// <summary>Lesion shape: an ellipsoid whose radius is modulated by low-frequency harmonics; &lt; 1 inside.</summary>
        private static double LesionRho(LesionPlan l, double x, double y, double z)
        {
            double dx = (x - l.X) / l.Rx, dy = (y - l.Y) / l.Ry, dz = (z - l.Z) / l.Rz;
            double r = Math.Sqrt(dx * dx + dy * dy + dz * dz);
            if (r < 1e-9) return 0;
            double ux = dx / r, uy = dy / r, uz = dz / r;
            double f = 1 + 0.15 * Math.Sin(3 * ux + l.P1) * Math.Sin(2 * uy + l.P2) + 0.1 * Math.Cos(2 * uz + l.P3);
            return r / f;
        }

        /// <summary>Standardization scans: a field fixed to the scanner (world mm of the scan), about ±20 %.</summary>
        private static double ScannerBias(double[,] a, int i, int j, int k)
        {
            double px = a[0, 0] * i + a[0, 3], py = a[1, 1] * j + a[1, 3] - CentreY, pz = a[2, 2] * k + a[2, 3] - CentreZ;
            return Math.Exp(0.15 * px / HeadA - 0.12 * (py / HeadB) * (py / HeadB) + 0.08 * (py / HeadB) * (pz / HeadC) + 0.06 * Math.Cos(Math.PI * pz / (2 * HeadC)));
        }

        private static int WriteScan(string root, ScanPlan s, CancellationToken ct, out string[] row)
        {
            var grid = s.Transform == null ? MakeGrid(s.LowRes) : MakeStandardizationGrid(s);
            // Standardization scans: scan voxel → scan world (its affine) → template world (inverse truth) → head.
            var toHead = s.Transform == null ? null : AffineMath.Multiply(AffineMath.Invert(s.Transform), grid.Affine);
            int nx = grid.NX, ny = grid.NY, nz = grid.NZ;
            long n = grid.VoxelCount;
            var a = grid.Affine;
            var t1 = new short[n];
            var labels = new byte[n];
            var raw = new byte[s.Lesions.Count][];
            for (int l = 0; l < raw.Length; l++) raw[l] = new byte[n];
            int scanSeed = unchecked(s.Seed * 31 + s.Session);

            var gauss = GaussianTable();
            Parallel.For(0, nz, new ParallelOptions { CancellationToken = ct }, k =>
            {
                // Per-slice xorshift stream: the same numbers whatever thread runs the slice.
                uint state = (uint)unchecked(scanSeed * 1000003 + k * 7919) | 1u;
                double wz = a[2, 2] * k + a[2, 3];
                double z = wz - CentreZ - s.ShiftZ;
                double biasZ = 0.05 * Math.Cos(Math.PI * z / (2 * HeadC));
                for (int j = 0; j < ny; j++)
                {
                    double y = a[1, 1] * j + a[1, 3] - CentreY - s.ShiftY;
                    long row = (long)nx * (j + (long)ny * k);
                    for (int i = 0; i < nx; i++)
                    {
                        double x = a[0, 0] * i + a[0, 3] - s.ShiftX;
                        if (toHead != null)
                        {
                            var m = toHead;
                            x = m[0, 0] * i + m[0, 1] * j + m[0, 2] * k + m[0, 3];
                            y = m[1, 0] * i + m[1, 1] * j + m[1, 2] * k + m[1, 3] - CentreY;
                            z = m[2, 0] * i + m[2, 1] * j + m[2, 2] * k + m[2, 3] - CentreZ;
                        }
                        long o = row + i;
                        byte t = Tissue(x, y, z, s);
                        labels[o] = t;
                        double value = Intensity(t);
                        if (t == Cortex || t == WhiteMatter || t == DeepGrey)
                        {
                            for (int l = 0; l < s.Lesions.Count; l++)
                            {
                                var les = s.Lesions[l];
                                if (Math.Abs(x - les.X) > 1.4 * les.Rx || Math.Abs(y - les.Y) > 1.4 * les.Ry || Math.Abs(z - les.Z) > 1.4 * les.Rz) continue;
                                double r = LesionRho(les, x, y, z);
                                if (r < 1) value = 250 + 40 * r;
                                // The tracer's line: the true edge jittered per voxel and per slice (jagged).
                                state ^= state << 13; state ^= state >> 17; state ^= state << 5;
                                double jitter = 0.16 * (state * (1.0 / 4294967296.0) - 0.5) + 0.05 * Math.Sin(1.7 * k + les.P1);
                                if (r + jitter < 1) raw[l][o] = 1;
                            }
                        }
                        // Smooth multiplicative inhomogeneity (a few % over the head) and Gaussian noise.
                        state ^= state << 13; state ^= state >> 17; state ^= state << 5;
                        double bias = toHead == null ? 1 + 0.10 * (x / HeadA) + 0.06 * (y / HeadB) * (z / HeadC) + biasZ : ScannerBias(a, i, j, k);
                        double vv = value * bias + 14 * gauss[state & (GaussianTableSize - 1)];
                        t1[o] = (short)Math.Min(32767, Math.Round(Math.Abs(vv)));
                    }
                }
            });

            // Smoothed masks (MRIcron smooth VOI, FWHM 2 mm, threshold 0.5), then rank largest first.
            var smooth = new byte[raw.Length][];
            var sizes = new long[raw.Length];
            for (int l = 0; l < raw.Length; l++)
            {
                smooth[l] = LesionSmoother.Smooth(raw[l], grid, 2, 0.5, EdgeCorrection.ZOnly, ct);
                long c = 0;
                var m = smooth[l];
                for (long o = 0; o < n; o++) c += m[o];
                sizes[l] = c;
            }
            var order = new int[raw.Length];
            for (int l = 0; l < order.Length; l++) order[l] = l;
            Array.Sort(order, (p, q) => sizes[q] != sizes[p] ? sizes[q].CompareTo(sizes[p]) : p.CompareTo(q));

            string scanId = s.Cohort + s.Subject + "t" + s.Session.ToString("00", CultureInfo.InvariantCulture);
            string dir = Path.Combine(root, s.Cohort, scanId);
            Directory.CreateDirectory(dir);
            var header = AtlasVolume.MakeHeader(grid, NiftiDataType.Int16);
            header.Descrip = "Atlas.Psm synthetic T1 (seed " + s.Seed + ")";
            header.CalMin = 0; header.CalMax = 1000;
            var t1Vol = new AtlasVolume(header, t1);
            NiftiWriter.Write(t1Vol, Path.Combine(dir, scanId + ".nii.gz"));
            int files = 1;
            if (s.Transform != null)
            {
                AtomicFile.WriteAllText(Path.Combine(dir, TruthFileName(scanId)), TruthText(scanId, s.Transform));
                files++;
            }

            // Metadata from the masks as written: counts per hemisphere and cortical/subcortical.
            int lhC = 0, lhS = 0, rhC = 0, rhS = 0;
            string primaryHemi = null, primaryLoc = null, territory = null;
            for (int rank = 0; rank < order.Length; rank++)
            {
                int l = order[rank];
                if (sizes[l] == 0) continue;
                string suffix = rank == 0 ? "" : "_" + rank.ToString(CultureInfo.InvariantCulture);
                NiftiWriter.Write(AtlasVolume.FromMask(grid, raw[l]), Path.Combine(dir, scanId + "_LesionRaw" + suffix + ".voi"));
                var sm = AtlasVolume.FromMask(grid, smooth[l]);
                NiftiWriter.Write(sm, Path.Combine(dir, scanId + "_LesionSmooth" + suffix + ".nii.gz"));
                NiftiWriter.Write(sm, Path.Combine(dir, scanId + "_LesionSmooth" + suffix + ".voi"));
                files += 3;

                bool cortical = false;
                double sumX = 0; long count = 0;
                var m = smooth[l];
                for (int k = 0; k < nz; k++)
                    for (int j = 0; j < ny; j++)
                    {
                        long b = (long)nx * (j + (long)ny * k);
                        for (int i = 0; i < nx; i++)
                        {
                            if (m[b + i] == 0) continue;
                            if (labels[b + i] == Cortex) cortical = true;
                            // The hemisphere in the head's own frame (the template's x for a moved head).
                            if (toHead == null) sumX += a[0, 0] * i + a[0, 3];
                            else sumX += toHead[0, 0] * i + toHead[0, 1] * j + toHead[0, 2] * k + toHead[0, 3];
                            count++;
                        }
                    }
                bool left = sumX / count < 0;
                if (left) { if (cortical) lhC++; else lhS++; }
                else { if (cortical) rhC++; else rhS++; }
                if (rank == 0)
                {
                    primaryHemi = left ? "Left" : "Right";
                    primaryLoc = cortical ? "Cortical" : "Subcortical";
                    territory = cortical ? "MCA" : (s.Lesions[l].Y < -12 ? "PCA" : "MCA");
                }
            }
            string I(int v) => v.ToString(CultureInfo.InvariantCulture);
            row = new[]
            {
                s.Cohort + s.Subject, "Site" + I(s.IndiSite), I(s.IndiId), "t" + s.Session.ToString("00", CultureInfo.InvariantCulture),
                I(lhC), I(lhS), I(rhC), I(rhS), "0", s.StrokeType, primaryLoc ?? "", primaryHemi ?? "", territory ?? "",
                I(s.Pvh), I(s.Dwmh), s.Session == 2 ? "rescan" : "",
            };
            return files;
        }
    }
}
