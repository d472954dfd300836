#!/usr/bin/python3
"""The nightly pipeline of issue 15 written with nibabel + scipy, as a competent lab would write it
(bench/pipeline.ps1 is the same job with the module's cmdlets; PipelineBench runs both as whole processes).

Usage: /usr/bin/python3 bench/pipeline_peer.py ROOT OUT

1. smooth every raw mask (*_LesionRaw*.voi under ROOT) with MRIcron's Smooth VOI: binarise, a separable
   Gaussian per axis (sigma = FWHM 2 mm / voxel / sqrt(8 ln 2), half-width round(6 sigma), taps normalised),
   scipy.ndimage.convolve1d in float32 with zero padding, Z divided by the taps inside the volume
   (MRIcron's default edge rule), threshold 0.5; written as uint8 OUT/smoothed/<name>_LesionSmooth[_n].nii.gz;
2. measure every smoothed mask (voxels, volume, centroid in voxels and mm, bounding box, fraction left of
   x = 0 mm, hemisphere) -> OUT/lesions.csv;
3. agreement of every raw mask with its smoothed mask: voxel overlap (Dice, Jaccard, sensitivity, precision,
   volumes), surface distances (6-neighbour surface, exact Euclidean distance transform in mm,
   distance_transform_edt cropped to the union's bounding box grown by one voxel; Hausdorff, HD95, ASD) and
   lesion-wise counts (26-connected ndimage.label, F1) -> OUT/agreement.csv;
4. overlap map of the primary raw masks (<scan>_LesionRaw.voi) on the first one's grid: proportion (float32)
   and count (uint8) maps -> OUT/overlap.nii.gz, OUT/overlap_count.nii.gz.
Prints the row counts.
"""
import csv
import glob
import gzip
import math
import os
import re
import sys

import nibabel as nib
import numpy as np
from scipy import ndimage

FWHM_MM = 2.0
THRESHOLD = 0.5
STRUCT6 = ndimage.generate_binary_structure(3, 1)
STRUCT26 = ndimage.generate_binary_structure(3, 3)


def load_voi(path):
    """MRIcron .voi: a gzipped NIfTI-1 nibabel does not know by its extension."""
    with gzip.open(path, "rb") as f:
        return nib.Nifti1Image.from_bytes(f.read())


def kernel(voxel_mm):
    sigma = FWHM_MM / voxel_mm / math.sqrt(8 * math.log(2))
    c = int(np.round(6 * sigma))
    taps = np.exp(-np.arange(-c, c + 1) ** 2 / (2 * sigma * sigma))
    return (taps / taps.sum()).astype(np.float32)


def smooth(mask, zooms):
    a = mask.astype(np.float32)
    for axis in range(3):
        w = kernel(float(zooms[axis]))
        a = ndimage.convolve1d(a, w, axis=axis, mode="constant", cval=0.0)
    # MRIcron adjusts the Z sides: divide by the sum of the taps that fall inside the volume
    w = kernel(float(zooms[2]))
    norm = ndimage.convolve1d(np.ones(a.shape[2], np.float32), w, mode="constant", cval=0.0)
    a /= norm[np.newaxis, np.newaxis, :]
    return a >= THRESHOLD


def measure(path, img, m):
    zooms = img.header.get_zooms()[:3]
    idx = np.argwhere(m)
    n = len(idx)
    row = dict(MaskPath=path, VoxelCount=n, VolumeMm3=n * float(np.prod(zooms)))
    if n == 0:
        row.update(Hemisphere="None")
        return row
    cv = idx.mean(0)
    xyz = nib.affines.apply_affine(img.affine, idx)
    cm = xyz.mean(0)
    left = float((xyz[:, 0] < 0).sum() + 0.5 * (xyz[:, 0] == 0).sum()) / n
    lo, hi = idx.min(0), idx.max(0)
    row.update(CentroidI=cv[0], CentroidJ=cv[1], CentroidK=cv[2], CentroidXMm=cm[0], CentroidYMm=cm[1], CentroidZMm=cm[2],
               MinI=lo[0], MaxI=hi[0], MinJ=lo[1], MaxJ=hi[1], MinK=lo[2], MaxK=hi[2], FractionLeft=left,
               Hemisphere="Left" if left > 0.5 else "Right" if left < 0.5 else "Bilateral")
    return row


def surface(mask):
    padded = np.pad(mask, 1, mode="constant", constant_values=False)
    return (padded & ~ndimage.binary_erosion(padded, structure=STRUCT6))[1:-1, 1:-1, 1:-1]


def agreement(ref_path, cand_path, r, c, zooms):
    nr, nc, tp = int(r.sum()), int(c.sum()), int((r & c).sum())
    vv = float(np.prod(zooms))
    row = dict(ReferencePath=ref_path, CandidatePath=cand_path, ReferenceVoxels=nr, CandidateVoxels=nc, TruePositiveVoxels=tp,
               FalsePositiveVoxels=nc - tp, FalseNegativeVoxels=nr - tp,
               Dice=2.0 * tp / (nr + nc) if nr + nc else 1.0, Jaccard=tp / float(nr + nc - tp) if nr + nc else 1.0,
               Sensitivity=tp / float(nr) if nr else float("nan"), Precision=tp / float(nc) if nc else float("nan"),
               ReferenceVolumeMm3=nr * vv, CandidateVolumeMm3=nc * vv, VolumeDifferenceMm3=abs(nc - nr) * vv)
    if nr == 0 or nc == 0:
        return row
    # Distances only need the union's bounding box (grown by one voxel so the surfaces stay surfaces).
    idx = np.argwhere(r | c)
    lo = np.maximum(idx.min(0) - 1, 0)
    hi = np.minimum(idx.max(0) + 2, r.shape)
    box = tuple(slice(a, b) for a, b in zip(lo, hi))
    rb, cb = r[box], c[box]
    sr, sc = surface(rb), surface(cb)
    d_rc = ndimage.distance_transform_edt(~sc, sampling=zooms)[sr]
    d_cr = ndimage.distance_transform_edt(~sr, sampling=zooms)[sc]
    row.update(HausdorffMm=float(max(d_rc.max(), d_cr.max())),
               Hausdorff95Mm=float(max(np.percentile(d_rc, 95), np.percentile(d_cr, 95))),
               AverageSurfaceDistanceMm=float(np.concatenate([d_rc, d_cr]).mean()))
    lr, kr = ndimage.label(rb, structure=STRUCT26)
    lc, kc = ndimage.label(cb, structure=STRUCT26)
    hit = len(np.setdiff1d(np.unique(lr[cb]), [0]))
    touched = len(np.setdiff1d(np.unique(lc[rb]), [0]))
    fp, fn = kc - touched, kr - hit
    den = hit + (fp + fn) / 2.0
    row.update(ReferenceLesions=kr, CandidateLesions=kc, LesionTruePositives=hit, LesionFalsePositives=fp,
               LesionFalseNegatives=fn, LesionF1=1.0 if den == 0 else hit / den)
    return row


def write_csv(path, rows):
    keys = []
    for r in rows:
        keys += [k for k in r if k not in keys]
    with open(path, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=keys)
        w.writeheader()
        w.writerows(rows)


def main():
    root, out = sys.argv[1], sys.argv[2]
    sdir = os.path.join(out, "smoothed")
    os.makedirs(sdir, exist_ok=True)
    raws = sorted(glob.glob(os.path.join(root, "**", "*_LesionRaw*.voi"), recursive=True))
    lesions, pairs = [], []
    for raw in raws:
        img = load_voi(raw)
        r = np.asanyarray(img.dataobj) != 0
        zooms = tuple(float(z) for z in img.header.get_zooms()[:3])
        s = smooth(r, zooms)
        name = re.sub(r"_LesionRaw(_\d+)?\.voi$", r"_LesionSmooth\1.nii.gz", os.path.basename(raw))
        dst = os.path.join(sdir, name)
        nib.save(nib.Nifti1Image(s.astype(np.uint8), img.affine), dst)
        # Steps 2 and 3 read the smoothed file back, as separate steps of a pipeline do.
        simg = nib.load(dst)
        sm = np.asanyarray(simg.dataobj) != 0
        lesions.append(measure(dst, simg, sm))
        pairs.append(agreement(raw, dst, r, sm, zooms))
    write_csv(os.path.join(out, "lesions.csv"), lesions)
    write_csv(os.path.join(out, "agreement.csv"), pairs)

    primary = [p for p in raws if p.endswith("_LesionRaw.voi")]
    first = load_voi(primary[0])
    count = np.zeros(first.shape, np.uint16)
    used = 0
    for p in primary:
        img = first if p == primary[0] else load_voi(p)
        if img.shape != first.shape or not np.allclose(img.affine, first.affine, atol=1e-4):
            continue
        count += np.asanyarray(img.dataobj) != 0
        used += 1
    nib.save(nib.Nifti1Image((count / float(used)).astype(np.float32), first.affine), os.path.join(out, "overlap.nii.gz"))
    nib.save(nib.Nifti1Image(count.astype(np.uint8), first.affine), os.path.join(out, "overlap_count.nii.gz"))
    print("lesions=%d agreement=%d overlap_n=%d" % (len(lesions), len(pairs), used))


if __name__ == "__main__":
    main()
