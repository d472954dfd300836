#!/usr/bin/python3
"""nibabel side of the NIfTI benchmark (bench/Atlas.Bench NiftiBench runs it).

  nifti_peer.py read FILE RUNS        median ms of nibabel.load(FILE).get_fdata()
  nifti_peer.py write SRC DST RUNS    median ms of nibabel.save(img, DST), img held in memory in SRC's dtype

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
    print("nibabel=%s" % nib.__version__)
    print("numpy=%s" % np.__version__)


if __name__ == "__main__":
    main(sys.argv)
