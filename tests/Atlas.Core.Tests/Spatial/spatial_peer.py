"""Peer values for the Spatial tests (run with Debian's /usr/bin/python3: nibabel, scipy).

resample CASES   each line of CASES: moving.nii reference.nii ras_fixed_to_moving.txt order mode out.nii
                 out = scipy.ndimage.affine_transform of the moving data (float64) with the voxel map
                 inv(A_moving) @ T @ A_reference, output shape of the reference, cval 0; saved float64.
orient SRC DIR   writes DIR/in_NN.nii for all 48 axis orders of SRC (nibabel as_reoriented), and
                 DIR/ras_NN.nii = as_closest_canonical(in_NN), DIR/las_NN.nii = the LAS copy.
"""
import sys, itertools
import numpy as np
import nibabel as nib
from nibabel import orientations as no
from scipy import ndimage


def resample(cases):
    for line in open(cases):
        parts = line.split()
        if not parts:
            continue
        mov, ref, tfile, order, mode, out = parts
        m = nib.load(mov)
        r = nib.load(ref)
        t = np.loadtxt(tfile)
        v = np.linalg.inv(m.affine) @ t @ r.affine
        data = np.asanyarray(m.dataobj).astype(np.float64)
        res = ndimage.affine_transform(data, v[:3, :3], v[:3, 3], output_shape=r.shape[:3],
                                       order=int(order), mode=mode, cval=0.0, prefilter=True)
        nib.save(nib.Nifti1Image(res, r.affine), out)


def orient(src, outdir):
    img = nib.load(src)
    n = 0
    for perm in itertools.permutations(range(3)):
        for flips in itertools.product([1, -1], repeat=3):
            ornt = np.array([[perm[a], flips[a]] for a in range(3)], dtype=float)
            im = img.as_reoriented(ornt)
            im = nib.Nifti1Image(np.asanyarray(im.dataobj), im.affine)
            nib.save(im, '%s/in_%02d.nii' % (outdir, n))
            nib.save(nib.as_closest_canonical(im), '%s/ras_%02d.nii' % (outdir, n))
            to_las = no.ornt_transform(no.io_orientation(im.affine), no.axcodes2ornt('LAS'))
            nib.save(im.as_reoriented(to_las), '%s/las_%02d.nii' % (outdir, n))
            n += 1
    print(n)


if __name__ == '__main__':
    if sys.argv[1] == 'resample':
        resample(sys.argv[2])
    elif sys.argv[1] == 'orient':
        orient(sys.argv[2], sys.argv[3])
    else:
        sys.exit('unknown command ' + sys.argv[1])
