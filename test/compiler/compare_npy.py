"""Compares two .npy files normwise, as the end-to-end tests do:
max|a - b| <= atol + rtol * max|b| (atol 1e-5, rtol 1e-4).

Usage: compare_npy.py A.npy B.npy
Prints 'match SHAPE' or 'MISMATCH ...' and exits 1 on a mismatch.
"""
import sys

import numpy as np

a, b = np.load(sys.argv[1]), np.load(sys.argv[2])
if a.shape != b.shape:
    print("MISMATCH shapes %s %s" % (a.shape, b.shape))
    sys.exit(1)
err = float(np.max(np.abs(a - b)))
bound = 1e-5 + 1e-4 * float(np.max(np.abs(b)))
if not np.isfinite(err) or err > bound:
    print("MISMATCH max error %g > %g" % (err, bound))
    sys.exit(1)
print("match %s" % "x".join(str(d) for d in a.shape))
