#!/usr/bin/env python
"""Regenerate tests/reference/ref_rational.npz: mpmath values of the rational activations.

    python tests/reference/generate_rational.py

For every coefficient set of rational_formulas.coefficient_sets(), version (A, B, C, N) and
dtype (float32, float64) -- coefficients rounded to the dtype first -- on a grid of x:
    <case>/x, <case>/g              inputs (the dtype)
    <case>/fwd, <case>/deriv        (3, len(x)) float64 rows: hi, lo (double-double as in
                                    generate.py: value = hi + lo * 2**ulp64_exp(hi)), scale
    <case>/ga, <case>/gb            exact sums over the moderate part of the grid (|x| <= 8) of
                                    g dF/da_j and g dF/db_k: (2, count) rows hi, lo
    <case>/ta, <case>/tb            the sums of |g dF/dcoef| times each term's relative
                                    condition (the error scale of each sum)
<case> = "<set>/<version>/<dtype>".
"""

import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.dirname(HERE))
import rational_formulas as R  # noqa: E402
import reference_formulas as rf  # noqa: E402
from mpmath import mpf  # noqa: E402


def grid(dtype):
    big = 30 if dtype == "float32" else 250
    mag = np.logspace(-30, big, 97)
    x = np.concatenate([np.linspace(-8, 8, 641), mag, -mag, [0.0, 1e-40 if dtype == "float32" else 5e-324]])
    return np.unique(x.astype(dtype))


def grad_out(dtype, n):
    rng = np.random.default_rng(1234)
    return (rng.uniform(0.25, 2.0, n) * rng.choice([-1, 1], n)).astype(dtype)


def case(name, version, dtype):
    num, den = R.coefficient_sets()[name]
    if version == "C":
        num, den = R.c_version(num, den)
    a = [float(v) for v in np.array(num, dtype)]
    b = [float(v) for v in np.array(den, dtype)]
    c01 = float(np.array(0.1, dtype))
    x = grid(dtype)
    g = grad_out(dtype, len(x))
    out = {"x": x, "g": g}
    rows = {k: np.zeros((3, len(x))) for k in ("fwd", "deriv")}
    sa = [mpf(0)] * len(a)
    sb = [mpf(0)] * len(b)
    ta = [mpf(0)] * len(a)
    tb = [mpf(0)] * len(b)
    for i, (xi, gi) in enumerate(zip(x.tolist(), g.tolist())):
        r = R.evaluate(version, xi, a, b, c01)
        for k in ("fwd", "deriv"):
            v, s = r[k]
            hi, lo = rf.to_dd(v)
            rows[k][:, i] = (hi, lo, rf.to_float(s))
        if abs(xi) <= 8:
            for j, d in enumerate(r["da"]):
                sa[j] += gi * d
                ta[j] += abs(gi * d) * r["ca"]
            for k, d in enumerate(r["db"]):
                sb[k] += gi * d
                tb[k] += abs(gi * d) * r["cb"]
    out.update(rows)
    out["ga"] = np.array([rf.to_dd(v) for v in sa]).T
    out["gb"] = np.array([rf.to_dd(v) for v in sb]).T
    out["ta"] = np.array([float(v) for v in ta])
    out["tb"] = np.array([float(v) for v in tb])
    return out


def main():
    data = {}
    for name in R.coefficient_sets():
        for version in "ABCN":
            for dtype in ("float32", "float64"):
                for k, v in case(name, version, dtype).items():
                    data[f"{name}/{version}/{dtype}/{k}"] = v
                print(name, version, dtype, flush=True)
    np.savez_compressed(os.path.join(HERE, "ref_rational.npz"), **data)


if __name__ == "__main__":
    main()
