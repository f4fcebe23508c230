"""Independent mpmath formulas for every nonlin activation (reference values for the tests).

Written from the mathematics (``../shared/research/activation_catalog.md`` section A and the
PyTorch kink conventions of ``tests/API.md``), never from nonlin's sources.

Every activation is an :class:`Act` whose ``compute(x, p)`` returns, at the current mpmath
precision, a dict ``{kind: (value, scale)}`` with kinds

* ``"fwd"``            f(x)
* ``"deriv"``          f'(x)
* ``"d_<param>"``      df/dparam for each learnable parameter

``value`` is an ``mpf`` (possibly ``±inf`` for huge inputs); ``scale`` is the magnitude of the
largest term of the formula as written in the catalogue (see tests/test_accuracy.py for the
rule); for single-term formulas it is ``|value|``.

:func:`evaluate` wraps ``compute`` with adaptive precision: it evaluates at ``dps`` and at
``dps + 15`` and keeps raising the precision until both agree to ``GOOD_DIGITS`` digits
relative to ``max(|value|, scale)`` *and* to 34 digits relative to ``|value|`` (enough for a
double-double), so cancellation (tanhshrink near 0, derivative zero crossings ...) is handled
without hand-written series.

Parameters are passed as exact binary values (the float the tested dtype holds, e.g.
``float32(1.7)``); comparisons that decide a branch (``beta*x > threshold``) are done exactly.
"""

from __future__ import annotations

import math
from fractions import Fraction
from dataclasses import dataclass, field
from typing import Callable

import mpmath
from mpmath import mp, mpf

GOOD_DIGITS = 40          # required agreement relative to the scale
BASE_DPS = 50

# SELU constants (PyTorch / Klambauer et al.), exact decimals as published.
SELU_ALPHA = "1.6732632423543772848170429916717"
SELU_SCALE = "1.0507009873554804934193349852946"
GELU_TANH_C = "0.044715"


def _inf(v):
    return mpmath.isinf(v)


def sigmoid(t):
    """Logistic function; exact for any magnitude (mpmath exponents are unbounded)."""
    if _inf(t):
        return mpf(1) if t > 0 else mpf(0)
    if t >= 0:
        return 1 / (1 + mp.exp(-t))
    e = mp.exp(t)
    return e / (1 + e)


def softplus_raw(t):
    """log(1 + e^t) without cancellation."""
    if t > 0:
        return t + mp.log1p(mp.exp(-t))
    return mp.log1p(mp.exp(t))


def sech2(t):
    """1 - tanh(t)^2 = sech(t)^2, written without cancellation."""
    a = abs(t)
    e = mp.exp(-2 * a)
    return 4 * e / (1 + e) ** 2


def erfc_pos(z):
    """erfc(z) for z > 0; asymptotic series beyond mpmath's erfc range (huge z)."""
    if z < 1000:
        return mp.erfc(z)
    # erfc(z) = e^{-z^2} / (z sqrt(pi)) * sum_n (-1)^n (2n-1)!! / (2 z^2)^n  (|z| >= 1000:
    # the terms fall by at least 5e-7 each, the error is below the first omitted term)
    tol = mpf(10) ** (-(mp.dps + 5))
    w = 1 / (2 * z * z)
    term, total, n = mpf(1), mpf(1), 0
    while abs(term) > tol:
        n += 1
        term *= -(2 * n - 1) * w
        total += term
    return mp.exp(-z * z) / (z * mp.sqrt(mp.pi)) * total


def normal_cdf(x):
    """Phi(x) = erfc(-x/sqrt2)/2, without cancellation on either side."""
    z = x / mp.sqrt(2)
    if x < 0:
        return erfc_pos(-z) / 2
    if x == 0:
        return mpf(1) / 2
    return 1 - erfc_pos(z) / 2


def _v(value, *terms):
    """(value, scale) with scale = largest |term| (at least |value|)."""
    s = abs(value)
    for t in terms:
        s = max(s, abs(t))
    return (value, s)


# ----------------------------------------------------------------------------------- formulas

def relu(x, p):
    return {"fwd": _v(x if x > 0 else mpf(0)), "deriv": _v(mpf(1) if x > 0 else mpf(0))}


def relu6(x, p):
    y = min(max(x, mpf(0)), mpf(6))
    return {"fwd": _v(y), "deriv": _v(mpf(1) if 0 < x < 6 else mpf(0))}


def leaky_relu(x, p):
    s = p["negative_slope"]
    return {"fwd": _v(x if x > 0 else s * x), "deriv": _v(mpf(1) if x > 0 else s)}


def prelu(x, p):
    w = p["weight"]
    return {"fwd": _v(x if x > 0 else w * x), "deriv": _v(mpf(1) if x > 0 else w),
            "d_weight": _v(mpf(0) if x > 0 else x)}


def elu(x, p):
    a = p["alpha"]
    if x > 0:
        return {"fwd": _v(x), "deriv": _v(mpf(1)), "d_alpha": _v(mpf(0))}
    em1 = mp.expm1(x)
    return {"fwd": _v(a * em1), "deriv": _v(a * mp.exp(x)), "d_alpha": _v(em1)}


def selu(x, p):
    al, sc = mpf(SELU_ALPHA), mpf(SELU_SCALE)
    if x > 0:
        return {"fwd": _v(sc * x), "deriv": _v(sc)}
    return {"fwd": _v(sc * al * mp.expm1(x)), "deriv": _v(sc * al * mp.exp(x))}


def celu(x, p):
    a = p["alpha"]
    if x > 0:   # max(0,x) + min(0, a(e^{x/a}-1)) with a > 0
        return {"fwd": _v(x), "deriv": _v(mpf(1)), "d_alpha": _v(mpf(0))}
    u = x / a
    eu = mp.exp(u)
    em1 = mp.expm1(u)
    # d/da [a (e^{x/a} - 1)] = (e^u - 1) - u e^u : two terms, crosses 0 at x = 0
    with mp.workprec(mp.prec + _cancel_bits(u)):
        da = mp.expm1(u) - u * mp.exp(u)
    return {"fwd": _v(a * em1), "deriv": _v(eu), "d_alpha": _v(+da, em1, u * eu)}


def gelu(x, p):
    if _inf(x):
        raise ValueError("inf handled by the special-value tests")
    Phi = normal_cdf(x)
    phi = mp.exp(-x * x / 2) / mp.sqrt(2 * mp.pi)
    xphi = x * phi
    return {"fwd": _v(x * Phi), "deriv": _v(Phi + xphi, Phi, xphi)}


def gelu_tanh(x, p):
    k = mp.sqrt(2 / mp.pi)
    c = mpf(GELU_TANH_C)
    u = k * (x + c * x ** 3)
    s2u = sigmoid(2 * u)                     # = 0.5 (1 + tanh u)
    A = s2u
    B = x * sech2(u) * k * (1 + 3 * c * x * x) / 2   # 0.5 x (1 - t^2) k (1 + 0.134145 x^2)
    return {"fwd": _v(x * s2u), "deriv": _v(A + B, A, B)}


def silu(x, p):
    b = p["beta"]
    s = sigmoid(b * x)
    sm = sigmoid(-b * x)
    A = s
    B = b * x * s * sm
    return {"fwd": _v(x * s), "deriv": _v(A + B, A, B), "d_beta": _v(x * x * s * sm)}


def mish(x, p):
    sp = softplus_raw(x)
    t = mp.tanh(sp)
    A = t
    B = x * sigmoid(x) * sech2(sp)
    return {"fwd": _v(x * t), "deriv": _v(A + B, A, B)}


def softplus(x, p):
    b, thr = p["beta"], p["threshold"]
    bx = b * x
    if bx > thr:
        return {"fwd": _v(x), "deriv": _v(mpf(1)), "d_beta": _v(mpf(0))}
    sp = softplus_raw(bx)
    T1 = x * sigmoid(bx) / b
    T2 = sp / (b * b)
    return {"fwd": _v(sp / b), "deriv": _v(sigmoid(bx)), "d_beta": _v(T1 - T2, T1, T2)}


def softsign(x, p):
    d = 1 + abs(x)
    return {"fwd": _v(x / d), "deriv": _v(1 / (d * d))}


def sigmoid_act(x, p):
    return {"fwd": _v(sigmoid(x)), "deriv": _v(sigmoid(x) * sigmoid(-x))}


def tanh_act(x, p):
    return {"fwd": _v(mp.tanh(x)), "deriv": _v(sech2(x))}


def logsigmoid(x, p):
    # min(x,0) - log1p(e^-|x|); both terms have the same sign -> no cancellation
    return {"fwd": _v(min(x, mpf(0)) - mp.log1p(mp.exp(-abs(x)))), "deriv": _v(sigmoid(-x))}


def hardtanh(x, p):
    lo, hi = p["min_val"], p["max_val"]
    return {"fwd": _v(min(max(x, lo), hi)), "deriv": _v(mpf(1) if lo < x < hi else mpf(0))}


def hardsigmoid(x, p):
    y = min(max(x + 3, mpf(0)), mpf(6)) / 6
    return {"fwd": _v(y), "deriv": _v(mpf(1) / 6 if -3 < x < 3 else mpf(0))}


def hardswish(x, p):
    y = x * min(max(x + 3, mpf(0)), mpf(6)) / 6
    if x <= -3:
        d = _v(mpf(0))
    elif x < 3:
        d = _v(x / 3 + mpf(1) / 2, x / 3, mpf(1) / 2)   # crosses 0 at x = -1.5
    else:
        d = _v(mpf(1))
    return {"fwd": _v(y), "deriv": d}


def hardshrink(x, p):
    l = p["lambd"]
    big = abs(x) > l
    return {"fwd": _v(x if big else mpf(0)), "deriv": _v(mpf(1) if big else mpf(0))}


def softshrink(x, p):
    l = p["lambd"]
    if x > l:
        y = x - l
    elif x < -l:
        y = x + l
    else:
        y = mpf(0)
    return {"fwd": _v(y), "deriv": _v(mpf(1) if abs(x) > l else mpf(0))}


def _cancel_bits(x):
    """Extra working bits for a cancellation that loses ~2 log2(1/|x|) bits as x -> 0."""
    if x == 0 or _inf(x):
        return 0
    return max(0, -2 * int(mpmath.mag(x))) + 20


def tanhshrink(x, p):
    # x - tanh x = x^3/3 - ...: loses 2 log2(1/|x|) bits, so work with that many more (an exact
    # 0 from cancellation at both trial precisions would otherwise pass the agreement test)
    with mp.workprec(mp.prec + _cancel_bits(x)):
        t = mp.tanh(x)
        y = x - t
    return {"fwd": _v(+y), "deriv": _v(t * t)}


def squared_relu(x, p):
    r = x if x > 0 else mpf(0)
    return {"fwd": _v(r * r), "deriv": _v(2 * r)}


# ----------------------------------------------------------------------------------- registry

@dataclass
class Act:
    name: str
    compute: Callable
    params: dict = field(default_factory=dict)          # name -> default (python float)
    learnable: tuple = ()
    extra_sets: list = field(default_factory=list)       # non-default parameter sets
    kinks: Callable = lambda p: [0.0]                    # kink / threshold points
    table: str = "standard"                              # reference table (and grid) it lives in
    # intervals where `deriv` is a surrogate gradient, not d/dx of fwd (finite differences skip
    # them; HeLU's hysteresis window)
    surrogate: Callable = lambda p: []
    # {kind: (at +inf, at -inf)} where the limits are not those of the formula at +-1e300
    limits: Callable = None

    @property
    def param_sets(self):
        return [dict(self.params)] + [dict(self.params, **s) for s in self.extra_sets]

    @property
    def kinds(self):
        return ("fwd", "deriv") + tuple("d_" + n for n in self.learnable)


ACTS = [
    Act("relu", relu),
    Act("relu6", relu6, kinks=lambda p: [0.0, 6.0]),
    Act("leaky_relu", leaky_relu, {"negative_slope": 0.01}, (), [{"negative_slope": 0.2}]),
    Act("prelu", prelu, {"weight": 0.25}, ("weight",), [{"weight": -0.7}]),
    Act("elu", elu, {"alpha": 1.0}, ("alpha",), [{"alpha": 0.5}]),
    Act("selu", selu),
    Act("celu", celu, {"alpha": 1.0}, ("alpha",), [{"alpha": 2.0}]),
    Act("gelu", gelu),
    Act("gelu_tanh", gelu_tanh),
    Act("silu", silu, {"beta": 1.0}, ("beta",), [{"beta": 1.7}]),
    Act("mish", mish),
    Act("softplus", softplus, {"beta": 1.0, "threshold": 20.0}, ("beta",),
        [{"beta": 2.0, "threshold": 10.0}], kinks=lambda p: [0.0, p["threshold"] / p["beta"]]),
    Act("softsign", softsign),
    Act("sigmoid", sigmoid_act),
    Act("tanh", tanh_act),
    Act("logsigmoid", logsigmoid),
    Act("hardtanh", hardtanh, {"min_val": -1.0, "max_val": 1.0}, (),
        [{"min_val": -2.0, "max_val": 3.0}], kinks=lambda p: [0.0, p["min_val"], p["max_val"]]),
    Act("hardsigmoid", hardsigmoid, kinks=lambda p: [0.0, -3.0, 3.0]),
    Act("hardswish", hardswish, kinks=lambda p: [0.0, -3.0, 3.0, -1.5]),
    Act("hardshrink", hardshrink, {"lambd": 0.5}, (), [{"lambd": 1.0}],
        kinks=lambda p: [0.0, p["lambd"], -p["lambd"]]),
    Act("softshrink", softshrink, {"lambd": 0.5}, (), [{"lambd": 1.0}],
        kinks=lambda p: [0.0, p["lambd"], -p["lambd"]]),
    Act("tanhshrink", tanhshrink),
    Act("squared_relu", squared_relu),
]
# The activations from the literature (own module, own reference table); imported last because
# that module builds on the helpers above.
from reference_literature import ACTS as _LITERATURE_ACTS  # noqa: E402

ACTS += _LITERATURE_ACTS
BY_NAME = {a.name: a for a in ACTS}
TABLES = ("standard", "literature")


def all_param_sets(table=None):
    """[(act, set_index, params)] for every activation and parameter set (of one table)."""
    return [(a, i, p) for a in ACTS if table in (None, a.table) for i, p in enumerate(a.param_sets)]


def table_file(dtype, table):
    """File name of a stored reference table."""
    return f"ref_{dtype}.npz" if table == "standard" else f"ref_{table}_{dtype}.npz"


def set_id(act, idx):
    return f"{act.name}#{idx}"


# ----------------------------------------------------------------------------------- evaluation

def _close(a, b, scale, digits):
    if a == b:
        return True
    if _inf(a) or _inf(b):
        return False
    return abs(a - b) <= mpf(10) ** (-digits) * scale


TINY = mpf(2) ** -1200      # far below float64's smallest subnormal: stored as 0


def _agree(r1, r2):
    for k in r1:
        (v1, s1), (v2, s2) = r1[k], r2[k]
        if max(abs(v1), s1) < TINY and max(abs(v2), s2) < TINY:
            continue                                  # both round to 0 in every dtype
        if mpmath.isnan(v1) or mpmath.isnan(v2):
            if not (mpmath.isnan(v1) and mpmath.isnan(v2)):
                return False
            continue
        if _inf(v1) or _inf(v2):
            if v1 != v2:
                return False
            continue
        sc = max(s2, abs(v2))
        if not _close(v1, v2, sc, GOOD_DIGITS):
            return False
        if not _close(v1, v2, abs(v2), 34):          # full double-double relative accuracy
            return False
    return True


def evaluate(act, x, params, dps=BASE_DPS, max_dps=4000):
    """compute() at adaptively increased precision; returns {kind: (value, scale)} as mpf.

    ``x`` and ``params`` are python floats (exact binary values)."""
    with mp.workdps(dps):
        prev = act.compute(mpf(x), {k: mpf(v) for k, v in params.items()})
    d = dps + 15
    while True:
        with mp.workdps(d):
            cur = act.compute(mpf(x), {k: mpf(v) for k, v in params.items()})
        if _agree(prev, cur):
            return cur
        if d > max_dps:
            raise RuntimeError(f"{act.name}({x!r}, {params}): no convergence at {d} digits")
        prev, d = cur, 2 * d


def _to_fraction(v):
    sign, man, exp, bc = v._mpf_
    f = Fraction(man) * (Fraction(2) ** exp)
    return -f if sign else f


def ulp64_exp(hi):
    """log2 of the float64 unit in the last place of |hi| (the spacing above |hi|), 2^-1074
    floor; works elementwise on numpy arrays too."""
    import numpy as np
    hi = np.asarray(hi, dtype=np.float64)
    _, e = np.frexp(np.where(np.isfinite(hi), hi, 0.0))
    k = np.maximum(e - 1, -1022) - 52
    return np.where(hi == 0, -1074, k)


def to_dd(v):
    """mpf -> (hi, lo_units): hi = v correctly rounded to float64 (also when subnormal;
    +-inf beyond the float64 range), lo_units = (v - hi) / ulp64(hi) in [-0.5, 0.5]
    (exact residual in units of the float64 ulp of hi, so v = hi + lo_units * 2^ulp64_exp(hi))."""
    if _inf(v):
        return (math.inf if v > 0 else -math.inf, 0.0)
    if mpmath.isnan(v):
        return (math.nan, math.nan)
    if v == 0:
        return (0.0, 0.0)
    m = mpmath.mag(v)
    if m > 1025:
        return (math.inf if v > 0 else -math.inf, 0.0)
    if m < -1200:
        return (0.0 if v > 0 else -0.0, 0.0)
    f = _to_fraction(v)
    try:
        hi = float(f)               # Fraction -> float is correctly rounded
    except OverflowError:
        return (math.inf if v > 0 else -math.inf, 0.0)
    if math.isinf(hi):
        return (hi, 0.0)
    k = int(ulp64_exp(hi))
    lo = float((f - Fraction(hi)) / (Fraction(2) ** k))
    return (hi, lo)


def same_magnitude(s, v):
    """True if the mpf scale s equals |v| exactly (no rounding involved)."""
    return s == v or s + v == 0


def to_float(v):
    try:
        return float(v)
    except OverflowError:
        return math.inf if v > 0 else -math.inf


# ----------------------------------------------------------------------------------- input grids

DTYPES = ("float16", "float32", "float64")
GRID_VERSION = 1


def _root(f, x0):
    with mp.workdps(40):
        return float(mp.findroot(f, mpf(x0)))


def _difficult_points(dtype):
    """Zero crossings of derivatives, exp/erfc overflow and underflow thresholds, overflow of
    x^2, 2x, selu ... for the dtype (python floats; rounded and neighboured by make_grid)."""
    import numpy as np
    fi = np.finfo(dtype)
    mx, tiny, sub = float(fi.max), float(fi.smallest_normal), float(fi.smallest_subnormal)
    pts = [0.5, 1.0, 1.5, 2.0, 4.0, 5.0, 8.0, 10.0, 15.0, 20.0, 30.0]
    with mp.workdps(40):
        # zeros of f' (largest-term rule applies there)
        r_silu = _root(lambda t: sigmoid(t) * (1 + t * sigmoid(-t)), -1.28)
        r_mish = _root(lambda t: mp.tanh(softplus_raw(t)) + t * sigmoid(t) * sech2(softplus_raw(t)),
                       -1.19)
        r_gelu = _root(lambda t: normal_cdf(t) + t * mp.npdf(t), -0.75)
        k, c = mp.sqrt(2 / mp.pi), mpf(GELU_TANH_C)
        r_gelt = _root(lambda t: sigmoid(2 * k * (t + c * t**3)) + t * sech2(k * (t + c * t**3))
                       * k * (1 + 3 * c * t * t) / 2, -0.75)
        for b in (1.0, 1.7, 2.0, 0.5):
            pts += [r_silu / b]
        pts += [r_mish, r_gelu, r_gelt]
        # exp overflow / underflow (to normal, to subnormal, to zero), also at beta 2, 1.7
        L = [math.log(mx), math.log(tiny), math.log(sub), math.log(sub) - 0.7]
        for b in (1.0, 2.0, 1.7, 0.5):
            pts += [v / b for v in L]
        # gelu / gelu_tanh underflow (x Phi(x) = tiny, = smallest subnormal)
        for target in (tiny, sub):
            lt = mp.log(target)
            pts.append(_root(lambda t: mp.log(-t * normal_cdf(t)) - lt, -math.sqrt(-2 * float(lt))))
        # overflow of x^2, 2x, selu scale * x, x^3 (gelu_tanh)
        pts += [math.sqrt(mx), mx / 2, mx / float(mpf(SELU_SCALE)), mx ** (1 / 3), mx, tiny, sub]
    return pts


def make_grid(dtype, table="standard"):
    """Deterministic input grid for one dtype and reference table (numpy array of that dtype;
    includes +0 and -0): the kinks of that table's parameter sets are added."""
    import numpy as np
    dt = np.dtype(dtype).type
    fi = np.finfo(dt)
    mx, sub = float(fi.max), float(fi.smallest_subnormal)
    parts = []
    # dense grid on [-12, 12]
    parts.append(np.linspace(-12, 12, 2001))
    # medium grid covering the exp/erfc over- and underflow regions of the dtype
    wide = {"float16": 30.0, "float32": 120.0, "float64": 800.0}[dtype]
    parts.append(np.linspace(-wide, wide, 601))
    # log-spaced magnitudes from the smallest subnormal to the largest finite value
    n = {"float16": 120, "float32": 250, "float64": 300}[dtype]
    with np.errstate(over="ignore"):
        mags = np.exp2(np.linspace(math.log2(sub), math.log2(mx), n))
    mags = np.concatenate([mags[np.isfinite(mags)], [sub, mx, float(fi.smallest_normal)]])
    parts += [mags, -mags]
    # kinks / thresholds of every parameter set, difficult points, with neighbours
    special = set()
    for a, _, p in all_param_sets(table):
        pr = {k: float(dt(v)) for k, v in p.items()}
        special.update(a.kinks(pr))
    special.update([0.0, 3.0, -3.0, 6.0, -1.5])
    if table == "standard":
        special.update(_difficult_points(dtype))
    special.update([-s for s in list(special)])
    with np.errstate(over="ignore"):
        sp = np.array(sorted(special), dtype=np.float64).astype(dt)
    sp = sp[np.isfinite(sp)]
    neigh = [sp]
    up, down = sp.copy(), sp.copy()
    with np.errstate(over="ignore"):
        for _ in range(2):
            up = np.nextafter(up, dt(np.inf))
            down = np.nextafter(down, dt(-np.inf))
            neigh += [up, down]
    with np.errstate(over="ignore"):
        allx = np.concatenate([np.asarray(q, dtype=np.float64).astype(dt) for q in parts] + neigh)
    allx = allx[np.isfinite(allx) & (allx != 0)]
    allx = np.unique(allx)
    return np.concatenate([np.array([-0.0, 0.0], dtype=dt), allx])


def grad_out(dtype, n):
    """Fixed-seed random incoming gradients for the backward / param-grad references."""
    import numpy as np
    rng = np.random.default_rng(20261123)
    g = rng.uniform(0.25, 2.0, n) * rng.choice([-1.0, 1.0], n)
    return g.astype(dtype)


def dtype_params(params, dtype):
    """Parameter values as the tested dtype holds them (python floats)."""
    import numpy as np
    return {k: float(np.dtype(dtype).type(v)) for k, v in params.items()}
