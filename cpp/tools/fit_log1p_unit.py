"""Coefficients of R(e) = (log1p(e) - e)/e^2 on e in [0, 1] as a polynomial in t = 2e - 1 (Chebyshev
interpolation at 120 digits, converted to the monomial basis in t, which is well conditioned
here: the nearest singularity, e = -1, is t = -3). log1p(e) = e + e^2 R keeps the leading
term exact, so the polynomial's rounding is damped by e/2. Prints the C++ arrays for
cpp/include/nonlin/simd/log1p_unit.h.

    python cpp/tools/fit_log1p_unit.py
"""

import mpmath as mp

mp.mp.dps = 120


def f(t):
    e = (t + 1) / 2
    return (mp.log1p(e) - e) / e ** 2 if e != 0 else mp.mpf(-0.5)


def fit(degree):
    n = degree + 1
    nodes = [mp.cos(mp.pi * (k + mp.mpf(1) / 2) / n) for k in range(n)]
    # Newton-free: solve the Vandermonde system at Chebyshev nodes in high precision
    A = mp.matrix([[x ** j for j in range(n)] for x in nodes])
    b = mp.matrix([f(x) for x in nodes])
    c = mp.lu_solve(A, b)
    err = max(abs(sum(c[j] * x ** j for j in range(n)) / f(x) - 1)
              for x in mp.linspace(-1, 1, 2001))
    return [c[j] for j in range(n)], err


for name, deg, ctype in (("kF32", 9, "float"), ("kF64", 21, "double")):
    c, err = fit(deg)
    fmt = (lambda v: f"{float(mp.nstr(v, 10)):.9e}f") if ctype == "float" else (lambda v: repr(float(v)))
    print(f"// degree {deg}, max relative error {mp.nstr(err, 3)}")
    print(f"static constexpr {ctype} {name}[] = {{" + ", ".join(fmt(v) for v in c) + "};")
