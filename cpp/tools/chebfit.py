"""Shared by the coefficient fitters: interpolate f(t) on [-1, 1] at Chebyshev nodes in
high precision (mpmath) and print the monomial coefficients in t as C++ arrays."""

import mpmath as mp


def fit(f, degree, samples=2001):
    """Coefficients c[0..degree] of the interpolant in powers of t, and its max relative error."""
    n = degree + 1
    nodes = [mp.cos(mp.pi * (k + mp.mpf(1) / 2) / n) for k in range(n)]
    A = mp.matrix([[t ** j for j in range(n)] for t in nodes])
    c = mp.lu_solve(A, mp.matrix([f(t) for t in nodes]))
    err = max(abs(sum(c[j] * t ** j for j in range(n)) / f(t) - 1)
              for t in mp.linspace(-1, 1, samples))
    return [c[j] for j in range(n)], err


def print_arrays(f, specs):
    """specs: (C++ name, degree, "float" | "double") for each array to print."""
    for name, degree, ctype in specs:
        c, err = fit(f, degree)
        fmt = (lambda v: f"{float(v):.9e}f") if ctype == "float" else (lambda v: repr(float(v)))
        print(f"// degree {degree}, max relative error {mp.nstr(err, 3)}")
        print(f"static constexpr {ctype} {name}[] = {{" + ", ".join(fmt(v) for v in c) + "};")
