#!/usr/bin/env python
"""Regenerate the mpmath reference tables tests/reference/ref_<dtype>.npz.

    python tests/reference/generate.py [--jobs N] [--tables standard literature] [--dtypes ...]
        [--sets NAME#I ...]   (only these parameter sets, merged into the existing tables)

The formulas live in tests/reference_formulas.py (written from the mathematics, not from
nonlin); the input grids (make_grid) and the incoming gradients (grad_out) are deterministic.
Every value is evaluated with adaptive precision (>= 50 digits, raised until two precisions
agree to 40 digits relative to the scale and 34 digits relative to the value).

File layout (one npz per reference table and dtype: ref_<dtype>.npz for the standard
activations, ref_literature_<dtype>.npz for those from the literature; np.savez_compressed):
    x                      inputs (the dtype)
    g                      incoming gradient for backward / param-grad (the dtype)
    meta                   JSON: grid version, dtype, parameter sets (as the dtype holds them)
    <set>/<kind>/hi        float64: the reference correctly rounded to float64 (+-inf beyond)
    <set>/<kind>/lo        float32: the residual (value - hi) in units of the float64 ulp of hi,
                           i.e. value = hi + lo * 2**ulp64_exp(hi): a double-double stored
                           compactly, exact down to float64's subnormal range
    <set>/<kind>/scale     float64 magnitude of the largest term of the formula; stored as 0
                           where it equals |value| (single-term formulas, ordinary points)
<set> is "<name>#<i>" (i = 0 for the defaults), <kind> is fwd, deriv, bwd (= g f'),
d_<param> (df/dparam) and gd_<param> (= g df/dparam).
"""

import argparse
import json
import os
import sys
import time
from multiprocessing import Pool

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
import reference_formulas as rf  # noqa: E402
from mpmath import fmul, mpf  # noqa: E402


def _one_set(task):
    dtype, name, idx = task
    act = rf.BY_NAME[name]
    params = rf.dtype_params(act.param_sets[idx], dtype)
    x = rf.make_grid(dtype, act.table)
    g = rf.grad_out(dtype, len(x))
    kinds = list(act.kinds)
    out_kinds = kinds + ["bwd"] + ["g" + k for k in kinds if k.startswith("d_")]
    res = {k: np.zeros((3, len(x))) for k in out_kinds}
    for i, (xi, gi) in enumerate(zip(x.tolist(), g.tolist())):
        r = rf.evaluate(act, float(xi), params)
        gm = mpf(gi)
        r["bwd"] = (fmul(gm, r["deriv"][0], exact=True), fmul(abs(gm), r["deriv"][1], exact=True))
        for k in kinds:
            if k.startswith("d_"):
                r["g" + k] = (fmul(gm, r[k][0], exact=True), fmul(abs(gm), r[k][1], exact=True))
        for k in out_kinds:
            v, s = r[k]
            hi, lo = rf.to_dd(v)
            sc = 0.0 if rf.same_magnitude(s, v) else rf.to_float(s)
            res[k][:, i] = (hi, lo, sc)
    return dtype, rf.set_id(act, idx), params, res


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--dtypes", nargs="*", default=list(rf.DTYPES))
    ap.add_argument("--tables", nargs="*", default=list(rf.TABLES))
    ap.add_argument("--sets", nargs="*", help="only these sets (e.g. elephant#2), kept with the others")
    args = ap.parse_args()
    t0 = time.time()
    tasks = [(d, a.name, i) for d in args.dtypes for t in args.tables
             for a, i, _ in rf.all_param_sets(t) if not args.sets or rf.set_id(a, i) in args.sets]
    # biggest tasks first (transcendental sets) for better load balance
    tasks.sort(key=lambda t: t[1] in ("relu", "relu6", "hardtanh", "hardshrink", "softshrink"))
    keys = [(d, t) for d in args.dtypes for t in args.tables]
    tables = {k: {} for k in keys}
    meta = {(d, t): {"grid_version": rf.GRID_VERSION, "dtype": d, "sets": {}} for d, t in keys}
    if args.sets:  # the other sets from the existing files
        for d, t in keys:
            with np.load(os.path.join(HERE, rf.table_file(d, t))) as old:
                if not np.array_equal(old["x"], rf.make_grid(d, t)):
                    sys.exit(f"--sets: the {t} grid changed (new kinks?): regenerate the whole table")
                meta[(d, t)] = json.loads(str(old["meta"]))
                tables[(d, t)] = {k: old[k] for k in old.files if k not in ("x", "g", "meta")}
    with Pool(args.jobs) as pool:
        for dtype, sid, params, res in pool.imap_unordered(_one_set, tasks):
            key = (dtype, rf.BY_NAME[sid.split("#")[0]].table)
            meta[key]["sets"][sid] = params
            for k, arr in res.items():
                tables[key][f"{sid}/{k}/hi"] = arr[0]
                tables[key][f"{sid}/{k}/lo"] = arr[1].astype(np.float32)
                tables[key][f"{sid}/{k}/scale"] = arr[2]
    for d, t in keys:
        x = rf.make_grid(d, t)
        path = os.path.join(HERE, rf.table_file(d, t))
        np.savez_compressed(path, x=x, g=rf.grad_out(d, len(x)),
                            meta=np.array(json.dumps(meta[(d, t)], sort_keys=True)), **tables[(d, t)])
        print(f"{path}: {len(x)} points, {len(tables[(d, t)])} arrays, "
              f"{os.path.getsize(path) / 1e6:.2f} MB")
    print(f"generated in {time.time() - t0:.1f} s")


if __name__ == "__main__":
    main()
