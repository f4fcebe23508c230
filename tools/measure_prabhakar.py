"""Accuracy of the Prabhakar function nl.mittag_leffler(z, a, b, gamma=g) against mpmath, by
region (the README's table): the power series at a working precision that covers both the
growth e^(z^(1/a)) of the terms and a result as small as e^(-z^(1/a)).

    python tools/measure_prabhakar.py [--derivatives | --band]

--derivatives: d/dalpha, d/dbeta, d/dgamma against mpmath's numerical derivative of the series.
--band: the oscillating 1 < a < 2, z < 0 cases with z^(1/a) in [6, 60] (the Mellin-Barnes
integral's and the 113-bit series' range): max relative error, and absolute where |E| < 0.1, NaN
count, time per element; and a >= 2, z < 0 with z^(1/a) in [12, 45].
"""

import collections
import sys

import mpmath as mp
import numpy as np

import nonlin as nl


def series(z, a, b, g):
    """The series as an mpf, at a precision never below the caller's (mp.diff raises it)."""
    x = abs(float(z)) ** (1 / float(a)) if z else 0.0
    with mp.workdps(max(mp.mp.dps, int(30 + x / 1.1))):
        z, a, b, g = (mp.mpf(v) for v in (z, a, b, g))
        total, k = mp.mpf(0), 0
        while True:
            t = mp.rf(g, k) / mp.factorial(k) * mp.rgamma(a * k + b) * z ** k
            total += t
            if k > 10 and a * k + b > x + 5 and abs(t) < mp.mpf(10) ** (-mp.mp.dps + 3) * (abs(total) + 1e-300):
                return +total
            k += 1


def reference(z, a, b, g):
    return float(series(z, a, b, g))


def derivative_reference(z, a, b, g, which):
    x = abs(z) ** (1 / a)

    def f(t):
        p = [mp.mpf(a), mp.mpf(b), mp.mpf(g)]
        p[which] += t
        return series(z, *p)

    with mp.workdps(int(50 + x / 1.1)):
        return float(mp.diff(f, mp.mpf(0), direction=1 if (which == 2 and g == 0) else 0))


def derivatives():
    worst = collections.defaultdict(float)
    for a in (0.4, 0.8, 1.0, 1.5, 2.5):
        for b in (-0.5, 0.7, 2.0):
            for g in (0.0, 0.5, 2.3):
                for z in (-30.0, -6.0, -1.5, -0.2, 0.5, 3.0, 20.0):
                    if abs(z) ** (1 / a) > 200:
                        continue
                    for which, part in enumerate(("d_alpha", "d_beta", "d_gamma")):
                        y = float(getattr(nl.mittag_leffler, part)(z, a, b, gamma=g))
                        if np.isnan(y):
                            continue
                        ref = derivative_reference(z, a, b, g, which)
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
    worst, nan, total = 0.0, 0, 0
    for a in (2.2, 2.5, 3.0):
        for x in (12.0, 20.0, 30.0, 45.0):
            for b in (-1.5, -0.5, 1.0, 2.5, 4.5):
                for g in (0.1, 0.5, 1.5, 3.3):
                    total += 1
                    y = float(nl.mittag_leffler(-x ** a, a, b, gamma=g))
                    if np.isnan(y):
                        nan += 1
                        continue
                    ref = reference(-x ** a, a, b, g)
                    worst = max(worst, abs(y - ref) / abs(ref))
    print(f"a >= 2, z < 0, z^(1/a) in [12, 45]: {total} points, {nan} NaN; max relative error {worst:.1e}")


if __name__ == "__main__":
    if "--derivatives" in sys.argv[1:]:
        derivatives()
    elif "--band" in sys.argv[1:]:
        band()
    else:
        main()
