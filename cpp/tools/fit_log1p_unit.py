"""Coefficients of R(e) = (log1p(e) - e)/e^2 on e in [0, 1] as a polynomial in t = 2e - 1 (Chebyshev
interpolation at 120 digits, converted to the monomial basis in t, which is well conditioned
here: the nearest singularity, e = -1, is t = -3). log1p(e) = e + e^2 R keeps the leading
term exact, so the polynomial's rounding is damped by e/2. Prints the C++ arrays for
cpp/include/nonlin/simd/log1p_unit.h.

    python cpp/tools/fit_log1p_unit.py
"""

import mpmath as mp

from chebfit import print_arrays

mp.mp.dps = 120


def f(t):
    e = (t + 1) / 2
    return (mp.log1p(e) - e) / e ** 2 if e != 0 else mp.mpf(-0.5)


print_arrays(f, (("kF32", 9, "float"), ("kF64", 21, "double")))
