"""Independent mpmath references for the normalising activations (tests/test_normalizing.py,
tools/measure_normalizing_accuracy.py), written from the papers' formulas, never from nonlin's
sources:

* PolyNorm (Zhuo et al. 2024, arXiv:2411.03884, official PolyCom module):
  sum_j weight[j] * u_j / sqrt(mean(u_j^2) + eps) + bias, u_j = x^(r-j)
* ASH (Lee et al. 2022, arXiv:2210.11672): x * sigmoid(alpha (x - mean - zk * sd)),
  sd = sqrt(population variance + eps); Hard ASH: x * 1[x >= mean + zk * sd]
* VeLU (arXiv:2504.15051, form of the published summaries):
  scale (1 + gamma tanh(mu sd)) x sigmoid(alpha (atan(beta1 x) + asin(clip(beta2 x, -1, 1))))

Gradients are central finite differences of the scalar L = sum g * f(x) at high precision
(step 1e-30, times the row's magnitude for x, at 80 digits: truncation error ~1e-60), with respect to each x element and each
parameter, so they check the whole chain rule, the statistics' paths included.
"""

from __future__ import annotations

import math

import numpy as np
from mpmath import mp, mpf

DPS = 80
STEP = mpf(10) ** -30


def frozen_or(frozen, key, live):
    """The statistics' inputs: live, or those of the frozen row (direct-term derivatives)."""
    return live if frozen is None else frozen[key]


def _mean(v):
    return sum(v) / len(v)


def _sd(x, eps):
    m = _mean(x)
    return mp.sqrt(_mean([(e - m) ** 2 for e in x]) + eps)


def polynorm(x, weight, bias, eps, frozen=None):
    r = len(weight)
    out = [mpf(bias)] * len(x)
    for j, w in enumerate(weight):
        u = [e ** (r - j) for e in x]
        s = 1 / mp.sqrt(_mean([v * v for v in frozen_or(frozen, j, u)]) + eps)
        out = [o + w * v * s for o, v in zip(out, u)]
    return out


def polynorm_scale(x, weight, bias, eps):
    """Largest term of each output: max_j |weight[j] norm(x^(r-j))|, |bias|."""
    r = len(weight)
    terms = [[abs(mpf(bias))] for _ in x]
    for j, w in enumerate(weight):
        u = [e ** (r - j) for e in x]
        s = 1 / mp.sqrt(_mean([v * v for v in u]) + eps)
        for t, v in zip(terms, u):
            t.append(abs(w * v * s))
    return [max(t) for t in terms]


def ash_scale(x, y, zk, alpha, eps):
    """Largest term: |y|, or the rounding of the sigmoid argument's largest term
    max(|x|, |mean|, |zk sd|) carried through d y/d t = x alpha sigma(t)(1 - sigma(t))."""
    m, sd = _mean(x), _sd(x, eps)
    thr = m + zk * sd
    out = []
    for e, v in zip(x, y):
        sneg = 1 / (1 + mp.exp(alpha * (e - thr)))
        out.append(max(abs(v), abs(v * alpha * sneg) * max(abs(e), abs(m), abs(zk * sd))))
    return out


def ash(x, zk, alpha, eps, frozen=None):
    xs = frozen_or(frozen, "x", x)
    thr = _mean(xs) + zk * _sd(xs, eps)
    return [e / (1 + mp.exp(-alpha * (e - thr))) for e in x]


def hard_ash(x, zk, eps, frozen=None):
    xs = frozen_or(frozen, "x", x)
    thr = _mean(xs) + zk * _sd(xs, eps)
    return [e if e >= thr else mpf(0) for e in x]


def velu(x, scale, alpha, beta1, beta2, gamma, mu, eps, frozen=None):
    s = 1 + gamma * mp.tanh(mu * _sd(frozen_or(frozen, "x", x), eps))
    out = []
    for e in x:
        c = min(max(beta2 * e, mpf(-1)), mpf(1))
        out.append(scale * s * e / (1 + mp.exp(-alpha * (mp.atan(beta1 * e) + mp.asin(c)))))
    return out


FUNCS = {"polynorm": polynorm, "ash": ash, "hard_ash": hard_ash, "velu": velu}


def _call(name, x, params, frozen=None):
    p = dict(params)
    if name == "polynorm":
        p["weight"] = [mpf(w) for w in p["weight"]]
    p = {k: (v if isinstance(v, list) else mpf(v)) for k, v in p.items()}
    return FUNCS[name](x, frozen=frozen, **p)


def _frozen(name, x, params):
    """The inputs of the statistics of row x, to hold them fixed."""
    if name == "polynorm":
        r = len(params["weight"])
        return {j: [e ** (r - j) for e in x] for j in range(r)}
    return {"x": list(x)}


def forward(name, row, params):
    """(values, scales) of one row (floats in, mpf out)."""
    with mp.workdps(DPS):
        x = [mpf(float(e)) for e in row]
        y = _call(name, x, params)
        if name == "polynorm":
            scale = polynorm_scale(x, [mpf(w) for w in params["weight"]], mpf(params["bias"]),
                                   mpf(params["eps"]))
        elif name == "ash":
            scale = ash_scale(x, y, mpf(params["zk"]), mpf(params["alpha"]), mpf(params["eps"]))
        else:
            scale = [abs(v) for v in y]
        return y, scale


def _loss(name, x, g, params, frozen=None):
    return sum(gi * yi for gi, yi in zip(g, _call(name, x, params, frozen)))


def _direct_terms(name, x, g, j, direct, params):
    """Magnitudes of the terms of the direct derivative g_j d f(x_j)/dx_j (statistics fixed):
    PolyNorm: g k weight[r-k] s_k x^(k-1) for each power; the gated ones (f = x G(x)):
    g G and g x G' (= direct - g G)."""
    if name == "polynorm":
        w = [mpf(v) for v in params["weight"]]
        r = len(w)
        out = []
        for jj in range(r):
            k = r - jj
            s = 1 / mp.sqrt(_mean([e ** (2 * k) for e in x]) + mpf(params["eps"]))
            out.append(abs(g[j] * k * w[jj] * s * x[j] ** (k - 1)))
        return out
    if x[j] == 0:
        return [abs(direct)]
    gate = g[j] * _call(name, x, params)[j] / x[j]
    return [abs(gate), abs(direct - gate)]


def grad_x(name, row, grow, params):
    """(dL/dx_j, scale_j) of L = sum g f(x) for one row, by central differences. scale_j is the
    largest term of the gradient: the direct part (statistics held fixed; its own terms, see
    _direct_terms), the part through the statistics, and each term g_i df_i/dx_j of the sum
    over the row that makes it."""
    size = max(abs(float(e)) for e in row) or 1.0
    # the step is relative to the row's magnitude; tiny rows need digits below the constants
    with mp.workdps(DPS + max(0, int(-math.log10(size)))):
        x = [mpf(float(e)) for e in row]
        g = [mpf(float(e)) for e in grow]
        fz = _frozen(name, x, params)
        h = STEP * size
        out, scale = [], []
        for j in range(len(x)):
            xp, xm = list(x), list(x)
            xp[j] += h
            xm[j] -= h
            terms = [gi * (a - b) / (2 * h)
                     for gi, a, b in zip(g, _call(name, xp, params), _call(name, xm, params))]
            direct = (_loss(name, xp, g, params, fz) - _loss(name, xm, g, params, fz)) / (2 * h)
            total = sum(terms)
            out.append(total)
            scale.append(max(*(abs(t) for t in terms), abs(total - direct),
                             *_direct_terms(name, x, g, j, direct, params)))
        return out, scale


def grad_params(name, rows, grows, params, learnable, per_row=False):
    """{param: dL/dparam} summed over the rows (a list for a vector parameter); with per_row,
    {param: [row contribution, ...]} (each a list for a vector parameter)."""
    with mp.workdps(DPS):
        xs = [[mpf(float(e)) for e in r] for r in rows]
        gs = [[mpf(float(e)) for e in r] for r in grows]

        def each(p):
            return [_loss(name, x, g, p) for x, g in zip(xs, gs)]

        def diff(hi, lo):
            d = [(a - b) / (2 * STEP) for a, b in zip(each(hi), each(lo))]
            return d if per_row else sum(d)

        out = {}
        for pname in learnable:
            value = params[pname]
            if isinstance(value, (list, tuple)):
                res = []
                for i in range(len(value)):
                    hi, lo = dict(params), dict(params)
                    hi[pname] = [mpf(v) + (STEP if k == i else 0) for k, v in enumerate(value)]
                    lo[pname] = [mpf(v) - (STEP if k == i else 0) for k, v in enumerate(value)]
                    res.append(diff(hi, lo))
                out[pname] = res
            else:
                hi, lo = dict(params), dict(params)
                hi[pname] = mpf(value) + STEP
                lo[pname] = mpf(value) - STEP
                out[pname] = diff(hi, lo)
        return out


# ---------------------------------------------------------------- measuring nonlin against these

# Parameters the tests and the accuracy tool use: every term and branch matters.
TEST_PARAMS = {
    "polynorm": {"weight": [0.3, -0.45, 0.7], "bias": 0.1, "eps": 1e-6},
    "ash": {"zk": 0.8, "alpha": 1.7, "eps": 1e-6},
    "hard_ash": {"zk": -0.3, "eps": 1e-6},
    "velu": {"scale": 1.3, "alpha": 1.0, "beta1": 1.0, "beta2": 0.6, "gamma": 0.5, "mu": 1.0,
             "eps": 1e-3},
}


def sample(dtype, rows, n, seed):
    """Rows with mixed signs, magnitudes and offsets (both sides of VeLU's arcsin clip)."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((rows, n)) * rng.choice([0.3, 1.0, 2.5], size=(rows, 1))
    x += rng.choice([0.0, 0.5, -1.0], size=(rows, 1))
    return x.astype(dtype)


def ulps(y, ref, scale, dtype):
    """|y - ref| / ulp_dtype(max(|ref|, scale)) elementwise (ref, scale: mpf lists)."""
    from conftest import ulp_exp
    y = np.asarray(y, dtype=np.float64).ravel()
    out = np.empty(y.size)
    with mp.workdps(DPS):
        for i, (v, r, s) in enumerate(zip(y, ref, scale)):
            unit = mpf(2) ** int(ulp_exp(float(max(abs(r), s)), dtype))
            out[i] = float(abs(mpf(float(v)) - r) / unit) if np.isfinite(v) else np.inf
    return out


def forward_errors(act, dtype, rows, n, seed):
    p = TEST_PARAMS[act.name]
    x = sample(dtype, rows, n, seed)
    y = act(x, **p)
    assert y.dtype == x.dtype and y.shape == x.shape
    return np.concatenate([ulps(yr, *forward(act.name, xr, p), dtype) for xr, yr in zip(x, y)])


def gradient_errors(act, dtype, rows, n, seed):
    """(input-gradient ULPs, {param: ULPs}): input gradients in ULPs of their largest term
    (direct or through the statistics), parameter gradients (sums over the rows) in ULPs of
    their largest row contribution."""
    p = TEST_PARAMS[act.name]
    x = sample(dtype, rows, n, seed)
    g = np.random.default_rng(seed + 1).standard_normal(x.shape).astype(dtype)
    gx, pg = act.grads(g, x, **p)
    assert gx.dtype == x.dtype and gx.shape == x.shape
    errs = []
    for xr, gr, gxr in zip(x, g, gx):
        errs.append(ulps(gxr, *grad_x(act.name, xr, gr, p), dtype))
    perr = {}
    for pname, rows in grad_params(act.name, x, g, p, act.learnable, per_row=True).items():
        rows = rows if isinstance(p[pname], (list, tuple)) else [rows]  # [element][row]
        ref = [sum(r) for r in rows]
        got = np.atleast_1d(pg[pname])
        assert got.size == len(ref) and pg[pname].dtype == x.dtype
        perr[pname] = ulps(got, ref, [max(abs(v) for v in r) for r in rows], dtype)
    assert set(pg) == set(act.learnable)
    return np.concatenate(errs), perr
