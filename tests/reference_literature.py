"""Independent mpmath formulas for the activations from the literature (GoLU, APTx, xSiLU,
xGELU, tempered sigmoid, APA, AGLU, SmeLU, generalised SmeLU, CRReLU, SAU, HeLU, clipped ReLU,
Cauchy, elephant), written from the papers' definitions (../shared/research/activation_catalog.md
section B), never from nonlin's sources. Same conventions as reference_formulas.py: ``compute``
returns ``{kind: (value, scale)}`` with ``scale`` the largest term of the formula as written
where the terms cancel (a zero crossing), ``|value|`` otherwise.

These rows live in their own reference tables (``tests/reference/ref_literature_<dtype>.npz``,
grid from their own kinks) so adding them leaves the standard tables untouched.
"""

from __future__ import annotations

import math

from mpmath import mp, mpf

import reference_formulas as rf
from reference_formulas import Act, _v, normal_cdf, sigmoid

HUGE_EXP = mpf(2) ** 40      # e^-w for w beyond this is far below every dtype's subnormals


def _exp_neg(w):
    """e^-w, exactly 0 where it is far below 2^-1200 (a doubly exponential gate would otherwise
    need an exponent with more digits than memory holds)."""
    return mpf(0) if w > HUGE_EXP else mp.exp(-w)


def golu(x, p):
    a, b, g = p["alpha"], p["beta"], p["gamma"]
    u = mp.exp(-g * x)
    G = _exp_neg(b * u)
    T2 = a * G * b * g * x * u
    return {"fwd": _v(a * x * G), "deriv": _v(a * G + T2, a * G, T2),
            "d_alpha": _v(x * G), "d_beta": _v(-a * x * u * G), "d_gamma": _v(a * b * x * x * u * G)}


def aptx(x, p):
    a, b, g = p["alpha"], p["beta"], p["gamma"]
    z = b * x
    # a + tanh z = (a - 1) + 2 sigmoid(2z): exact in the tail where tanh z -> -1
    gate = (a - 1) + 2 * sigmoid(2 * z)
    t = gate - a
    sech2 = 4 * sigmoid(2 * z) * sigmoid(-2 * z)
    fwd_terms = () if a == 1 else (a * g * x, g * x * t)
    A, B = g * gate, g * b * x * sech2
    return {"fwd": _v(g * x * gate, *fwd_terms), "deriv": _v(A + B, A, B),
            "d_alpha": _v(g * x), "d_beta": _v(g * x * x * sech2),
            "d_gamma": _v(x * gate, *(() if a == 1 else (a * x, x * t)))}


def xsilu(x, p):
    a = p["alpha"]
    s, sn = sigmoid(x), sigmoid(-x)
    k = 1 + 2 * a
    return {"fwd": _v(x * (k * s - a), k * x * s, a * x),
            "deriv": _v(k * (s + x * s * sn) - a, k * s, k * x * s * sn, a),
            "d_alpha": _v(x * mp.tanh(x / 2))}


def xgelu(x, p):
    a = p["alpha"]
    Phi = normal_cdf(x)
    phi = mp.npdf(x)
    k = 1 + 2 * a
    return {"fwd": _v(x * (k * Phi - a), k * x * Phi, a * x),
            "deriv": _v(k * (Phi + x * phi) - a, k * Phi, k * x * phi, a),
            "d_alpha": _v(x * mp.erf(x / mp.sqrt(2)))}


def tempered_sigmoid(x, p):
    s, T, o = p["scale"], p["temperature"], p["offset"]
    sp, sn = sigmoid(T * x), sigmoid(-T * x)
    return {"fwd": _v(s * sp - o, s * sp, o), "deriv": _v(s * T * sp * sn),
            "d_scale": _v(sp), "d_temperature": _v(s * x * sp * sn), "d_offset": _v(mpf(-1))}


def _apa(x, k, l):
    """(APA, d APA/dx, d APA/dkappa, d APA/dlambda) from the definition."""
    w = mp.exp(-k * x)
    if l == 0:
        P = _exp_neg(w)
        dl = P * w * w / 2                       # the lambda -> 0 limit of the formula below
    else:
        P = mp.exp(-mp.log1p(l * w) / l)
        t = l * w
        if t < mpf(2) ** -300:
            # the two terms below agree to ~t^-1 relative: their difference is the Taylor
            # series w^2 (1/2 - 2t/3 + 3t^2/4 ...), exact to far beyond 2^-600 here
            dl = P * w * w * (mpf(1) / 2 - 2 * t / 3 + 3 * t * t / 4)
        else:
            # the terms cancel to ~t relative: work with that many more bits (an exact 0 from
            # cancellation at both trial precisions would pass the agreement test)
            with mp.workprec(mp.prec + rf._cancel_bits(t)):
                dl = P * (mp.log1p(t) / (l * l) - w / (l * (1 + t)))
    s = P * w / (1 + l * w)
    return P, k * s, x * s, dl


def apa(x, p):
    P, d, dk, dl = _apa(x, p["kappa"], p["lambd"])
    return {"fwd": _v(P), "deriv": _v(d), "d_kappa": _v(dk), "d_lambd": _v(dl)}


def aglu(x, p):
    P, d, dk, dl = _apa(x, p["kappa"], p["lambd"])
    return {"fwd": _v(x * P), "deriv": _v(P + x * d, P, x * d), "d_kappa": _v(x * dk),
            "d_lambd": _v(x * dl)}


def smelu(x, p):
    b = p["beta"]
    if x <= -b:
        return {"fwd": _v(mpf(0)), "deriv": _v(mpf(0)), "d_beta": _v(mpf(0))}
    if x >= b:
        return {"fwd": _v(x), "deriv": _v(mpf(1)), "d_beta": _v(mpf(0))}
    return {"fwd": _v((x + b) ** 2 / (4 * b)), "deriv": _v((x + b) / (2 * b)),
            "d_beta": _v((b * b - x * x) / (4 * b * b))}


def gsmelu(x, p):
    al, be, gm, gp, t = p["alpha"], p["beta"], p["negative_slope"], p["slope"], p["offset"]
    S, D = al + be, gp - gm
    if x <= -al:
        R, dR, Ra, Rb = mpf(0), mpf(0), mpf(0), mpf(0)
    elif x >= be:
        R, dR, Ra, Rb = x + (al - be) / 2, mpf(1), mpf(1) / 2, -mpf(1) / 2
    else:   # f = a x^2 + b x + c with the C^1 conditions at -alpha and beta, minus the left line
        y = x + al
        R, dR = y * y / (2 * S), y / S
        Ra, Rb = y / S - y * y / (2 * S * S), -y * y / (2 * S * S)
    # d/dg- = x - R, which is (beta - alpha)/2 right of the quadratic
    dgm = _v((be - al) / 2) if x >= be else _v(x - R, x, R)
    return {"fwd": _v(gm * x + t + D * R, gm * x, t, D * R), "deriv": _v(gm + D * dR, gm, D * dR),
            "d_alpha": _v(D * Ra), "d_beta": _v(D * Rb), "d_negative_slope": dgm,
            "d_slope": _v(R), "d_offset": _v(mpf(1))}


def crrelu(x, p):
    e = p["eps"]
    E = mp.exp(-x * x / 2)
    r = x if x > 0 else mpf(0)
    h = mpf(1) if x > 0 else mpf(0)
    return {"fwd": _v(r + e * x * E, r, e * x * E),
            "deriv": _v(h + e * (1 - x * x) * E, h, e * (1 - x * x) * E), "d_eps": _v(x * E)}


def sau(x, p):
    a, n = p["alpha"], p["n"]
    u = n * x
    g = mp.exp(-u * u / 2)
    T1 = (1 - a) / (n * mp.sqrt(2 * mp.pi)) * g
    T2 = (1 + a) * x / 2
    er = mp.erf(u / mp.sqrt(2))
    T3 = (1 - a) * x / 2 * er
    D1, D2 = (1 + a) / 2, (1 - a) / 2 * er
    A1, A2, A3 = -g / (n * mp.sqrt(2 * mp.pi)), x / 2, -x / 2 * er
    return {"fwd": _v(T1 + T2 + T3, T1, T2, T3), "deriv": _v(D1 + D2, D1, D2),
            "d_alpha": _v(A1 + A2 + A3, A1, A2, A3), "d_n": _v(-(1 - a) * mp.npdf(u) / (n * n))}


def helu(x, p):
    return {"fwd": _v(x if x > 0 else mpf(0)), "deriv": _v(mpf(1) if x > -p["alpha"] else mpf(0))}


def clipped_relu(x, p):
    T = p["bound"]
    return {"fwd": _v(min(max(x, mpf(0)), T)), "deriv": _v(mpf(1) if 0 < x < T else mpf(0)),
            "d_bound": _v(mpf(1) if x >= T else mpf(0))}


def cauchy(x, p):
    l1, l2, d = p["lambda1"], p["lambda2"], p["d"]
    D = x * x + d * d
    N1, N2 = l1 * (d * d - x * x) / D ** 2, 2 * l2 * x / D ** 2
    G1, G2 = -2 * d * l1 * x / D ** 2, -2 * d * l2 / D ** 2
    return {"fwd": _v((l1 * x + l2) / D, l1 * x / D, l2 / D), "deriv": _v(N1 - N2, N1, N2),
            "d_lambda1": _v(x / D), "d_lambda2": _v(1 / D), "d_d": _v(G1 + G2, G1, G2)}


def elephant(x, p):
    a, d, h = p["a"], p["d"], p["h"]
    if x == 0:
        return {"fwd": _v(h), "deriv": _v(mpf(0)), "d_a": _v(mpf(0)), "d_h": _v(mpf(1))}
    u = abs(x / a) ** d
    return {"fwd": _v(h / (1 + u)), "deriv": _v(-h * d * u / (x * (1 + u) ** 2)),
            "d_a": _v(h * d * u / (a * (1 + u) ** 2)), "d_h": _v(1 / (1 + u))}


NAN = mpf("nan")


def _sin_cos(w, x):
    """sin(w x), cos(w x); NaN where w x is beyond float64 (nonlin's documented convention:
    no angle to reduce, for float64 inputs |x| > DBL_MAX / |w|)."""
    z = w * x
    if abs(z) >= mpf(2) ** 1024:
        return NAN, NAN
    return mp.sin(z), mp.cos(z)


def snake(x, p):
    a = p["a"]
    s, c = _sin_cos(a, x)
    if mp.isnan(s):   # the bounded term is far below ulp(x) there
        return {"fwd": _v(x), "deriv": (NAN, NAN), "d_a": (NAN, NAN)}
    T1, T2 = x * 2 * s * c / a, s * s / (a * a)
    return {"fwd": _v(x + s * s / a, x, s * s / a), "deriv": _v(1 + 2 * s * c, mpf(1)),
            "d_a": _v(T1 - T2, T1, T2)}


def snake_beta(x, p):
    al, be = p["alpha"], p["beta"]
    s, c = _sin_cos(al, x)
    if mp.isnan(s):
        return {"fwd": _v(x), "deriv": (NAN, NAN), "d_alpha": (NAN, NAN), "d_beta": (NAN, NAN)}
    return {"fwd": _v(x + s * s / be, x, s * s / be),
            "deriv": _v(1 + 2 * al * s * c / be, mpf(1)),
            "d_alpha": _v(2 * x * s * c / be), "d_beta": _v(-s * s / (be * be))}


def sine(x, p):
    w = p["w0"]
    s, c = _sin_cos(w, x)
    return {"fwd": (s, abs(s)), "deriv": (w * c, abs(w * c))}


def biper(x, p):
    w = p["omega0"]
    s, c = _sin_cos(w, x)
    return {"fwd": (NAN, NAN) if mp.isnan(s) else _v(mpf(mp.sign(s))), "deriv": (w * c, abs(w * c))}


def xatlu(x, p):
    a = p["alpha"]
    k = 1 + 2 * a
    # atan(x)/pi + 1/2, as atan(-1/x)/pi for x < 0 (the sum cancels to 0 at any fixed precision)
    g = mp.atan(-1 / x) / mp.pi if x < 0 else mp.atan(x) / mp.pi + mpf(1) / 2
    D = x / (mp.pi * (1 + x * x))
    return {"fwd": _v(x * (k * g - a), k * x * g, a * x), "deriv": _v(k * (g + D) - a, k * g, k * D, a),
            "d_alpha": _v(2 * x * mp.atan(x) / mp.pi)}


def _no_limits(kinds):
    """Periodic functions: no limit at +-inf (NaN there)."""
    nan = float("nan")
    return lambda p: {k: (nan, nan) for k in kinds}


def _golu_deriv_zero(p):
    # 1 + beta gamma x e^(-gamma x) = 0: gamma x = -W(1/beta)
    return [float(-mp.lambertw(1 / mpf(p["beta"])).real / p["gamma"])]


LIT = "literature"
ACTS = [
    Act("golu", golu, {"alpha": 1.0, "beta": 1.0, "gamma": 1.0}, ("alpha", "beta", "gamma"),
        [{"alpha": 0.8, "beta": 0.5, "gamma": 1.7}], kinks=lambda p: [0.0] + _golu_deriv_zero(p),
        table=LIT),
    Act("aptx", aptx, {"alpha": 1.0, "beta": 1.0, "gamma": 0.5}, ("alpha", "beta", "gamma"),
        [{"alpha": 1.0, "beta": 0.5, "gamma": 0.5}, {"alpha": 0.7, "beta": 1.3, "gamma": 1.2}],
        table=LIT),
    Act("xsilu", xsilu, {"alpha": 0.0}, ("alpha",), [{"alpha": 0.3}], table=LIT),
    Act("xgelu", xgelu, {"alpha": 0.0}, ("alpha",), [{"alpha": 0.3}], table=LIT),
    Act("tempered_sigmoid", tempered_sigmoid, {"scale": 2.0, "temperature": 2.0, "offset": 1.0},
        ("scale", "temperature", "offset"), [{"scale": 1.5, "temperature": 0.7, "offset": 0.25}],
        table=LIT),
    Act("apa", apa, {"kappa": 1.0, "lambd": 1.0}, ("kappa", "lambd"),
        [{"kappa": 1.5, "lambd": 0.25}, {"kappa": 0.7, "lambd": 0.0}, {"kappa": 1.0, "lambd": 1e-3}],
        table=LIT),
    Act("aglu", aglu, {"kappa": 1.0, "lambd": 1.0}, ("kappa", "lambd"),
        [{"kappa": 1.5, "lambd": 0.25}, {"kappa": 0.7, "lambd": 0.0}, {"kappa": 1.0, "lambd": 3.0}],
        table=LIT),
    Act("smelu", smelu, {"beta": 2.0}, ("beta",), [{"beta": 0.3}],
        kinks=lambda p: [0.0, p["beta"], -p["beta"]], table=LIT),
    Act("gsmelu", gsmelu, {"alpha": 2.0, "beta": 2.0, "negative_slope": 0.0, "slope": 1.0,
                           "offset": 0.0},
        ("alpha", "beta", "negative_slope", "slope", "offset"),
        [{"alpha": 0.5, "beta": 1.5, "negative_slope": 0.1, "slope": 1.2, "offset": -0.3}],
        kinks=lambda p: [0.0, p["beta"], -p["alpha"]], table=LIT),
    Act("crrelu", crrelu, {"eps": 0.01}, ("eps",), [{"eps": 0.5}], kinks=lambda p: [0.0, 1.0, -1.0],
        table=LIT),
    Act("sau", sau, {"alpha": 0.15, "n": 20.0}, ("alpha", "n"), [{"alpha": 0.01, "n": 2.0}],
        table=LIT),
    Act("helu", helu, {"alpha": 0.05}, (), [{"alpha": 0.5}], kinks=lambda p: [0.0, -p["alpha"]],
        table=LIT, surrogate=lambda p: [(-p["alpha"], 0.0)]),
    Act("clipped_relu", clipped_relu, {"bound": 6.0}, ("bound",), [{"bound": 1.5}],
        kinks=lambda p: [0.0, p["bound"]], table=LIT),
    Act("cauchy", cauchy, {"lambda1": 1.0, "lambda2": 1.0, "d": 1.0}, ("lambda1", "lambda2", "d"),
        [{"lambda1": -0.6, "lambda2": 1.5, "d": 0.3}], kinks=lambda p: [0.0, p["d"], -p["d"]],
        table=LIT),
    Act("elephant", elephant, {"a": 1.0, "d": 4.0, "h": 1.0}, ("a", "h"),
        [{"a": 0.1, "d": 2.5, "h": 2.0}, {"a": -0.7, "d": 2.0, "h": 1.5}],
        kinks=lambda p: [0.0, p["a"], -p["a"]], table=LIT),
    # periodic: fwd grows like x (Snake) or has no limit; derivatives have none
    Act("snake", snake, {"a": 1.0}, ("a",), [{"a": 0.3}], table=LIT,
        limits=lambda p: {"fwd": (math.inf, -math.inf), "deriv": (math.nan, math.nan),
                          "d_a": (math.nan, math.nan)}),
    Act("snake_beta", snake_beta, {"alpha": 1.0, "beta": 1.0}, ("alpha", "beta"),
        [{"alpha": 2.5, "beta": 0.7}], table=LIT,
        limits=lambda p: {"fwd": (math.inf, -math.inf), "deriv": (math.nan, math.nan),
                          "d_alpha": (math.nan, math.nan), "d_beta": (math.nan, math.nan)}),
    Act("sine", sine, {"w0": 30.0}, (), [{"w0": 1.0}], table=LIT, limits=_no_limits(("fwd", "deriv"))),
    Act("biper", biper, {"omega0": 30.0}, (), [{"omega0": 20.0}], table=LIT,
        limits=_no_limits(("fwd", "deriv")), surrogate=lambda p: [(-math.inf, math.inf)]),
    Act("xatlu", xatlu, {"alpha": 0.0}, ("alpha",), [{"alpha": 0.3}], table=LIT),
]
