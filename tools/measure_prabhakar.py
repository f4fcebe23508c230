"""Accuracy of the Prabhakar function nl.mittag_leffler(z, a, b, gamma=g) against mpmath, by
region (the README's table): the power series at a working precision that covers both the
growth e^(z^(1/a)) of the terms and a result as small as e^(-z^(1/a)).

    python tools/measure_prabhakar.py
"""

import collections

import mpmath as mp
import numpy as np

import nonlin as nl


def reference(z, a, b, g):
    x = abs(z) ** (1 / a) if z else 0.0
    with mp.workdps(int(30 + x / 1.1)):
        z, a, b, g = (mp.mpf(v) for v in (z, a, b, g))
        total, k = mp.mpf(0), 0
        while True:
            t = mp.rf(g, k) / mp.factorial(k) * mp.rgamma(a * k + b) * z ** k
            total += t
            if k > 10 and a * k + b > x + 5 and abs(t) < mp.mpf(10) ** (-mp.mp.dps + 3) * (abs(total) + 1e-300):
                return float(total)
            k += 1


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


if __name__ == "__main__":
    main()
