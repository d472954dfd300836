#!/usr/bin/python3
"""Python peer of bench/Atlas.Bench/LesionBench.cs: scipy's Gaussian smoothing and connected
component labelling, timed on the same mask files the C# bench writes.

Usage:
  /usr/bin/python3 bench/lesion_bench.py smooth mask.nii.gz FWHM_MM [runs]
  /usr/bin/python3 bench/lesion_bench.py label  mask.nii.gz CONNECTIVITY(6|18|26) [runs]
Prints one JSON line: the median time (ms) of the computation alone (the file is read once,
outside the timing) and a result summary (voxels >= 0.5 after smoothing; component count).
smooth: scipy.ndimage.gaussian_filter(mask as float64, sigma = FWHM/voxel/sqrt(8 ln 2),
mode='constant', truncate=4) on the whole volume, then >= 0.5.
label: scipy.ndimage.label with generate_binary_structure(3, 1|2|3).
"""
import json
import math
import sys
import time

import nibabel as nib
import numpy as np
from scipy import ndimage


def median_ms(fn, runs):
    fn()
    t = []
    for _ in range(runs):
        s = time.perf_counter()
        out = fn()
        t.append((time.perf_counter() - s) * 1000.0)
    t.sort()
    return t[len(t) // 2], out


def main():
    op, path, arg = sys.argv[1], sys.argv[2], float(sys.argv[3])
    runs = int(sys.argv[4]) if len(sys.argv) > 4 else 3
    img = nib.load(path)
    m = np.asarray(img.dataobj) != 0
    if op == "smooth":
        sig = [arg / z / math.sqrt(8 * math.log(2)) for z in img.header.get_zooms()[:3]]
        f = m.astype(np.float64)
        ms, out = median_ms(lambda: gaussian_filter_threshold(f, sig), runs)
        print(json.dumps(dict(op=op, ms=ms, voxels=int(out))))
    else:
        rank = {6: 1, 18: 2, 26: 3}[int(arg)]
        st = ndimage.generate_binary_structure(3, rank)
        ms, out = median_ms(lambda: ndimage.label(m, structure=st)[1], runs)
        print(json.dumps(dict(op=op, ms=ms, components=int(out))))


def gaussian_filter_threshold(f, sig):
    s = ndimage.gaussian_filter(f, sigma=sig, mode="constant", truncate=4.0)
    return (s >= 0.5).sum()


if __name__ == "__main__":
    main()
