"""mpmath references for the coefficient-vector activations (nonlin.series), written from the
definitions: Hermite through mpmath's physicists' H_n (He_n(x) = 2^(-n/2) H_n(x / sqrt 2)), the
Fourier series with mpmath's cos, the tropical maxima exactly; derivatives in x and in the
nonlinear parameters (Fourier frequencies and phases) by mpmath.diff, not by the closed forms
the kernels use.

Each family: value(x, arrays), scale(x, arrays) (the size of the largest term, or the
evaluation's condition sum, in which ULPs are counted), and grads(x, arrays) -> {name: [df/dp]}.
"""

from __future__ import annotations

import mpmath as mp
import numpy as np

import reference_formulas as rf
from conftest import ulp_errors

mp.mp.dps = 60


def _mpv(a):
    return [mp.mpf(float(v)) for v in a]


def he(n, x):
    return mp.hermite(n, x / mp.sqrt(2)) / mp.mpf(2) ** (mp.mpf(n) / 2)


def he_abs(n, t):
    """He_n with every coefficient made positive, at t >= 0 (the condition sum of He_n)."""
    a0, a1 = mp.mpf(1), t
    if n == 0:
        return a0
    for k in range(1, n):
        a0, a1 = a1, t * a1 + k * a0
    return a1


def hermite_value(x, c):
    return mp.fsum(ck * he(k, x) / mp.factorial(k) for k, ck in enumerate(c))


def hermite_scale(x, c):
    return mp.fsum(abs(ck) * he_abs(k, abs(x)) / mp.factorial(k) for k, ck in enumerate(c))


def hermite_derivative_scale(x, c):
    return hermite_scale(x, c[1:]) if len(c) > 1 else mp.mpf(0)


def fourier_value(x, a0, a, w, phi):
    return a0[0] + mp.fsum(a[k] * mp.cos(w[k] * x - phi[k]) / mp.factorial(k + 1) for k in range(len(a)))


def fourier_scale(x, a0, a, w, phi):
    return abs(a0[0]) + mp.fsum(abs(v) / mp.factorial(k + 1) for k, v in enumerate(a))


def fourier_derivative_scale(x, a0, a, w, phi):
    return mp.fsum(abs(a[k] * w[k]) / mp.factorial(k + 1) for k in range(len(a)))


def _lines_max(x, slopes, icpts):
    return max(s * x + b for s, b in zip(slopes, icpts))


def _first_max(x, slopes, icpts):
    vals = [s * x + b for s, b in zip(slopes, icpts)]
    return vals.index(max(vals))


def tropical_grads(x, c):
    """Gradients of the intercepts by the convention at ties: all to the first maximiser."""
    d = len(c) - 1
    i = _first_max(x, range(d + 1), c)
    return {0: [mp.sqrt(2) / d if k == i else mp.mpf(0) for k in range(d + 1)]}


def tropical_rational_grads(x, p, a, q, b):
    i, j = _first_max(x, p, a), _first_max(x, q, b)
    n = range(len(p))
    return {0: [x if k == i else mp.mpf(0) for k in n], 1: [mp.mpf(k == i) for k in n],
            2: [-x if k == j else mp.mpf(0) for k in n], 3: [-mp.mpf(k == j) for k in n]}


def tropical_value(x, c):
    d = len(c) - 1
    return mp.sqrt(2) / d * _lines_max(x, range(d + 1), c)


def tropical_rational_value(x, p, a, q, b):
    return _lines_max(x, p, a) - _lines_max(x, q, b)


def tropical_rational_scale(x, p, a, q, b):
    return max(abs(_lines_max(x, p, a)), abs(_lines_max(x, q, b)))


def polyrelu_value(x, w, b):
    u = max(x, mp.mpf(0))
    r = len(w)
    return mp.fsum(wi * u ** (r - i) for i, wi in enumerate(w)) + b[0]


def polyrelu_scale(x, w, b):
    u = max(x, mp.mpf(0))
    r = len(w)
    return mp.fsum(abs(wi) * u ** (r - i) for i, wi in enumerate(w)) + abs(b[0])


def polyrelu_derivative_scale(x, w, b):
    u = max(x, mp.mpf(0))
    r = len(w)
    return mp.fsum(abs(wi) * (r - i) * u ** (r - i - 1) for i, wi in enumerate(w[:-1])) + abs(w[-1])


# name: (value, value scale, derivative scale or None (|f'|), parameter gradients or None
# (mpmath.diff of the value)). The tropical maxima are piecewise linear: their parameter
# gradients are the winning line's (x, 1), the first maximiser at ties (the documented
# convention; a central difference would split a tie).
FAMILIES = {
    "hermite": (hermite_value, hermite_scale, hermite_derivative_scale, None),
    "fourier": (fourier_value, fourier_scale, fourier_derivative_scale, None),
    "tropical": (tropical_value, lambda x, c: abs(tropical_value(x, c)), None, tropical_grads),
    "tropical_rational": (tropical_rational_value, tropical_rational_scale, None,
                          tropical_rational_grads),
    "polyrelu": (polyrelu_value, polyrelu_scale, polyrelu_derivative_scale, None),
}


def reference(name, x, arrays):
    """(value, df/dx, {array index: [df/dp_j]}, value scale, derivative scale) at float x."""
    value, scale, dscale, exact_grads = FAMILIES[name]
    arrs = [_mpv(a) for a in arrays]
    xm = mp.mpf(float(x))
    f = value(xm, *arrs)
    d = mp.diff(lambda t: value(t, *arrs), xm)
    grads = exact_grads(xm, *arrs) if exact_grads else {}
    for i, arr in enumerate(arrs if not exact_grads else []):
        row = []
        for j in range(len(arr)):
            def at(v, i=i, j=j):
                moved = [list(a) for a in arrs]
                moved[i][j] = v
                return value(xm, *moved)
            row.append(mp.diff(at, arr[j]))
        grads[i] = row
    ds = dscale(xm, *arrs) if dscale else abs(d)
    return f, d, grads, scale(xm, *arrs), ds


# ------------------------------------------------------------------ test cases and errors
def param_sets(act):
    """The paper initialisation, then random arrays at the smallest, default and a larger
    degree (frequencies spread wider)."""
    rng = np.random.default_rng(sum(map(ord, act.name)))
    sets = [act.initial()]
    for d in sorted({max(act.degrees[0], 1), act.default_degree, min(act.degrees[1], 8)}):
        init = act.initial(d)
        sets.append({k: rng.normal(size=v.shape) * (2.0 if k == "frequencies" else 1.0)
                     for k, v in init.items()})
    return [[s[k] for k in act.arrays] for s in sets]


def grid(dtype):
    rng = np.random.default_rng(7)
    x = np.concatenate([rng.uniform(-6, 6, 48), rng.uniform(-60, 60, 8), [-1e3, 0.5, 1e3, 2.0]])
    return x.astype(dtype)


_CACHE = {}


def cached_refs(act, k, dtype):
    """(x, arrays, [reference(x_i)]) for parameter set k, memoised."""
    key = (act.name, k, dtype)
    if key not in _CACHE:
        arrays = [a.astype(dtype) for a in param_sets(act)[k]]
        x = grid(dtype)
        _CACHE[key] = (x, arrays, [reference(act.name, xi, arrays) for xi in x])
    return _CACHE[key]


def _dd(vals):
    hi, lo = zip(*(rf.to_dd(v) for v in vals))
    return np.array(hi), np.array(lo)


def ulp_errors_of(act, k, dtype):
    """(forward ULP errors, derivative ULP errors, x) of parameter set k, counted at the
    larger of |reference| and the condition scale."""
    x, arrays, refs = cached_refs(act, k, dtype)
    f_hi, f_lo = _dd([r[0] for r in refs])
    d_hi, d_lo = _dd([r[1] for r in refs])
    fs = np.array([float(r[3]) for r in refs])
    ds = np.array([float(r[4]) for r in refs])
    return (ulp_errors(act(x, *arrays), f_hi, f_lo, fs, dtype),
            ulp_errors(act.derivative(x, *arrays), d_hi, d_lo, ds, dtype), x)
