"""Coefficients for tanhshrink(x) = x - tanh(x) on 0.5 <= |x| <= 1.5, where x - tanh x cancels
(x / (x - tanh x) reaches 13): q(x) = (x - tanh x) / x^3 (0.18 .. 0.30, no cancellation in its
own polynomial) as a polynomial in t = (|x| - 1) / 0.5 fitted by interpolation at
Chebyshev nodes with 60-digit arithmetic. Prints the C++ arrays used in
cpp/include/nonlin/activations/exponential.h (struct Tanhshrink).

    python cpp/tools/fit_tanhshrink.py
"""

import mpmath as mp

from chebfit import print_arrays

mp.mp.dps = 60


def g(t):
    x = 1 + t / 2
    return (x - mp.tanh(x)) / x ** 3


print_arrays(g, (("kMidF32", 10, "float"), ("kMidF64", 21, "double")))
