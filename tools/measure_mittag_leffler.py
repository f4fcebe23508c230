#!/usr/bin/env python
"""Accuracy by region and speed side by side of nl.mittag_leffler (the README tables).

    PYTHONPATH=python python tools/measure_mittag_leffler.py [--speed]

Accuracy: max |y - ref| / scale over tests/reference/mittag_leffler.npz (scale as in
tests/mittag_leffler_formulas.error_scale: |E|, or the residue / first-term size near zeros),
for the per-element evaluator and for the cached plan (one (alpha, beta) per array); for
z > 0 beyond z^(1/a) = 20 the error grows like the conditioning, eps * z^(1/a) / a.
Speed: ns per element, fastest of 15 runs (3 for the slow peers), one thread, z = linspace(-10, 5) (and the same values
shuffled: no locality, as activations), side by side with pymittagleffler (complex128) and
mlfp, and nl.gelu float32 for the activation comparison.
"""

import argparse
import os
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests"))
import mittag_leffler_formulas as mlf  # noqa: E402

import nonlin as nl  # noqa: E402

E = nl.mittag_leffler
CALL = {"value": E, "d_z": E.derivative, "d_alpha": E.d_alpha, "d_beta": E.d_beta}
REGIONS = [
    ("0 < a <= 1, z < 0, b >= a (completely monotone)", lambda a, b, z: (a <= 1) & (z < 0) & (b >= a)),
    ("0 < a <= 1, z < 0, b < a", lambda a, b, z: (a <= 1) & (z < 0) & (b < a)),
    ("1 < a < 2, z < 0 (oscillating)", lambda a, b, z: (a > 1) & (a < 2) & (z < 0)),
    ("2 <= a <= 3, z < 0", lambda a, b, z: (a >= 2) & (z < 0)),
    ("any a, z >= 0, z^(1/a) <= 20", lambda a, b, z: (z >= 0) & (np.abs(z) ** (1 / a) <= 20)),
    ("any a, z > 0, z^(1/a) in (20, 700] (to overflow)", lambda a, b, z: (z > 0) & (np.abs(z) ** (1 / a) > 20)),
]


def plan_values(part, a, b, z):
    out = np.empty_like(z)
    for key in set(zip(a.tolist(), b.tolist())):
        k = (a == key[0]) & (b == key[1])
        zz = z[k]
        out[k] = CALL[part](np.tile(zz, -(-4096 // zz.size)), key[0], key[1])[: zz.size]
    return out


def accuracy():
    d = np.load(os.path.join(HERE, "..", "tests", "reference", "mittag_leffler.npz"))
    print("| region | part | points | elementwise | plan |")
    print("|---|---|---:|---:|---:|")
    for p, part in enumerate(mlf.PART_NAMES):
        m = d["part"] == p
        a, b, z, ref = d["a"][m], d["b"][m], d["z"][m], d["ref"][m]
        errs = [mlf.relative_errors(y, ref, z, a, b)
                for y in (CALL[part](z, a, b), plan_values(part, a, b, z))]
        for title, sel in REGIONS:
            k = sel(a, b, z)
            if k.any():
                print(f"| {title} | {part} | {k.sum()} | {errs[0][k].max():.1e} | {errs[1][k].max():.1e} |")


def best_time(f, repeat=15):
    """Fastest of `repeat` runs: on the shared 2-vCPU VM a ~3 ms call is often preempted
    (bimodal timings), so the minimum, taken alike for every contender, is the stable figure."""
    ts = []
    for _ in range(repeat):
        t = time.perf_counter()
        f()
        ts.append(time.perf_counter() - t)
    return float(np.min(ts))


def speed():
    import mlfp
    import pymittagleffler as pml
    nl.set_num_threads(1)
    n = 100_000
    x = np.random.default_rng(0).normal(0, 3, n).astype(np.float32)
    g32 = best_time(lambda: nl.gelu(x)) / n
    print(f"nl.gelu float32: {g32 * 1e9:.2f} ns/element\n")
    print("| (a, b) | plan f64 | plan f32 | plan f64, shuffled | plan f32, shuffled | f32 / gelu |"
          " per element | pymittagleffler | mlfp | pml / plan f64 | pml / per element |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for a, b in [(0.5, 1.0), (1.5, 1.0), (0.8, 1.2)]:
        z = np.linspace(-10, 5, n)
        z32 = z.astype(np.float32)
        E(z, a, b)
        E(z32, np.float32(a), np.float32(b))
        plan64 = best_time(lambda: E(z, a, b)) / n
        plan32 = best_time(lambda: E(z32, np.float32(a), np.float32(b))) / n
        zs = np.random.default_rng(1).permutation(z)  # same values, no locality (activations)
        zs32 = zs.astype(np.float32)
        shuf64 = best_time(lambda: E(zs, a, b)) / n
        shuf32 = best_time(lambda: E(zs32, np.float32(a), np.float32(b))) / n
        ze = z[::100]
        ae = np.nextafter(np.full(ze.size, a), np.where(np.arange(ze.size) % 2, 2 * a, 0))
        elem = best_time(lambda: E(ze, ae, b), 3) / ze.size
        zc = ze.astype(complex)
        peer = best_time(lambda: pml.mittag_leffler(zc, a, b), 3) / ze.size
        zm = z[::1000]
        slow = best_time(lambda: mlfp.mittag_leffler(zm, a, b), 1) / zm.size
        print(f"| ({a}, {b}) | {plan64 * 1e9:.1f} ns | {plan32 * 1e9:.1f} ns | {shuf64 * 1e9:.1f} ns |"
              f" {shuf32 * 1e9:.1f} ns | {plan32 / g32:.0f}x / {shuf32 / g32:.0f}x | {elem * 1e9:.0f} ns |"
              f" {peer * 1e9:.0f} ns | {slow * 1e9:.0f} ns | {peer / plan64:.0f}x | {peer / elem:.1f}x |")


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--speed", action="store_true")
    args = ap.parse_args()
    speed() if args.speed else accuracy()
