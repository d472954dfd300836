#!/usr/bin/python3
"""Independent reference for Invoke-LesionSmooth: MRIcron's Smooth VOI written with numpy from the
description (not from Atlas.Core's code). Used by tests/Lesions.Tests.ps1.

Usage: /usr/bin/python3 tests/reference/mricron_smooth.py in_mask out_mask.nii.gz [fwhm_mm] [threshold] [zonly|all|none]

Binarise (!= 0); for axis x, then y, then z: sigma = fwhm / voxel / sqrt(8 ln 2), c = round(6 sigma)
(numpy rounds half to even, as Pascal's Round), taps exp(-i^2 / (2 sigma^2)) for i in -c..c divided
by their sum; the convolution is zero-padded; on a corrected axis each output is divided by the sum
of the taps whose source voxel lies inside the volume (the same convolution applied to ones).
Output: uint8 1 where the smoothed value >= threshold.
"""
import gzip
import math
import sys

import nibabel as nib
import numpy as np


def conv_axis(a, taps, axis):
    c = (len(taps) - 1) // 2
    moved = np.moveaxis(a, axis, -1)
    n = moved.shape[-1]
    padded = np.zeros(moved.shape[:-1] + (n + 2 * c,))
    padded[..., c:c + n] = moved
    out = np.zeros_like(moved, dtype=np.float64)
    for d in range(-c, c + 1):
        out += taps[d + c] * padded[..., c + d:c + d + n]
    return np.moveaxis(out, -1, axis)


def main():
    src, dst = sys.argv[1], sys.argv[2]
    fwhm = float(sys.argv[3]) if len(sys.argv) > 3 else 2.0
    thr = float(sys.argv[4]) if len(sys.argv) > 4 else 0.5
    edge = sys.argv[5] if len(sys.argv) > 5 else "zonly"
    if src.lower().endswith('.voi'):  # MRIcron VOI: a gzipped single-file NIfTI-1 nibabel does not know by name
        with gzip.open(src, 'rb') as f:
            img = nib.Nifti1Image.from_bytes(f.read())
    else:
        img = nib.load(src)
    a = (np.asarray(img.dataobj) != 0).astype(np.float64)
    zooms = img.header.get_zooms()[:3]
    for axis in range(3):
        sigma = fwhm / float(zooms[axis]) / math.sqrt(8 * math.log(2))
        c = int(np.round(6 * sigma))
        taps = np.exp(-np.arange(-c, c + 1) ** 2 / (2 * sigma * sigma))
        taps /= taps.sum()
        a = conv_axis(a, taps, axis)
        if edge == "all" or (edge == "zonly" and axis == 2):
            shape = [1, 1, 1]
            shape[axis] = a.shape[axis]
            norm = conv_axis(np.ones(shape), taps, axis)
            a = a / norm
    out = (a >= thr).astype(np.uint8)
    nib.save(nib.Nifti1Image(out, img.affine), dst)
    print(int(out.sum()))


if __name__ == "__main__":
    main()
