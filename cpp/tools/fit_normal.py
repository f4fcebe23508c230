#!/usr/bin/env python3
"""Derive the piecewise polynomials of cpp/include/nonlin/simd/normal.h.

Q(a) = Phi(-a) e^(a^2/2) (a >= 0) is smooth and slowly varying; it is approximated on 16
intervals selected per lane by bits of a/scale + 1 (see key_bounds). On interval j, Q(a) = sum_i c[i][j] u^i with u = a - center[j] (exact:
center 0 on the first interval, Sterbenz elsewhere). Chebyshev interpolation at high precision
(near-minimax), on intervals widened by a little so a lane rounded into a neighbour's interval
stays accurate; coefficients rounded to the target precision, then the error of the rounded
polynomial is measured on a dense grid (relative to Q).

    python3 cpp/tools/fit_normal.py   # rewrites the generated block of normal.h
"""
import mpmath as mp
import numpy as np

mp.mp.dps = 50


def Q(a):
    return mp.erfc(a / mp.sqrt(2)) / 2 * mp.exp(a * a / 2)


C_PHI = 1 / mp.sqrt(2 * mp.pi)


def D(a):
    """GELU's derivative at -a over e^(-a^2/2): Phi(-a) - a phi(a) = e^(-a^2/2) D(a)."""
    return Q(a) - a * C_PHI


def scale_D(a):
    # D crosses zero near a = 0.7518; its error counts against the larger of its two terms
    return max(Q(a), a * C_PHI)


FUNCS = {"Q": (Q, Q), "D": (D, scale_D)}


# The 16 intervals are selected by bits of key = a/scale + 1 (float: scale 1, double: 4): the
# exponent and the top two mantissa bits, i.e. four intervals per binade of the key. In natural
# order n = 4e + m the key lies in [2^e (1 + m/4), 2^e (1 + (m+1)/4)); the table slot is the low
# four bits of bits(key) >> (mantissa bits - 2), which is (n + 12) mod 16 (bias*4 = 12 mod 16).
def key_bounds(scale):
    return [((2**e * (1 + m / 4) - 1) * scale, (2**e * (1 + (m + 1) / 4) - 1) * scale)
            for e in range(4) for m in range(4)]


BOUNDS_F = key_bounds(1.0)   # a in [0, 15)
BOUNDS_D = key_bounds(4.0)   # a in [0, 60)


def slot(n):
    return (n + 12) % 16


def center(lo, hi, dtype, g=Q):
    """A center near the middle (a multiple of 2^-10, so u = a - center is exact) where Q is
    closest to a number of the target precision: the constant coefficient then carries
    (almost) no rounding error."""
    if hi <= 0.25:
        return 0.0  # Q(0) = 1/2: u = a exactly; Horner in a stays well conditioned
    # (on [0, 1) in double, a - center is inexact for a < center/2, by at most 2^-55 (0.2 ulp of
    # Q); a center-0 polynomial there would alternate and lose ~1 ulp to cancellation.)
    mid, best = (lo + hi) / 2, None
    for k in range(-128, 129):
        c = mid + k / 1024
        q = g(mp.mpf(c))
        e = abs(mp.mpf(float(dtype(float(q)))) / q - 1) if q != 0 else 1
        if best is None or e < best[0]:
            best = (e, c)
    return best[1]


def rnd(x, dtype):
    return float(dtype(float(x)))


def fit(deg, dtype, fname="Q"):
    global INTERVALS
    g, scale = FUNCS[fname]
    bounds = BOUNDS_F if dtype == np.float32 else BOUNDS_D
    INTERVALS = [(lo, hi, center(lo, hi, dtype, g)) for lo, hi in bounds]
    table = [[0.0] * len(INTERVALS) for _ in range(deg + 1)]
    worst = 0
    for j, (lo, hi, c) in enumerate(INTERVALS):
        pad = 1e-5 if dtype == np.float32 else 1e-9
        ulo, uhi = lo - c - (pad if lo > 0 else 0), hi - c + pad
        poly = mp.chebyfit(lambda u: g(c + u), [ulo, uhi], deg + 1)
        coef = [rnd(v, dtype) for v in reversed(poly)]
        for i, v in enumerate(coef):
            table[i][slot(j)] = v
        for k in range(401):
            u = mp.mpf(ulo) + (uhi - ulo) * mp.mpf(k) / 400
            p = mp.mpf(0)
            for v in reversed(coef):
                p = p * u + mp.mpf(v)
            worst = max(worst, abs(p - g(c + u)) / scale(c + u))
    return table, worst


def emit(name, ctype, suffix, deg, dtype, fmt, fname):
    table, worst = fit(deg, dtype, fname)
    print(f"  // {name}: degree {deg}, max relative error {float(worst):.3g} (rounded coefficients)")
    print(f"  static constexpr int kDeg = {deg};")
    centers = [0.0] * 16
    for j, (_, _, c) in enumerate(INTERVALS):
        centers[slot(j)] = c
    print(f"  alignas(64) static constexpr {ctype} kCenter[16] = {{"
          + ", ".join(fmt(c) + suffix for c in centers) + "};")
    print(f"  alignas(64) static constexpr {ctype} kQ[{deg + 1}][16] = {{")
    for row in table:
        print("    {" + ", ".join(fmt(v) + suffix for v in row) + "},")
    print("  };")


def generate():
    import io, contextlib
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        print("namespace coef {")
        for fname, what in (("Q", "Q(a) = Phi(-a) e^(a^2/2)"),
                            ("D", "D(a) = Q(a) - a/sqrt(2 pi) = (Phi(-a) - a phi(a)) e^(a^2/2)")):
            print(f"// {what}")
            print(f"template <class S> struct Normal{fname};")
            print(f"template <> struct Normal{fname}<float> {{")
            emit(f"{fname} float", "float", "f", 6, np.float32, repr, fname)
            print("};")
            print(f"template <> struct Normal{fname}<double> {{")
            emit(f"{fname} double", "double", "", 17, np.float64, repr, fname)
            print("};")
        print("}  // namespace coef")
    return buf.getvalue()


if __name__ == "__main__":
    import pathlib, re
    path = pathlib.Path(__file__).resolve().parents[1] / "include/nonlin/simd/normal.h"
    text = path.read_text()
    begin, end = "// BEGIN GENERATED by cpp/tools/fit_normal.py\n", "// END GENERATED\n"
    i, j = text.index(begin) + len(begin), text.index(end)
    path.write_text(text[:i] + generate() + text[j:])
