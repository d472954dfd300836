#!/usr/bin/python3
"""Direct numpy/scipy computation of the agreement metrics of docs/metrics.md, for the
cross-check in tests/Atlas.Core.Tests/Metrics/ReferenceMaskTests.cs.

Usage: /usr/bin/python3 tests/reference/metrics_reference.py [templates_dir]
Prints one JSON object per case. Needs numpy, scipy and nibabel (Debian's python3).

Each case compares a region of the AAL atlas with a region of the Brodmann atlas (mricron's
templates share one 181x217x181 1 mm grid). The "aniso" cases keep every third slice (k = 0, 3,
6, ...) of both masks and read them as a 0.9 x 0.9 x 3 mm grid.
"""
import json
import sys

import nibabel as nib
import numpy as np
from scipy import ndimage

TEMPLATES = sys.argv[1] if len(sys.argv) > 1 else "/usr/share/mricron/templates"

# (name, AAL label, Brodmann label)
PAIRS = [
    ("precentral_L-BA4", 1, 4),
    ("calcarine_L-BA17", 43, 17),
    ("heschl_L-BA41", 79, 41),
]


def surface(mask):
    """Voxels of the mask with a 6-neighbour outside it; outside the image counts as outside."""
    padded = np.pad(mask, 1, mode="constant", constant_values=False)
    eroded = ndimage.binary_erosion(padded, structure=ndimage.generate_binary_structure(3, 1))
    return (padded & ~eroded)[1:-1, 1:-1, 1:-1]


def directed(sa, sb, spacing):
    """Distances (mm) from each voxel of surface sa to the nearest voxel of surface sb."""
    dt = ndimage.distance_transform_edt(~sb, sampling=spacing)
    return dt[sa]


def lesion_counts(r, c, connectivity):
    structure = ndimage.generate_binary_structure(3, {6: 1, 18: 2, 26: 3}[connectivity])
    lr, nr = ndimage.label(r, structure=structure)
    lc, nc = ndimage.label(c, structure=structure)
    tp = len(np.setdiff1d(np.unique(lr[c]), [0]))
    touched = len(np.setdiff1d(np.unique(lc[r]), [0]))
    fp = nc - touched
    fn = nr - tp
    den = tp + (fp + fn) / 2.0
    f1 = 1.0 if den == 0 else tp / den
    return dict(ReferenceLesions=int(nr), CandidateLesions=int(nc), LesionTruePositives=int(tp),
                LesionFalsePositives=int(fp), LesionFalseNegatives=int(fn), LesionF1=f1)


def metrics(r, c, spacing, percentile=95):
    nr, nc, tp = int(r.sum()), int(c.sum()), int((r & c).sum())
    vv = float(np.prod(spacing))
    out = dict(ReferenceVoxels=nr, CandidateVoxels=nc, TruePositiveVoxels=tp,
               Dice=2.0 * tp / (nr + nc), Jaccard=tp / float(nr + nc - tp),
               Sensitivity=tp / float(nr), Precision=tp / float(nc),
               ReferenceVolumeMm3=nr * vv, CandidateVolumeMm3=nc * vv,
               VolumeDifferenceMm3=abs(nc - nr) * vv,
               VolumeSimilarity=1.0 - abs(nc - nr) / float(nc + nr))
    sr, sc = surface(r), surface(c)
    d_rc = directed(sr, sc, spacing)
    d_cr = directed(sc, sr, spacing)
    out.update(ReferenceSurfaceVoxels=int(sr.sum()), CandidateSurfaceVoxels=int(sc.sum()),
               HausdorffMm=float(max(d_rc.max(), d_cr.max())),
               Hausdorff95Mm=float(max(np.percentile(d_rc, percentile), np.percentile(d_cr, percentile))),
               AverageSurfaceDistanceMm=float(np.concatenate([d_rc, d_cr]).mean()))
    for conn in (6, 18, 26):
        for k, v in lesion_counts(r, c, conn).items():
            out[k + str(conn)] = v
    return out


def main():
    aal = np.asarray(nib.load(TEMPLATES + "/aal.nii.gz").dataobj)
    ba = np.asarray(nib.load(TEMPLATES + "/brodmann.nii.gz").dataobj)
    for name, la, lb in PAIRS:
        r, c = aal == la, ba == lb
        print(json.dumps(dict(case=name, **metrics(r, c, (1.0, 1.0, 1.0)))))
        print(json.dumps(dict(case=name + "-aniso", **metrics(r[:, :, ::3], c[:, :, ::3], (0.9, 0.9, 3.0)))))


if __name__ == "__main__":
    main()
