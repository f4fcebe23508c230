#!/usr/bin/env python3
"""Derive the polynomial coefficients used by cpp/include/nonlin/simd/{exp,log,erf}.h.

Each kernel approximates a smooth, bounded auxiliary function g on an interval by a polynomial
(Chebyshev interpolation at high precision with mpmath = near-minimax), choosing the smallest
degree whose max error (measured on a dense grid, relative to the given scale) is below the
target for that precision. Prints C++ initialiser lists (lowest degree first).

    python3 cpp/tools/fit_vmath.py > cpp/include/nonlin/simd/coeffs.h
"""
import mpmath as mp

mp.mp.dps = 60
LN2 = mp.log(2)


def fit(name, g, a, b, target, scale=lambda x: 1, maxdeg=30):
    for deg in range(1, maxdeg + 1):
        poly = mp.chebyfit(g, [a, b], deg + 1)  # highest degree first
        err = mp.mpf(0)
        n = 400
        for i in range(n + 1):
            x = a + (b - a) * mp.mpf(i) / n
            e = abs(mp.polyval(poly, x) - g(x)) / abs(scale(x))
            err = max(err, e)
        if err < target:
            c = list(reversed(poly))
            return name, deg, err, c
    raise RuntimeError(name)


def round_to(x, ctype):
    import numpy as np
    return mp.mpf(float(np.float32(float(x)))) if ctype == "float" else mp.mpf(float(x))


def refit_rounded(res, g, a, b, ctype, scale=lambda x: 1):
    """Round coefficients to the target type from the top degree down, refitting the lower
    ones each time so they absorb the rounding error of the higher ones."""
    name, deg, _, _ = res
    fixed = []
    for j in range(deg, -1, -1):
        hi = list(fixed)
        resid = lambda x, hi=hi, j=j: g(x) - sum(c * x ** (j + 1 + i) for i, c in enumerate(reversed(hi)))
        poly = mp.chebyfit(resid, [a, b], j + 1)
        fixed.append(round_to(poly[0], ctype))
        if j == 1:
            c1_exact = poly[0]
    c0_exact = poly[0]
    c = list(reversed(fixed))
    err = mp.mpf(0)
    for i in range(801):
        x = a + (b - a) * mp.mpf(i) / 800
        err = max(err, abs(mp.polyval(list(reversed(c)), x) - g(x)) / abs(scale(x)))
    return name, deg, err, c, round_to(c0_exact - c[0], ctype), round_to(c1_exact - c[1], ctype)


def emit(res, ctype, lo0=False):
    name, deg, err, c = res[:4]
    sfx = "f" if ctype == "float" else ""
    digs = 9 if ctype == "float" else 17
    body = ", ".join(mp.nstr(x, digs, min_fixed=-1, max_fixed=-1, strip_zeros=False) + sfx for x in c)
    print(f"  // {name}: degree {deg}, max error {mp.nstr(err, 3)}")
    print(f"  static constexpr {ctype} {name}[] = {{{body}}};")
    if lo0:
        print(f"  static constexpr {ctype} {name}0lo = {mp.nstr(res[4], digs, min_fixed=-1, max_fixed=-1, strip_zeros=False)}{sfx};  // {name}[0] + this = exact constant term")
        print(f"  static constexpr {ctype} {name}1lo = {mp.nstr(res[5], digs, min_fixed=-1, max_fixed=-1, strip_zeros=False)}{sfx};  // {name}[1] + this = exact linear term")


def q_exp(r):  # (e^r - 1 - r) / r^2
    if abs(r) < mp.mpf(10) ** -20:
        return mp.mpf(1) / 2 + r / 6
    return (mp.exp(r) - 1 - r) / r ** 2


def u_log(z):  # log1p via s = f/(2+f): 2 atanh(s) = 2s + s*z*U(z), z = s^2
    if z < mp.mpf(10) ** -30:
        return mp.mpf(2) / 3 + 2 * z / 5
    s = mp.sqrt(z)
    return (2 * mp.atanh(s) / s - 2) / z


def y_erf(z):  # erf(x) = x + x*y(x^2)
    if z < mp.mpf(10) ** -30:
        return 2 / mp.sqrt(mp.pi) - 1
    x = mp.sqrt(z)
    return mp.erf(x) / x - 1


def t_tanh(z):  # tanh(x) = x + x^3 T(x^2)
    if z < mp.mpf(10) ** -30:
        return -mp.mpf(1) / 3 + 2 * z / 15
    x = mp.sqrt(z)
    return (mp.tanh(x) / x - 1) / z


def g_erfc_t(t, p):  # erfc(x) = exp(-x^2) * t * H(t), t = 1/(1+p x)
    if t == 0:
        return p / mp.sqrt(mp.pi)
    x = (1 / t - 1) / p
    return mp.erfc(x) * mp.exp(x * x) / t


R_EXP = LN2 / 2 * mp.mpf("1.0005")
# vm::exp tables (type, N, degree of kExpT): 2^(j/N) for j < N, e^r - 1 = r + r^2 kExpT(r).
# N = 32 float / 16 double are one vpermt2ps/pd on AVX-512; N = 8 float is one vpermps on AVX2.
EXP_TABLES = [("float", 32, 1), ("float", 8, 2), ("double", 16, 5)]


def round_bits(x, bits):
    """x rounded to `bits` significant bits."""
    e = mp.floor(mp.log(abs(x), 2))
    q = mp.mpf(2) ** (e - bits + 1)
    return mp.nint(x / q) * q


def emit_exp_table(ctype, N, tdeg):
    """Constants of the table-driven vm::exp: x = n ln2/N + r, n = N k + j, e^x = 2^k T_j e^r."""
    print(f"template <> struct ExpTab<{ctype}, {N}> {{")
    re = LN2 / (2 * N) * mp.mpf("1.001")
    emit(fit_deg("kExpT", q_exp, -re, re, tdeg, ctype, lambda r: 1 / max(r * r, mp.mpf(2) ** -200)), ctype)
    digs, sfx = (9, "f") if ctype == "float" else (17, "")
    fmt = lambda v: mp.nstr(v, digs + 2, min_fixed=-1, max_fixed=-1, strip_zeros=False) + sfx
    mant = 24 if ctype == "float" else 53
    EXP_NMAX_BITS = {"float": 13, "double": 15}  # |n| < 2^bits over the clamp (N <= 32 / 16)
    c = LN2 / N
    chi = round_to(c, ctype)
    clo = round_to(c - chi, ctype)
    # no-FMA builds: three parts, the first two short enough that n*C1 and n*C2 are exact
    b = mant - EXP_NMAX_BITS[ctype]
    c1 = round_bits(c, b)
    c2 = round_bits(c - c1, b)
    c3 = round_to(c - c1 - c2, ctype)
    hi = [round_to(mp.mpf(2) ** (mp.mpf(j) / N), ctype) for j in range(N)]
    lo = [round_to(mp.mpf(2) ** (mp.mpf(j) / N) - h, ctype) for j, h in enumerate(hi)]
    print(f"  static constexpr int kExpN = {N};")
    print(f"  static constexpr {ctype} kExpInvC = {fmt(round_to(N / LN2, ctype))};  // N/ln2")
    print(f"  static constexpr {ctype} kExpChi = {fmt(chi)}, kExpClo = {fmt(clo)};  // ln2/N = hi + lo")
    print(f"  static constexpr {ctype} kExpC1 = {fmt(c1)}, kExpC2 = {fmt(c2)}, kExpC3 = {fmt(c3)};  // ln2/N, {b}+{b} bits + rest")
    print(f"  // 2^(j/N) = kExpTabHi[j] + kExpTabLo[j]")
    print(f"  alignas(64) static constexpr {ctype} kExpTabHi[] = {{{', '.join(fmt(v) for v in hi)}}};")
    print(f"  alignas(64) static constexpr {ctype} kExpTabLo[] = {{{', '.join(fmt(v) for v in lo)}}};")
    print("};")


def fit_deg(name, g, a, b, deg, ctype, scale):
    res = refit_rounded((name, deg, 0, None), g, a, b, ctype, scale=scale)
    return res
SMAX = (mp.sqrt(2) - 1) / (mp.sqrt(2) + 1)
X_TANH = mp.mpf("0.55")  # tanh polynomial on |x| <= X_TANH (must match kTanhSplit in exp.h)
X_ERF = mp.mpf("0.75")   # erf polynomial on |x| <= X_ERF, erfc tail formula above
X_ERFC = mp.mpf("0.5")   # erfc: 1 - erf polynomial below, tail formula above
P_ERFC = mp.mpf("0.5")   # erfc(x) = exp(-x^2) * t * H(t), t = 1/(1 + P_ERFC*x)
ERFC_XMAX = {"float": mp.mpf(11), "double": mp.mpf(28)}
TMID = {"float": mp.mpf("0.46875"), "double": mp.mpf("0.4375")}  # H evaluated in u = t - TMID

if __name__ == "__main__":
    import sys
    out = []
    print("// Generated by cpp/tools/fit_vmath.py -- do not edit by hand.")
    print("#pragma once")
    print("namespace nonlin { inline namespace NONLIN_ISA { namespace vm { namespace coef {")
    for ctype, tgt in (("float", mp.mpf(2) ** -29), ("double", mp.mpf(2) ** -59)):
        print(f"template <class S> struct C;" if ctype == "float" else "")
        print(f"template <> struct C<{ctype}> {{")
        def go(name, g, a, b, t, scale=lambda x: 1, maxdeg=30, lo0=False):
            r = fit(name, g, a, b, t, scale=scale, maxdeg=maxdeg)
            emit(refit_rounded(r, g, a, b, ctype, scale=scale), ctype, lo0)
        go("kExpQ", q_exp, -R_EXP, R_EXP, tgt * 4, scale=lambda r: 1 / max(r * r, mp.mpf(2) ** -10))
        go("kLogU", u_log, 0, SMAX ** 2 * mp.mpf("1.001"), tgt * 8)
        go("kTanhT", t_tanh, 0, X_TANH ** 2 * mp.mpf("1.001"), tgt * 4)
        go("kErfY", y_erf, 0, X_ERF ** 2 * mp.mpf("1.001"), tgt, lo0=True)
        # H as a polynomial in u = t - T_MID (centred: small, well-conditioned coefficients)
        t1 = 1 / (1 + P_ERFC * X_ERFC) * mp.mpf("1.0001")
        xmax = ERFC_XMAX[ctype]  # erfc underflows to 0 beyond; kernels clamp |x| there
        t0 = 1 / (1 + P_ERFC * xmax) * mp.mpf("0.9999")
        tmid = TMID[ctype]
        gu = lambda u: g_erfc_t(u + tmid, P_ERFC)
        print(f"  static constexpr {ctype} kErfcXmax = {mp.nstr(xmax, 6)};")
        print(f"  static constexpr {ctype} kErfcTmid = {mp.nstr(tmid, 6)};  // H is a polynomial in t - kErfcTmid")
        go("kErfcH", gu, t0 - tmid, t1 - tmid, tgt / (8 if ctype == "float" else 64), scale=gu, maxdeg=40, lo0=True)
        print("};")
        sys.stdout.flush()
    print("template <class S, int N> struct ExpTab;")
    for ctype, N, tdeg in EXP_TABLES:
        emit_exp_table(ctype, N, tdeg)
    print("}}}}  // namespace nonlin::NONLIN_ISA::vm::coef")
