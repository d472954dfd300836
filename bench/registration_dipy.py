"""dipy's affine registration pipeline (its tutorial's settings): centres of mass, then translation,
rigid and affine with Mattes MI (32 bins), 3 levels (factors 4, 2, 1; sigmas 3, 1, 0); 25 % of the
voxels sampled and at most 1000/100/20 iterations per level, so a 1 mm case ends in minutes
(the tutorial's 10000/1000/100 with every voxel ran past 10 minutes per case on 2 cores).
Prints the 3x4 RAS fixed->moving matrix (dipy's affine maps static points to moving points)."""
import sys
import numpy as np
import nibabel as nib
from dipy.align.imaffine import AffineRegistration, MutualInformationMetric, transform_centers_of_mass
from dipy.align.transforms import TranslationTransform3D, RigidTransform3D, AffineTransform3D

static = nib.load(sys.argv[1]); moving = nib.load(sys.argv[2])
s = static.get_fdata(dtype=np.float32); m = moving.get_fdata(dtype=np.float32)
c = transform_centers_of_mass(s, static.affine, m, moving.affine)
reg = AffineRegistration(metric=MutualInformationMetric(32, 0.25), level_iters=[1000, 100, 20], sigmas=[3.0, 1.0, 0.0], factors=[4, 2, 1], verbosity=0)
t = reg.optimize(s, m, TranslationTransform3D(), None, static.affine, moving.affine, starting_affine=c.affine)
r = reg.optimize(s, m, RigidTransform3D(), None, static.affine, moving.affine, starting_affine=t.affine)
a = reg.optimize(s, m, AffineTransform3D(), None, static.affine, moving.affine, starting_affine=r.affine)
print(" ".join("%.10g" % v for v in a.affine[:3].ravel()))
