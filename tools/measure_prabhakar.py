"""Accuracy of the Prabhakar function nl.mittag_leffler(z, a, b, gamma=g) against mpmath, by
region (the README's table): the power series at a working precision that covers both the
growth e^(z^(1/a)) of the terms and a result as small as e^(-z^(1/a)).

    python tools/measure_prabhakar.py [--derivatives | --band | --complex]

--derivatives: d/dalpha, d/dbeta, d/dgamma against mpmath's numerical derivative of the series.
--band: the oscillating 1 < a < 2, z < 0 cases with z^(1/a) in [6, 60] (the Mellin-Barnes
integral's and the 113-bit series' range): max relative error, and absolute where |E| < 0.1, NaN
count, time per element; and a >= 2, z < 0 with z^(1/a) in [12, 300] (the 113-bit series', then
the large-argument expansion's range), its error also in units of E's conditioning
|z E'(z)| eps (near E's zeros).
--complex: complex z, random a in (0.05, 3), b in (-2, 5), g in (0.01, 5), |z|^(1/a) in (0.1, 100),
every argument: the value against the series, d/dalpha, d/dbeta, d/dgamma against its numerical
derivatives; NaN count, max relative error and max relative error / (10 + |z|^(1/a)), time
per element.
"""

import collections
import os
import sys

import numpy as np

import nonlin as nl

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests"))
from prabhakar_formulas import PARTS, parameter_derivative, series  # noqa: E402


def reference(z, a, b, g):
    return float(series(z, a, b, g))


def derivatives():
    worst = collections.defaultdict(float)
    for a in (0.4, 0.8, 1.0, 1.5, 2.5):
        for b in (-0.5, 0.7, 2.0):
            for g in (0.0, 0.5, 2.3):
                for z in (-30.0, -6.0, -1.5, -0.2, 0.5, 3.0, 20.0):
                    if abs(z) ** (1 / a) > 200:
                        continue
                    for part in PARTS:
                        y = float(getattr(nl.mittag_leffler, part)(z, a, b, gamma=g))
                        if np.isnan(y):
                            continue
                        ref = float(parameter_derivative(part, z, a, b, g))
                        scale = max(abs(ref), 1e-3) if a > 1 and z < 0 else max(abs(ref), 1e-20)
                        key = f"{part}, {'z > 0' if z > 0 else 'z < 0'}"
                        worst[key] = max(worst[key], abs(y - ref) / scale)
    print("| part | max error |\n|---|---:|")
    for key in sorted(worst):
        print(f"| {key} | {worst[key]:.1e} |")


def region(z, a):
    sign = "z > 0" if z > 0 else "z < 0"
    kind = "a < 1" if a < 1 else "a = 1" if a == 1 else "1 < a < 2" if a < 2 else "a >= 2"
    return f"{sign}, {kind}"


def main():
    worst = collections.defaultdict(float)
    nan = total = 0
    for a in (0.3, 0.5, 0.8, 1.0, 1.3, 1.7, 2.5):
        for b in (-0.5, 0.5, 1.0, 1.7, 3.0):
            for g in (0.5, 1.5, 2.0, 3.3):
                for z in (-200, -50, -20, -8, -3, -1, -0.3, 0.4, 2, 7, 30, 150):
                    if abs(z) ** (1 / a) > 600:
                        continue
                    total += 1
                    y = float(nl.mittag_leffler(float(z), a, b, gamma=g))
                    if np.isnan(y):
                        nan += 1
                        continue
                    ref = reference(z, a, b, g)
                    # absolute near the zeros of the oscillating cases and at exact zeros
                    # (E^2_{1,1}(-1) = 0: the reference's last digits are noise there)
                    scale = max(abs(ref), 1e-3) if a > 1 and z < 0 else max(abs(ref), 1e-20)
                    key = region(z, a)
                    worst[key] = max(worst[key], abs(y - ref) / scale)
    print("| region | max error |\n|---|---:|")
    for key in sorted(worst):
        print(f"| {key} | {worst[key]:.1e} |")
    print(f"NaN (no path reaches 1e-13): {nan} of {total} points")


def band():
    import time
    rel = absolute = 0.0
    nan = total = 0
    seconds = []
    for a in (1.1, 1.3, 1.5, 1.7, 1.9, 1.95):
        for x in (6.0, 8.0, 12.0, 20.0, 30.0, 45.0, 60.0):
            z = -x ** a
            for b in (-1.5, -0.5, 1.0, 2.5, 4.5):
                for g in (0.1, 0.5, 1.5, 3.3):
                    total += 1
                    t0 = time.perf_counter()
                    y = float(nl.mittag_leffler(z, a, b, gamma=g))
                    seconds.append(time.perf_counter() - t0)
                    if np.isnan(y):
                        nan += 1
                        continue
                    ref = reference(z, a, b, g)
                    if abs(ref) >= 0.1:
                        rel = max(rel, abs(y - ref) / abs(ref))
                    else:
                        absolute = max(absolute, abs(y - ref))
    print(f"1 < a < 2, z < 0, z^(1/a) in [6, 60]: {total} points, {nan} NaN; max relative error "
          f"{rel:.1e} (|E| >= 0.1), max absolute error {absolute:.1e} (|E| < 0.1); time per element "
          f"median {np.median(seconds) * 1e6:.0f} us, max {max(seconds) * 1e6:.0f} us")
    worst = conditioned = 0.0
    nan = total = 0
    for a in (2.2, 2.5, 3.0):
        for x in (12.0, 20.0, 30.0, 45.0, 75.0, 150.0, 300.0):
            z = -x ** a
            for b in (-1.5, -0.5, 1.0, 2.5, 4.5):
                for g in (0.1, 0.5, 1.5, 3.3):
                    total += 1
                    y = float(nl.mittag_leffler(z, a, b, gamma=g))
                    if np.isnan(y):
                        nan += 1
                        continue
                    ref = reference(z, a, b, g)
                    worst = max(worst, abs(y - ref) / abs(ref))
                    condition = abs(z * float(series(z, a, b, g, 1))) * 2.0**-52
                    conditioned = max(conditioned, abs(y - ref) / max(condition, abs(ref) * 2.0**-52))
    print(f"a >= 2, z < 0, z^(1/a) in [12, 300]: {total} points, {nan} NaN; max relative error {worst:.1e}; "
          f"max error / max(|z E'(z)| eps, |E| eps) {conditioned:.0f}")


def complex_z():
    import math
    import time
    rng = np.random.default_rng(2026)
    seconds, nan, worst, scaled = [], 0, collections.defaultdict(float), collections.defaultdict(float)
    for i in range(600):
        a, b, g = rng.uniform(0.05, 3.0), rng.uniform(-2, 5), rng.uniform(0.01, 5)
        x = math.exp(rng.uniform(math.log(0.1), math.log(100)))
        z = x ** a * complex(math.cos(p := rng.uniform(-math.pi, math.pi)), math.sin(p))
        parts = ["value"] + (list(PARTS) if i % 6 == 0 and x <= 80 else [])
        for part in parts:
            t0 = time.perf_counter()
            f = nl.mittag_leffler if part == "value" else getattr(nl.mittag_leffler, part)
            y = complex(f(z, a, b, gamma=g))
            seconds.append(time.perf_counter() - t0)
            if np.isnan(y.real):
                nan += 1
                continue
            if part == "value":
                ref = complex(series(z, a, b, g))
            else:
                ref = complex(parameter_derivative(part, z, a, b, g))
            worst[part] = max(worst[part], abs(y - ref) / abs(ref))
            scaled[part] = max(scaled[part], abs(y - ref) / abs(ref) / (10 + x))
    print(f"complex z: {len(seconds)} evaluations, {nan} NaN; time per element median "
          f"{np.median(seconds) * 1e6:.0f} us, max {max(seconds) * 1e6:.0f} us")
    for part in worst:
        print(f"  {part}: max relative error {worst[part]:.1e}, max relative error / (10 + |z|^(1/a)) {scaled[part]:.1e}")


if __name__ == "__main__":
    if "--derivatives" in sys.argv[1:]:
        derivatives()
    elif "--band" in sys.argv[1:]:
        band()
    elif "--complex" in sys.argv[1:]:
        complex_z()
    else:
        main()
