#!/usr/bin/env python
"""Regenerate tests/reference/mittag_leffler.npz (mpmath references for E_{a,b}(z)).

    python tests/reference/generate_mittag_leffler.py [--jobs N]

The formulas live in tests/mittag_leffler_formulas.py (series at raised precision, asymptotic
expansion beyond |z|^{1/a} = 45, 1F1 for a = 1, numerical differentiation for the derivative
parts). Each value is computed at 26 and at 34 digits and must agree to 21 digits.

Layout: a, b, z (float64 inputs), part (0 value, 1 d/dz, 2 d/dalpha, 3 d/dbeta), ref (float64
correctly rounded reference), scale (float64: |ref|, or for the oscillating cases the size of
the largest residue/term near a zero, so errors there are measured absolutely).
"""

import argparse
import os
import sys
from multiprocessing import Pool

import mpmath as mp
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
import mittag_leffler_formulas as mlf  # noqa: E402

PARTS = ("value", "d_z", "d_alpha", "d_beta")
ALPHAS = [0.1, 0.25, 0.5, 0.75, 0.9, 1.0, 1.25, 1.5, 1.75, 2.0, 2.5, 3.0]
BETAS = [-1.5, -1.0, 0.0, 0.5, 1.0, 1.2, 2.0, 3.7, 5.0]
# |z|^{1/a} (the size of the poles) for z > 0, and |z| for z < 0
X_POS = [0.01, 0.3, 1.0, 2.5, 5.0, 9.0, 15.0, 19.0, 21.0, 27.0, 40.0, 70.0, 150.0, 400.0, 690.0]
Z_NEG = [1e-3, 0.1, 0.5, 1.0, 2.0, 3.5, 6.0, 10.0, 17.0, 30.0, 60.0, 150.0, 500.0, 2000.0, 1e4]
DERIV_ALPHAS = [0.5, 0.9, 1.0, 1.5, 2.5]
DERIV_BETAS = [-1.0, 0.5, 1.0, 2.0, 3.7]


def points():
    out = []
    for a in ALPHAS:
        zs = [0.0] + [-z for z in Z_NEG] + [x ** a for x in X_POS]
        if a <= 0.25:  # the series needs thousands of terms there: a thinner grid
            zs = zs[::2]
        for b in BETAS:
            for i, z in enumerate(zs):
                out.append((a, b, z, 0))
                if a in DERIV_ALPHAS and b in DERIV_BETAS and abs(z) <= 2000 and i % 2 == 0:
                    out.extend((a, b, z, p) for p in (1, 2, 3))
    return out


def _eval(task):
    a, b, z, p = task
    vals = []
    for dps in (26, 34):
        with mp.workdps(dps):
            vals.append(mlf.ml_part(PARTS[p], z, a, b))
    v30, v40 = vals
    with mp.workdps(40):
        # scale: for the oscillating cases (z < 0, a > 1) errors count against the size of the
        # residues and the first power term near a zero; elsewhere against the value
        scale = abs(v40)
        if z < 0 and a > 1:
            x = mp.mpf(-z) ** (1 / mp.mpf(a))
            scale = max(scale, mp.exp(x * mp.cos(mp.pi / a)) * x ** (1 - b) / a,
                        abs(mp.rgamma(b - a) / z))
        if abs(v40 - v30) > mp.mpf(10) ** -21 * max(scale, mp.mpf(10) ** -30):
            raise RuntimeError(f"reference unstable at {task}: {v30} vs {v40}")
    return float(v40), float(scale)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--jobs", type=int, default=2)
    args = ap.parse_args()
    pts = points()
    res = []
    with Pool(args.jobs) as pool:
        for i, r in enumerate(pool.imap(_eval, pts, chunksize=8)):
            res.append(r)
            if i % 500 == 0:
                print(f"{i}/{len(pts)}", flush=True)
    arr = np.array(pts, dtype=np.float64)
    ref = np.array([r[0] for r in res])
    scale = np.array([r[1] for r in res])
    keep = np.isfinite(ref) & (np.abs(ref) < 1e300)
    np.savez_compressed(os.path.join(HERE, "mittag_leffler.npz"), a=arr[keep, 0], b=arr[keep, 1],
                        z=arr[keep, 2], part=arr[keep, 3].astype(np.int8), ref=ref[keep],
                        scale=scale[keep])
    print(f"{keep.sum()} points")


if __name__ == "__main__":
    main()
