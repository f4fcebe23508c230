"""Fitting rational activations: nl.fit_rational(fn, degrees=(m, n), interval, version, method).

1. Linearised least squares on Chebyshev points: P(x) - f(x) Q(x) = 0 is linear in the
   coefficients once the |.| of the version is fixed by a sign pattern sigma(x) (B, C, D:
   Q = 1 + sigma A(x), sigma from the previous iterate; N: sigma = 1; A: Q = 1 + sum g_k |x|^k
   with g_k >= 0 kept by an active set).
2. Sanathanan-Koerner reweighting (divide each row by the previous Q) until the linearised
   problem matches the true relative weighting (Sanathanan & Koerner 1963).
3. Lawson iterations (weights w <- w |error|) drive the weighted least-squares solution to the
   minimax one (Lawson 1961; the AAA-Lawson / BRASIL recipe).
4. Polish: Levenberg-Marquardt (Gauss-Newton with damping) on the version's own formula, Lawson-
   weighted for minimax, unweighted for lsq; the best iterate by max (or RMS) error is kept.
5. Version N: the real roots of Q are reported (real_poles); a pole inside the interval is a
   failed fit and raises.

The fit runs in the scaled variable s = x / max(|lo|, |hi|) (monomials on [-1, 1]) and converts
back; every version's form is invariant under that scaling.
"""

from __future__ import annotations

import operator
import time
import warnings

import numpy as np

from ._rational import _version, rational

__all__ = ["fit_rational", "RationalFit"]


class RationalFit:
    """Result of fit_rational: coefficients (iterates as numerator, denominator) and errors."""

    def __init__(self, **kw):
        self.__dict__.update(kw)

    def __iter__(self):
        return iter((self.numerator, self.denominator))

    def __call__(self, x):
        return rational(x, self.numerator, self.denominator, self.version)

    def __repr__(self):
        return (f"<RationalFit {self.version} {self.degrees} on {self.interval}: max error "
                f"{self.max_error:.3g}, rms {self.rms_error:.3g}, {self.seconds * 1e3:.0f} ms>")


def _target(fn):
    if isinstance(fn, str):
        from . import _registry
        name = {"swish": "silu"}.get(fn, fn)
        act = _registry.activations.get(name)
        if act is None or not hasattr(act, "derivative"):
            raise ValueError(f"fit_rational: unknown activation {fn!r}")
        return lambda x: np.asarray(act(x), dtype=np.float64)
    if not callable(fn):
        raise TypeError(f"fit_rational: fn must be a callable or an activation name, got {type(fn).__name__}")

    def f(x):
        y = np.asarray(fn(x))
        if y.dtype.kind not in "biuf":
            raise TypeError(f"fit_rational: fn must return real numbers, got dtype {y.dtype}")
        try:
            return np.array(np.broadcast_to(y, x.shape), dtype=np.float64)
        except ValueError:
            raise ValueError(f"fit_rational: fn returned shape {y.shape} for points of shape "
                             f"{x.shape} (it must work elementwise)") from None
    return f


class _Form:
    """The version's formula in the scaled variable, with its Jacobian."""

    def __init__(self, version, m, n):
        self.v, self.m, self.n = version, m, n
        self.k0 = 0 if version == "C" else 1
        self.nb = n + 1 - self.k0

    def powers(self, s):
        K = max(self.m, self.n)
        return s[:, None] ** np.arange(K + 1)

    def parts(self, th, S):
        a, b = th[: self.m + 1], th[self.m + 1:]
        p = np.einsum("ij,j->i", S[:, : self.m + 1], a)
        ks = np.arange(self.k0, self.n + 1)
        if self.v == "A":
            h = np.einsum("ij,j->i", np.abs(S[:, ks]), np.abs(b))
            q = 1 + h
        else:
            h = np.einsum("ij,j->i", S[:, ks], b)
            q = 1 + h if self.v == "N" else (1 if self.v in "BD" else 0.1) + np.abs(h)
        return p, q, h

    def value(self, th, S):
        p, q, _ = self.parts(th, S)
        return p / q

    def jacobian(self, th, S):
        p, q, h = self.parts(th, S)
        ks = np.arange(self.k0, self.n + 1)
        ja = S[:, : self.m + 1] / q[:, None]
        if self.v == "A":
            jb = -(p / q**2)[:, None] * np.sign(th[self.m + 1:])[None, :] * np.abs(S[:, ks])
        elif self.v == "N":
            jb = -(p / q**2)[:, None] * S[:, ks]
        else:
            jb = -(p * np.sign(h) / q**2)[:, None] * S[:, ks]
        return np.hstack([ja, jb])


def _lstsq(A, y):
    """Least squares by Householder QR written with einsum and broadcasting (the conditioning
    of the data, not its square as with normal equations; and no BLAS: OpenBLAS threads these
    tall, thin products, which on a busy machine costs 20x)."""
    d = np.sqrt(np.einsum("ij,ij->j", A, A))
    d[d == 0] = 1
    R = A / d
    r = np.array(y, dtype=np.float64)
    n = R.shape[1]
    for k in range(n):
        v = R[k:, k].copy()
        alpha = -np.copysign(np.sqrt(np.dot(v, v)), v[0])
        v[0] -= alpha
        vv = np.dot(v, v)
        if vv == 0:
            continue
        R[k:, k:] -= np.outer(v, np.einsum("i,ij->j", v, R[k:, k:]) * (2 / vv))
        r[k:] -= v * (2 * np.dot(v, r[k:]) / vv)
    diag = np.abs(np.diag(R[:n]))
    keep = diag > 1e-14 * max(diag.max(), 1e-300)  # drop exactly dependent columns
    x = np.zeros(n)
    x[keep] = np.linalg.solve(np.triu(R[:n][np.ix_(keep, keep)]), r[:n][keep])
    return x / d


def _linearised(form, S, f, wts, qprev, sigma, active):
    """One weighted linearised LS solve: rows (P - f Q) / qprev, Q = c0 + sigma * sum b_k z^k."""
    m, n, k0 = form.m, form.n, form.k0
    ks = np.arange(k0, n + 1)
    Z = np.abs(S[:, ks]) if form.v == "A" else S[:, ks]
    c0 = 0.1 if form.v == "C" else 1.0
    A = np.hstack([S[:, : m + 1], -(f * sigma)[:, None] * Z])
    rhs = c0 * f
    r = np.sqrt(wts) / np.abs(qprev)
    cols = np.concatenate([np.ones(m + 1, bool), active])
    th = np.zeros(A.shape[1])
    th[cols] = _lstsq(A[:, cols] * r[:, None], rhs * r)
    return th


def _sigma(form, th, S):
    if form.v in "AN":
        return np.ones(S.shape[0])
    _, _, h = form.parts(th, S)
    return np.where(h < 0, -1.0, 1.0)


def _linear_stage(lin, S, fx, minimax, iters, w0):
    """Linearised least squares (weights w0), 10 Sanathanan-Koerner steps, then Lawson
    (minimax): the best iterate by max (or RMS) error."""
    N, m = len(fx), lin.m
    active = np.ones(lin.nb, bool)
    qprev, sigma, wts = np.ones(N), np.ones(N), w0.copy()
    best, best_th = np.inf, None
    for it in range(iters):
        th = _linearised(lin, S, fx, wts, qprev, sigma, active)
        if lin.v == "A":  # keep g_k >= 0: drop the most negative coefficient, refit
            while np.any(th[m + 1:][active] < 0):
                idx = np.flatnonzero(active)
                active[idx[np.argmin(th[m + 1:][idx])]] = False
                th = _linearised(lin, S, fx, wts, qprev, sigma, active)
        sigma = _sigma(lin, th, S)
        _, qprev, _ = lin.parts(th, S)
        qprev = np.where(np.abs(qprev) < 1e-12, 1e-12, qprev)
        e = lin.value(th, S) - fx
        err = np.max(np.abs(e)) if minimax else np.sqrt(np.sum(w0 * e * e))
        if np.isfinite(err) and err < best:
            best, best_th = err, th.copy()
        if it >= 10:  # Lawson: w <- w |e|
            wts = wts * np.abs(e)
            wts /= wts.sum()
    return best_th


def _polish(form, th, S, f, minimax, iters, w0):
    with np.errstate(all="ignore"):  # trial steps may overflow; they are rejected
        return _polish_steps(form, th, S, f, minimax, iters, w0)


def _polish_steps(form, th, S, f, minimax, iters, w0):
    """Levenberg-Marquardt on the version's formula; Lawson-weighted when minimax, else with
    the quadrature weights w0."""
    w = w0.copy()
    e = form.value(th, S) - f
    score = (lambda e: np.max(np.abs(e))) if minimax else (lambda e: np.sqrt(np.sum(w0 * e * e)))
    best, best_th, lam = score(e), th.copy(), 1e-3
    for _ in range(iters):
        J = form.jacobian(th, S)
        sw = np.sqrt(w)
        Jw, ew = J * sw[:, None], e * sw
        g = np.einsum("ij,i->j", Jw, ew)
        H = np.einsum("ij,ik->jk", Jw, Jw)
        for _ in range(8):  # damping: accept a step that lowers the weighted objective
            try:
                step = np.linalg.solve(H + lam * np.diag(np.diag(H) + 1e-30), -g)
            except np.linalg.LinAlgError:
                lam *= 10
                continue
            th_new = th + step
            e_new = form.value(th_new, S) - f
            if np.all(np.isfinite(e_new)) and np.sum(w * e_new**2) < np.sum(w * e**2):
                th, e, lam = th_new, e_new, max(lam / 3, 1e-12)
                break
            lam *= 10
        else:
            if not minimax:
                break
        sc = score(e)
        if sc < best:
            best, best_th = sc, th.copy()
        if minimax:
            w = w * np.abs(e)
            w /= w.sum()
    return best_th


def fit_rational(fn, degrees=(5, 4), interval=(-3.0, 3.0), version="A", method="minimax", *,
                 points=2000, lawson_iterations=60, polish_iterations=60):
    """Fit F = P/Q of `degrees` = (m, n) to fn on `interval` in `version`'s form.

    fn: a callable (vectorised over a float64 array) or an activation name ("gelu", "tanh", ...).
    method: "minimax" (smallest maximum error) or "lsq" (least squares on Chebyshev points).
    Returns a RationalFit: numerator, denominator (use with nl.rational(x, num, den, version)),
    max_error and rms_error on a uniform grid of 20001 points of the interval, x and error
    (that error curve),
    real_poles (version N), seconds."""
    t0 = time.perf_counter()
    version = _version(version)
    try:
        m, n = (operator.index(d) for d in degrees)
    except (TypeError, ValueError):
        raise TypeError(f"fit_rational: degrees must be a pair of integers (m, n), got {degrees!r}") from None
    if not (0 <= m <= 32 and 0 <= n <= 32) or (version == "C" and n < 0):
        raise ValueError("fit_rational: degrees must be in [0, 32]")
    lo, hi = (float(v) for v in interval)
    if not (np.isfinite(lo) and np.isfinite(hi) and lo < hi and np.isfinite(hi - lo)):
        raise ValueError(f"fit_rational: interval must be finite with lo < hi (and hi - lo "
                         f"finite), got {interval!r}")
    if method not in ("minimax", "lsq"):
        raise ValueError(f"fit_rational: method must be 'minimax' or 'lsq', got {method!r}")
    f = _target(fn)
    scale = max(abs(lo), abs(hi))
    # Chebyshev points of the second kind on [lo, hi] (dense near the ends, where minimax
    # errors peak), in the scaled variable s = x / scale.
    N = max(int(points), 20 * (m + n + 2))
    x = 0.5 * (lo + hi) + 0.5 * (hi - lo) * np.cos(np.pi * np.arange(N) / (N - 1))[::-1]
    fx = f(x)
    if not np.all(np.isfinite(fx)):
        raise ValueError("fit_rational: fn is not finite on the interval")
    s = x / scale
    # quadrature weights (the spacing of the points): sum w e^2 ~ the mean square error over
    # the interval, so "lsq" minimises the RMS error of the interval, not of the points
    w0 = np.gradient(x) / (hi - lo) if method == "lsq" else np.ones(N)
    w0 /= w0.sum()
    form = _Form("B" if version == "D" else version, m, n)
    S = form.powers(s)
    minimax = method == "minimax"
    iters = 10 + (lawson_iterations if minimax else 0)
    if version == "C":
        # C contains N (P/Q_N = lam P / (0.1 + (lam Q_N - 0.1)) with lam Q_N > 0.1 on the
        # interval) and B (P/(1 + |A|) = 0.1 P / (0.1 + |0.1 A|)): start from both fits,
        # polish each in C's form, keep the better.
        starts = []
        th = _linear_stage(_Form("N", m, n), S, fx, minimax, iters, w0)
        _, q, _ = _Form("N", m, n).parts(th, S)
        lam = max(1.0, 0.2 / np.min(q)) if np.min(q) > 0 else 1.0
        starts.append(lam * np.concatenate([th[: m + 1], [1.0 - 0.1 / lam], th[m + 1:]]))
        th = _linear_stage(_Form("B", m, n), S, fx, minimax, iters, w0)
        starts.append(0.1 * np.concatenate([th[: m + 1], [0.0], th[m + 1:]]))
    else:
        starts = [_linear_stage(form, S, fx, minimax, iters, w0)]
    score = (lambda e: np.max(np.abs(e))) if minimax else (lambda e: np.sqrt(np.sum(w0 * e * e)))
    th = min((_polish(form, t, S, fx, minimax, polish_iterations, w0) for t in starts),
             key=lambda t: score(form.value(t, S) - fx))
    with np.errstate(all="ignore"):
        num = th[: m + 1] / scale ** np.arange(m + 1)
        den = th[m + 1:] / scale ** np.arange(form.k0, n + 1)
    if not (np.all(np.isfinite(num)) and np.all(np.isfinite(den))):
        raise ValueError(f"fit_rational: the coefficients of degrees {(m, n)} on {interval!r} "
                         f"overflow float64 (the interval's scale {scale:g} raised to the degree); "
                         f"fit on a wider interval or with lower degrees")
    real_poles = np.array([])
    if version == "N" and n > 0:
        r = np.roots(np.concatenate([den[::-1], [1.0]]))
        real_poles = np.sort(r[np.abs(r.imag) <= 1e-9 * np.maximum(1, np.abs(r))].real)
        if np.any((real_poles >= lo) & (real_poles <= hi)):
            raise ValueError(f"fit_rational: the version N fit has a real pole in the interval "
                             f"({real_poles}); use a safe version (A, B, C)")
        if real_poles.size:
            warnings.warn(f"fit_rational: Q has real roots outside the interval at {real_poles}",
                          RuntimeWarning, stacklevel=2)
    grid = np.linspace(lo, hi, 20001)
    fg = f(grid)
    if not np.all(np.isfinite(fg)):
        bad = grid[~np.isfinite(fg)]
        raise ValueError(f"fit_rational: fn is not finite on the interval (at x = {float(bad[0])!r}; "
                         f"a pole or a singularity)")
    err = rational(grid, num, den, version) - fg
    return RationalFit(numerator=num, denominator=den, version=version, degrees=(m, n),
                       interval=(lo, hi), method=method, max_error=float(np.max(np.abs(err))),
                       rms_error=float(np.sqrt(np.mean(err * err))), x=grid, error=err,
                       real_poles=real_poles, seconds=time.perf_counter() - t0)
