#!/usr/bin/python3
"""nibabel side of the NIfTI benchmark (bench/Atlas.Bench NiftiBench runs it).

  nifti_peer.py read FILE RUNS        median ms of nibabel.load(FILE).get_fdata()
  nifti_peer.py write SRC DST RUNS    median ms of nibabel.save(img, DST), img held in memory in SRC's dtype
  nifti_peer.py make-t1 SRC DST       a near-incompressible real T1: the central 256^3 of SRC (MRIcron's
                                      ch2better, 0.5 mm) as float32 plus Gaussian noise (sigma 3 % of the
                                      maximum, seed 15), saved by nibabel (one gzip member, as other tools write)

Prints one line `key=value` per figure. nibabel writes .nii.gz with Opener.default_compresslevel.
"""
import statistics
import sys
import time

import nibabel as nib
import numpy as np


def median_ms(fn, runs):
    fn()  # warm-up, as the C# side does
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000.0)
    return statistics.median(times)


def main(argv):
    cmd = argv[1]
    if cmd == "read":
        path, runs = argv[2], int(argv[3])
        ms = median_ms(lambda: nib.load(path).get_fdata(), runs)
        print("read_ms=%.1f" % ms)
    elif cmd == "write":
        src, dst, runs = argv[2], argv[3], int(argv[4])
        img0 = nib.load(src)
        img = nib.Nifti1Image(np.asanyarray(img0.dataobj), img0.affine, img0.header)
        ms = median_ms(lambda: nib.save(img, dst), runs)
        print("write_ms=%.1f" % ms)
        print("compresslevel=%d" % nib.openers.Opener.default_compresslevel)
    elif cmd == "make-t1":
        src, dst = argv[2], argv[3]
        img = nib.load(src)
        a = np.asanyarray(img.dataobj).astype(np.float32)
        start = [(n - 256) // 2 for n in a.shape]
        a = np.ascontiguousarray(a[start[0]:start[0] + 256, start[1]:start[1] + 256, start[2]:start[2] + 256])
        rng = np.random.default_rng(15)
        a += rng.normal(0.0, 0.03 * float(a.max()), a.shape).astype(np.float32)
        shift = np.eye(4)
        shift[:3, 3] = start
        out = nib.Nifti1Image(a, img.affine @ shift)
        nib.save(out, dst)
        print("shape=%s" % (a.shape,))
    print("nibabel=%s" % nib.__version__)
    print("numpy=%s" % np.__version__)


if __name__ == "__main__":
    main(sys.argv)
