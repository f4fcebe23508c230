"""Coefficients for tanhshrink(x) = x - tanh(x) on 0.5 <= |x| <= 1.5, where x - tanh x cancels
(x / (x - tanh x) reaches 13): q(x) = (x - tanh x) / x^3 (0.18 .. 0.30, no cancellation in its
own polynomial) as a polynomial in t = (|x| - 1) / 0.5 fitted by interpolation at
Chebyshev nodes with 60-digit arithmetic. Prints the C++ arrays used in
cpp/include/nonlin/activations/exponential.h (struct Tanhshrink).

    python cpp/tools/fit_tanhshrink.py
"""

import mpmath as mp

mp.mp.dps = 60


def fit(degree):
    n = degree + 1
    nodes = [mp.cos(mp.pi * (k + mp.mpf(1) / 2) / n) for k in range(n)]
    g = lambda t: ((1 + t / 2) - mp.tanh(1 + t / 2)) / (1 + t / 2) ** 3
    A = mp.matrix([[t ** j for j in range(n)] for t in nodes])
    c = mp.lu_solve(A, mp.matrix([g(t) for t in nodes]))
    err = max(abs(sum(c[j] * t ** j for j in range(n)) / g(t) - 1) for t in mp.linspace(-1, 1, 801))
    return [c[j] for j in range(n)], err


for name, deg, ctype in (("kMidF32", 10, "float"), ("kMidF64", 21, "double")):
    c, err = fit(deg)
    fmt = (lambda v: f"{float(v):.9e}f") if ctype == "float" else (lambda v: repr(float(v)))
    print(f"// degree {deg}, max relative error {mp.nstr(err, 3)}")
    print(f"static constexpr {ctype} {name}[] = {{" + ", ".join(fmt(v) for v in c) + "};")
