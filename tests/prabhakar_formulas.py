"""Independent mpmath references for the three-parameter (Prabhakar) Mittag-Leffler function
E^g_{a,b}(z) = sum_k (g)_k z^k / (k! Gamma(a k + b)), real or complex z: its power series at a
working precision that covers both the growth e^(|z|^(1/a)) of the terms and a result as small
as e^(-|z|^(1/a)); its parameter derivatives by mpmath's numerical differentiation of that
series (at 20 extra digits, so the step error is far below double)."""

import mpmath as mp


def series(z, a, b, g, order=0, extra_digits=0):
    """The series differentiated `order` times in z, as an mpf (real z) or mpc, at a precision
    never below the caller's (mp.diff raises it); the parameters may be mpf."""
    x = abs(complex(z)) ** (1 / float(a)) if z else 0.0
    with mp.workdps(max(mp.mp.dps, int(30 + extra_digits + x / 1.1))):
        z = mp.mpc(z) if isinstance(z, complex) else mp.mpf(z)
        a, b, g = mp.mpf(a), mp.mpf(b), mp.mpf(g)
        total, k = mp.mpf(0), order
        while True:
            t = mp.rf(g, k) / mp.factorial(k) * mp.rgamma(a * k + b) * mp.ff(k, order) * z ** (k - order)
            total += t
            if k > order + 10 and a * k + b > x + 5 and abs(t) < mp.mpf(10) ** (-mp.mp.dps + 3) * (abs(total) + 1e-300):
                return +total
            k += 1


PARTS = ("d_alpha", "d_beta", "d_gamma")


def parameter_derivative(part, z, a, b, g, dps=None):
    """d/da, d/db or d/dg (part) of the series at z (one-sided in g at g = 0), at `dps` digits
    (default 50 + |z|^(1/a) / 1.1)."""
    which = PARTS.index(part)

    def f(t):
        p = [mp.mpf(a), mp.mpf(b), mp.mpf(g)]
        p[which] += t
        return series(z, *p, extra_digits=20)

    x = abs(complex(z)) ** (1 / float(a))
    with mp.workdps(dps or int(50 + x / 1.1)):
        return mp.diff(f, mp.mpf(0), direction=1 if (which == 2 and g == 0) else 0)
