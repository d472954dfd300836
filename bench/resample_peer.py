#!/usr/bin/python3
"""nibabel + scipy side of the resampling benchmark (bench/Atlas.Bench ResampleBench runs it).

  resample_peer.py MOVING REFERENCE TRANSFORM OUT RUNS [ORDER]

Times, as a nibabel/scipy user writes it: nibabel.load(MOVING).get_fdata(float32), the voxel map
inv(A_moving) @ T @ A_reference (T a 4x4 RAS fixed->moving text matrix), scipy.ndimage.affine_transform
(order 1 unless ORDER, float32 output) onto the reference's shape, then nibabel.save of the result
rounded to the moving image's int16 as .nii.gz (nibabel's default compresslevel). Prints key=value lines:
the median of RUNS after a warm-up of the whole and of its parts.
"""
import statistics
import sys
import time

import nibabel as nib
import numpy as np
import scipy
from scipy import ndimage


def main(argv):
    mov, ref, tfile, out, runs = argv[1], argv[2], argv[3], argv[4], int(argv[5])
    order = int(argv[6]) if len(argv) > 6 else 1
    ref_img = nib.load(ref)
    t = np.loadtxt(tfile)
    parts = {"read": [], "resample": [], "write": [], "total": []}
    for i in range(runs + 1):
        t0 = time.perf_counter()
        img = nib.load(mov)
        data = img.get_fdata(dtype=np.float32)
        t1 = time.perf_counter()
        v = np.linalg.inv(img.affine) @ t @ ref_img.affine
        res = ndimage.affine_transform(data, v[:3, :3], v[:3, 3], output_shape=ref_img.shape[:3],
                                       order=order, mode="constant", cval=0.0, output=np.float32)
        t2 = time.perf_counter()
        hdr = img.header.copy()
        nib.save(nib.Nifti1Image(np.rint(res).astype(np.int16), ref_img.affine, hdr), out)
        t3 = time.perf_counter()
        if i == 0:
            continue  # warm-up
        parts["read"].append((t1 - t0) * 1000)
        parts["resample"].append((t2 - t1) * 1000)
        parts["write"].append((t3 - t2) * 1000)
        parts["total"].append((t3 - t0) * 1000)
    for k, v in parts.items():
        print("%s_ms=%.1f" % (k, statistics.median(v)))
    print("nibabel=%s scipy=%s" % (nib.__version__, scipy.__version__))


if __name__ == "__main__":
    main(sys.argv)
