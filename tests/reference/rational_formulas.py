"""Rational activations written from the mathematics in mpmath (independent of nonlin):
F = P/Q for versions A, B, C, N, its x-derivative and the per-element coefficient derivatives,
with the magnitude of the largest term of each formula (the ULP scale where terms cancel).

Convention: d|v|/dv = sign0(v), sign0(0) = 0. Version C's constant is 0.1 as the working dtype
holds it (nonlin's kernels add dtype(0.1)).
"""

from __future__ import annotations

import mpmath
from mpmath import mpf

mpmath.mp.dps = 60


def sign0(v):
    return 0 if v == 0 else (1 if v > 0 else -1)


def coefficient_sets():
    """name -> (numerator, denominator (b_1..b_n; version C: b_0..b_n)): plain float lists."""
    return {
        # rational_activations' stored gelu (version A) coefficients: b_4 ~ 0, b_1 < 0
        "gelu54": ([-0.0012424, 0.5080497, 0.4158636, 0.1302272, 0.0243559, 0.0029028],
                   [-0.0667502, 0.1792765, 0.0374668, 1.66e-10]),
        # mixed signs, Q of N positive everywhere (1 + .3x + .6x^2 - .1x^3 + .2x^4 > 0)
        "mixed54": ([0.3, -1.2, 0.8, 0.45, -0.07, 0.011], [0.3, 0.6, -0.1, 0.2]),
        # m < n and an exact zero b_2 (version A: its gradient is 0 by convention)
        "low35": ([0.25, 1.5, -0.5, 0.125], [0.5, 0.0, 0.75, -0.2, 0.05]),
        # degree (16, 16): decaying coefficients, positive even leading terms
        "deg1616": ([(-1) ** j * 0.9 ** j / (j + 1) for j in range(17)],
                    [0.5 * 0.8 ** k for k in range(16)]),
    }


def c_version(num, den):
    """Version C uses n + 1 denominator coefficients: prepend b_0."""
    return num, [0.35] + list(den)


def parts(version, x, a, b, c01):
    """mpf P, P', Q, Q', sign s (dQ/dc_k = s z^k), z, and the denominator's c_k list."""
    x = mpf(x)
    P = sum(mpf(aj) * x**j for j, aj in enumerate(a))
    dP = sum(j * mpf(aj) * x ** (j - 1) for j, aj in enumerate(a) if j)
    if version == "A":
        c = [mpf(1)] + [abs(mpf(v)) for v in b]
        z = abs(x)
    elif version == "C":
        c = [mpf(v) for v in b]
        z = x
    else:
        c = [mpf(0) if version == "B" else mpf(1)] + [mpf(v) for v in b]
        z = x
    h = sum(ck * z**k for k, ck in enumerate(c))
    dh = sum(k * ck * z ** (k - 1) for k, ck in enumerate(c) if k)
    if version == "A":
        Q, dQ, s = h, sign0(x) * dh, 1
    elif version == "N":
        Q, dQ, s = h, dh, 1
    else:
        s = sign0(h)
        Q = (1 if version == "B" else mpf(c01)) + abs(h)
        dQ = s * dh
    return x, P, dP, Q, dQ, s, z, c


def evaluate(version, x, a, b, c01):
    """{'fwd': (F, scale), 'deriv': (F', scale), 'da': [(dF/da_j, |.|)], 'db': [(dF/db_k, |.|)]}.
    Scales: F: (sum |a_j x^j| + |F| sum |c_k z^k|) / Q; F': the same for P' and Q'."""
    x, P, dP, Q, dQ, s, z, c = parts(version, x, a, b, c01)
    ax = abs(x)
    F = P / Q
    sP = sum(abs(mpf(aj)) * ax**j for j, aj in enumerate(a))
    sQ = sum(abs(ck) * abs(z) ** k for k, ck in enumerate(c))
    sdP = sum(j * abs(mpf(aj)) * ax ** (j - 1) for j, aj in enumerate(a) if j)
    sdQ = sum(k * abs(ck) * abs(z) ** (k - 1) for k, ck in enumerate(c) if k)
    dF = (dP - F * dQ) / Q
    sF = (sP + abs(F) * sQ) / abs(Q)
    out = {"fwd": (F, sF),
           # first-order error propagation through (P' - F Q') / Q: the errors of P', Q' and
           # of F and Q themselves (large near a pole of version N or a root of h in C)
           "deriv": (dF, (sdP + abs(F) * sdQ + abs(dQ) * sF + abs(dF) * sQ) / abs(Q))}
    out["da"] = [x**j / Q for j in range(len(a))]
    # condition factors of the coefficient derivatives: x^j / Q carries Q's relative error,
    # P z^k / Q^2 carries P's and twice Q's
    out["ca"] = sQ / abs(Q)
    out["cb"] = (sP / abs(P) if P != 0 else mpf(1)) + 2 * sQ / abs(Q)
    k0 = 0 if version == "C" else 1
    db = []
    for i, bk in enumerate(b):
        k = i + k0
        if version == "A":
            db.append(-P / Q**2 * sign0(mpf(bk)) * ax**k)
        else:
            db.append(-P / Q**2 * s * z**k)
    out["db"] = db
    return out
