#!/usr/bin/python3
"""Python peer of bench/Atlas.Bench/MetricsBench.cs: the same metric definitions computed
with numpy/scipy (the functions of tests/reference/metrics_reference.py), timed on two masks.

Usage: /usr/bin/python3 bench/metrics_bench.py reference.nii.gz candidate.nii.gz [runs]
Prints one JSON line: the metrics and the median time (ms) of the computation alone (files are
read once, outside the timing; median and minimum), for the whole volume ("full", as MedPy and MONAI compute it) and
for the union bounding box grown by one voxel ("cropped", the same work Atlas.Core does).
"""
import json
import os
import sys
import time

import nibabel as nib
import numpy as np
from scipy import ndimage

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "reference"))
from metrics_reference import directed, lesion_counts, surface  # noqa: E402


def compute(r, c, spacing):
    nr, nc, tp = int(r.sum()), int(c.sum()), int((r & c).sum())
    sr, sc = surface(r), surface(c)
    d_rc, d_cr = directed(sr, sc, spacing), directed(sc, sr, spacing)
    out = dict(Dice=2.0 * tp / (nr + nc), HausdorffMm=float(max(d_rc.max(), d_cr.max())),
               Hausdorff95Mm=float(max(np.percentile(d_rc, 95), np.percentile(d_cr, 95))),
               AverageSurfaceDistanceMm=float(np.concatenate([d_rc, d_cr]).mean()))
    out.update(lesion_counts(r, c, 26))
    return out


def cropped(r, c, spacing):
    idx = np.argwhere(r | c)
    lo = np.maximum(idx.min(0) - 1, 0)
    hi = np.minimum(idx.max(0) + 2, r.shape)
    sl = tuple(slice(a, b) for a, b in zip(lo, hi))
    return compute(r[sl], c[sl], spacing)


def times_ms(f, runs):
    """Median and minimum wall time (ms) of runs after one warm-up."""
    f()
    t = []
    for _ in range(runs):
        s = time.perf_counter()
        f()
        t.append((time.perf_counter() - s) * 1000)
    return float(np.median(t)), float(np.min(t))


def main():
    a, b = nib.load(sys.argv[1]), nib.load(sys.argv[2])
    runs = int(sys.argv[3]) if len(sys.argv) > 3 else 3
    spacing = tuple(float(x) for x in a.header.get_zooms()[:3])
    r = np.asarray(a.dataobj) != 0
    c = np.asarray(b.dataobj) != 0
    m = compute(r, c, spacing)
    m["full_ms"], m["full_min_ms"] = times_ms(lambda: compute(r, c, spacing), runs)
    m["cropped_ms"], m["cropped_min_ms"] = times_ms(lambda: cropped(r, c, spacing), runs)
    print(json.dumps(m))


if __name__ == "__main__":
    main()
