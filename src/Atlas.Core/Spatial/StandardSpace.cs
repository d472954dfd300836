using System;
using System.Collections.Generic;
using System.Threading;
using Atlas.Core.Intensity;
using Atlas.Core.Spatial.Registration;
using Atlas.Core.Volumes;

namespace Atlas.Core.Spatial
{
    /// <summary>The steps of a scan's standardization (ConvertTo-AtlasStandardSpace).</summary>
    public sealed class StandardizationOptions
    {
        /// <summary>N4 bias correction before registration (the release's MINC N3 step).</summary>
        public bool BiasCorrection { get; set; } = true;
        public NormalizationMethod Normalization { get; set; } = NormalizationMethod.WhiteMatterPeak;
        public RegistrationOptions Registration { get; set; } = new RegistrationOptions();
        /// <summary>
        /// Let the whole template head drive the registration cost. Default (false): the template's brain mask
        /// does, as FLIRT's -refweight and ANTs' masked metrics are used, and the cost then also fits a smooth
        /// bias field at the finest level; scalp, neck and face, which differ between heads, do not pull the fit.
        /// </summary>
        public bool WholeHeadCost { get; set; }
        /// <summary>Zero the template-space face region in the standardized T1.</summary>
        public bool Deface { get; set; } = true;
    }

    /// <summary>One scan in template space: the T1, its masks (in the order given) and the registration that put them there.</summary>
    public sealed class StandardizedScan
    {
        public AtlasVolume T1 { get; internal set; }
        public List<AtlasVolume> Masks { get; } = new List<AtlasVolume>();
        public RegistrationResult Registration { get; internal set; }
        /// <summary>Face voxels zeroed in the T1 (0 without defacing).</summary>
        public long DefacedVoxels { get; internal set; }
        public List<string> Warnings { get; } = new List<string>();
    }

    /// <summary>
    /// The ATLAS standardized release's pipeline per scan (Liew et al. 2018): intensity non-uniformity
    /// correction (N4 here, for MINC N3), intensity standardization (white-matter peak = 1), affine
    /// registration to the template with the lesion left out of the cost (Brett et al. 2001), the T1
    /// resampled linearly and every mask by nearest neighbour through the one matrix, and defacing.
    /// </summary>
    public static class StandardSpace
    {
        /// <summary>Margin kept around the brain by the face region (mm): the face never comes closer.</summary>
        public const double FaceMarginMm = 5;

        /// <summary>
        /// The brain mask that lies beside a template under the names its distributors give it, or null: the MNI152
        /// 2009 release's <c>&lt;t1&gt;_mask</c> (mni_icbm152_t1_tal_nlin_sym_09a_mask.nii), FSL's <c>&lt;t1&gt;_brain_mask</c>
        /// (MNI152_T1_1mm_brain_mask.nii.gz), TemplateFlow/BIDS <c>…_desc-brain_mask</c> for <c>…_T1w</c>, the sample
        /// dataset's <c>…_brainmask</c> for <c>…_T1w</c>, then the brain-extracted images FSL's <c>&lt;t1&gt;_brain</c> and
        /// mricron's <c>&lt;t1&gt;bet</c> (ch2bet.nii.gz; any non-zero voxel is brain). Each name is tried as .nii.gz, then .nii.
        /// <paramref name="tried"/> lists the names looked for, for an error that says where.
        /// </summary>
        public static string FindTemplateBrainMask(string templatePath, out List<string> tried)
        {
            tried = new List<string>();
            if (string.IsNullOrEmpty(templatePath)) return null;
            string dir = System.IO.Path.GetDirectoryName(templatePath) ?? "";
            string name = Nifti.NiftiFiles.StripExtension(System.IO.Path.GetFileName(templatePath));
            var bases = new List<string> { name + "_mask", name + "_brain_mask" };
            if (name.EndsWith("_T1w", StringComparison.Ordinal))
            {
                string stem = name.Substring(0, name.Length - 4);
                bases.Add(stem + "_desc-brain_mask");
                bases.Add(stem + "_brainmask");
            }
            bases.Add(name + "_brain");
            bases.Add(name + "bet");
            foreach (var b in bases)
                foreach (var ext in new[] { ".nii.gz", ".nii" })
                {
                    string candidate = System.IO.Path.Combine(dir, b + ext);
                    tried.Add(b + ext);
                    if (System.IO.File.Exists(candidate)) return candidate;
                }
            return null;
        }

        /// <summary>
        /// The face region of a template, defined once in template space: head voxels (above 5 % of the
        /// template's 99th-percentile intensity) farther than <see cref="FaceMarginMm"/> from the brain mask, in front of the brain's
        /// centre of mass (world y greater) and below it (world z smaller): nose, eyes, mouth, jaw and the
        /// skin in front of them. Never a brain voxel.
        /// </summary>
        public static byte[] FaceRegion(AtlasVolume template, AtlasVolume brainMask)
        {
            if (template == null) throw new ArgumentNullException(nameof(template));
            if (brainMask == null) throw new ArgumentNullException(nameof(brainMask));
            GridCheck.RequireSame(template, brainMask);
            var g = template.Grid;
            var brain = brainMask.ToMask();
            long n = 0; double cy = 0, cz = 0;
            for (int k = 0; k < g.NZ; k++)
                for (int j = 0; j < g.NY; j++)
                    for (int i = 0; i < g.NX; i++)
                    {
                        if (brain[g.Index(i, j, k)] == 0) continue;
                        var w = g.VoxelToWorld(i, j, k);
                        cy += w[1]; cz += w[2]; n++;
                    }
            if (n == 0) throw new GeometryException(GeometryErrorKind.OutOfRange, brainMask.Path, "the template's brain mask has no brain voxel");
            cy /= n; cz /= n;
            var values = template.ToFloat32();
            var head = HeadMask(values);
            var nearBrain = IntensityMasks.Dilate(brain, g, FaceMarginMm);
            var face = new byte[head.LongLength];
            var a = g.Affine;
            for (int k = 0; k < g.NZ; k++)
                for (int j = 0; j < g.NY; j++)
                    for (int i = 0; i < g.NX; i++)
                    {
                        int idx = g.Index(i, j, k);
                        if (head[idx] == 0 || nearBrain[idx] != 0) continue;
                        double y = a[1, 0] * i + a[1, 1] * j + a[1, 2] * k + a[1, 3];
                        double z = a[2, 0] * i + a[2, 1] * j + a[2, 2] * k + a[2, 3];
                        if (y > cy && z < cz) face[idx] = 1;
                    }
            return face;
        }

        /// <summary>
        /// Defaces a scan in its own space: every voxel whose centre, mapped into the template by the inverse of
        /// <paramref name="fixedToMoving"/> (template world to scan world, RAS, as registration gives it), falls on a voxel
        /// of <paramref name="face"/> (<see cref="FaceRegion"/>, nearest neighbour) is set to 0; nothing else changes
        /// (datatype, scaling and header are kept). The face keeps <see cref="FaceMarginMm"/> from the brain, so a
        /// registration off by less than that touches no brain voxel. <paramref name="zeroed"/> counts the voxels set to 0.
        /// </summary>
        public static AtlasVolume DefaceNative(AtlasVolume t1, Grid templateGrid, byte[] face, AffineTransform fixedToMoving, out long zeroed,
            CancellationToken token = default(CancellationToken))
        {
            if (t1 == null) throw new ArgumentNullException(nameof(t1));
            if (templateGrid == null) throw new ArgumentNullException(nameof(templateGrid));
            if (face == null) throw new ArgumentNullException(nameof(face));
            if (fixedToMoving == null) throw new ArgumentNullException(nameof(fixedToMoving));
            if (face.LongLength != templateGrid.VoxelCount) throw new ArgumentException("The face region does not match the template's grid.");
            var g = t1.Grid;
            // Each scan voxel's centre, scan world -> template world, on the nearest template voxel.
            var map = NearestVoxelMap.Create(g, templateGrid, fixedToMoving.Inverse());
            long voxels = g.VoxelCount;
            var hit = new byte[voxels];
            for (int k = 0; k < g.NZ; k++)
            {
                token.ThrowIfCancellationRequested();
                for (int j = 0; j < g.NY; j++)
                    for (int i = 0; i < g.NX; i++)
                    {
                        long t = map.IndexOf(i, j, k);
                        if (t >= 0 && face[t] != 0) hit[g.Index(i, j, k)] = 1;
                    }
            }
            // The stored values are copied and the face's set to 0 in every frame held; header, datatype and scaling stay.
            // With a non-zero intercept a stored 0 is not the value 0, so such a scan is written as float32 values instead.
            long n = 0;
            if (t1.Intercept == 0)
            {
                var data = (Array)t1.Data.Clone();
                long frames = data.LongLength / voxels;
                for (long idx = 0; idx < voxels; idx++)
                {
                    if (hit[idx] == 0) continue;
                    // The count of voxels changed: a stored 0 is the value 0 here (intercept 0), so the stored value decides.
                    if (Convert.ToDouble(data.GetValue(idx), System.Globalization.CultureInfo.InvariantCulture) != 0) n++;
                    for (long f = 0; f < frames; f++) Array.Clear(data, (int)(f * voxels + idx), 1);
                }
                zeroed = n;
                return new AtlasVolume(t1.Header, data);
            }
            var v = t1.ToFloat32();
            for (long idx = 0; idx < voxels; idx++)
                if (hit[idx] != 0 && v[idx] != 0) { v[idx] = 0; n++; }
            zeroed = n;
            return AtlasVolume.FromFloat32(g, v, t1.Header);
        }

        /// <summary>The head of a template: voxels above 5 % of the 99th percentile of its positive values (background is near 0).</summary>
        private static byte[] HeadMask(float[] values)
        {
            var sample = new List<float>();
            for (long i = 0; i < values.LongLength; i += 7) if (values[i] > 0 && !float.IsNaN(values[i])) sample.Add(values[i]);
            var head = new byte[values.LongLength];
            if (sample.Count == 0) return head;
            sample.Sort();
            double t = 0.05 * sample[(int)Math.Min(sample.Count - 1, Math.Floor(0.99 * (sample.Count - 1)))];
            for (long i = 0; i < values.LongLength; i++) head[i] = values[i] > t ? (byte)1 : (byte)0;
            return head;
        }

        /// <summary>
        /// Standardizes one scan. <paramref name="masks"/> are the scan's lesion masks (any grid in the T1's world);
        /// their union, on the T1's grid, is left out of bias estimation, normalization and the registration cost.
        /// <paramref name="face"/> is <see cref="FaceRegion"/> of the template (null: no defacing).
        /// </summary>
        public static StandardizedScan Standardize(AtlasVolume t1, IList<AtlasVolume> masks, AtlasVolume template, AtlasVolume templateMask,
            byte[] face, StandardizationOptions options, CancellationToken token = default(CancellationToken))
        {
            if (t1 == null) throw new ArgumentNullException(nameof(t1));
            if (template == null) throw new ArgumentNullException(nameof(template));
            options = options ?? new StandardizationOptions();
            var result = new StandardizedScan();
            var lesion = LesionUnion(t1, masks, token);

            var image = t1;
            if (options.BiasCorrection)
            {
                var bias = N4BiasCorrection.Correct(image, null, lesion, new N4Options(), token);
                image = bias.GetCorrected();
            }
            token.ThrowIfCancellationRequested();
            var norm = IntensityNormalization.Normalize(image, null, lesion, new NormalizationOptions { Method = options.Normalization });
            image = norm.GetImage();
            token.ThrowIfCancellationRequested();

            // The template's brain mask weights the cost (as FLIRT's -refweight), which then also fits a bias field at
            // the finest level; WholeHeadCost lets scalp, neck and face in (ch2 end to end: 0.03-0.09 mm against 0.12-0.27).
            var reg = AffineRegistration.Register(image, template, options.WholeHeadCost ? null : templateMask, lesion, options.Registration, token);
            foreach (var w in reg.Warnings) result.Warnings.Add(w);
            result.Registration = reg;

            var std = Resampler.Resample(image, template.Grid, reg.Transform, Interpolation.Linear, token);
            if (options.Deface && face != null)
            {
                var data = std.ToFloat32();
                long zeroed = 0;
                for (long i = 0; i < data.LongLength; i++)
                    if (face[i] != 0 && data[i] != 0) { data[i] = 0; zeroed++; }
                std = AtlasVolume.FromFloat32(template.Grid, data);
                result.DefacedVoxels = zeroed;
            }
            result.T1 = std;
            if (masks != null)
                foreach (var m in masks) result.Masks.Add(Resampler.Resample(m, template.Grid, reg.Transform, Interpolation.Nearest, token));
            return result;
        }

        /// <summary>The union of the masks on the T1's grid (masks on other grids brought over by nearest neighbour); null without masks.</summary>
        public static AtlasVolume LesionUnion(AtlasVolume t1, IList<AtlasVolume> masks, CancellationToken token = default(CancellationToken))
        {
            if (masks == null || masks.Count == 0) return null;
            var union = new byte[t1.Grid.VoxelCount];
            foreach (var m in masks)
            {
                var onGrid = m.Grid.Matches(t1.Grid) ? m : Resampler.Resample(m, t1.Grid, null, Interpolation.Nearest, token);
                var b = onGrid.ToMask();
                for (long i = 0; i < union.LongLength; i++) union[i] |= b[i];
            }
            return AtlasVolume.FromMask(t1.Grid, union);
        }
    }
}
