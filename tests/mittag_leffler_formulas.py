"""Independent mpmath references for the Mittag-Leffler function E_{a,b}(z) = sum z^k/Gamma(a k+b).

- |z|^{1/a} <= 45: the power series in working precision raised by the cancellation it suffers
  (the terms reach ~e^{|z|^{1/a}} while E may be ~e^{-|z|^{1/a}} or ~1/|z|).
- |z|^{1/a} > 45: the asymptotic expansion (poles of the principal sheet + divergent power sum
  truncated at its smallest term, which is then below ~e^{-45} = 3e-20 of the scale); for a = 1 the
  exact 1F1 form E_{1,b}(z) = 1F1(1; b; z)/Gamma(b) instead.
- derivatives in z, a, b: central differences of the value with step 1e-12 at 30 extra digits
  (truncation ~1e-24 relative; mpmath's default tiny step cancels the divergent asymptotic
  sums' exponentially small remainders).
"""

import mpmath as mp
import numpy as np

PART_NAMES = ("value", "d_z", "d_alpha", "d_beta")
# bound on |y - ref|/scale beyond the conditioning term, per part
BOUND = {"value": 1e-13, "d_z": 1e-13, "d_alpha": 1e-12, "d_beta": 1e-12}


def _series(z, a, b):
    """sum z^k/Gamma(a k + b) for real or complex z."""
    x = abs(z) ** (1 / a)
    extra = int(float(x) / 2.3) + 25
    with mp.workdps(mp.mp.dps + extra):
        z = mp.mpc(z) if isinstance(z, complex) or isinstance(z, mp.mpc) else mp.mpf(z)
        a, b = mp.mpf(a), mp.mpf(b)
        s = mp.mpf(0)
        zk = mp.mpf(1)
        tol = mp.mpf(10) ** (-(mp.mp.dps))
        smax = mp.mpf(0)
        k = 0
        while True:
            t = zk * mp.rgamma(a * k + b)
            s += t
            smax = max(smax, abs(t))
            if a * k + b > 2 and a * k + b > x and abs(t) <= tol * smax and k > 0:
                break
            k += 1
            zk *= z
            if k > 200000:
                raise RuntimeError("series did not converge")
        return +s


def _asymptotic(z, a, b):
    z, a, b = mp.mpf(z), mp.mpf(a), mp.mpf(b)
    x = abs(z) ** (1 / a)
    lx = mp.log(abs(z)) / a
    res = mp.mpf(0)
    base = 0 if z > 0 else 1
    j = 0
    while base + 2 * j < a:
        th = mp.pi * (base + 2 * j) / a
        ls = mp.mpc(lx, th)
        s = mp.exp(ls)
        r = mp.exp(-mp.log(a) + (1 - b) * ls + s)
        res += r.real if (base + 2 * j) == 0 else 2 * r.real
        j += 1
    power = mp.mpf(0)
    prev = mp.inf
    k = 1
    scale = abs(res)
    while True:
        t = -z ** (-k) * mp.rgamma(b - a * k)
        env = abs(z) ** (-k) * mp.gamma(abs(a * k - b) + 2)
        if env > prev:
            break
        power += t
        prev = env
        if env < mp.mpf(10) ** (-mp.mp.dps) * (scale + abs(power)):
            break
        k += 1
    return res + power


def _rgamma_deriv(x):
    """d/dx 1/Gamma(x), also at the poles x = -n of Gamma: (-1)^n n!."""
    if x <= 0 and mp.isint(x):
        n = int(-x)
        return (-1) ** n * mp.factorial(n)
    return -mp.digamma(x) * mp.rgamma(x)


def series_part(part, z, a, b, order=1):
    """The power series of a part for real or complex z (mpmath), termwise: value, d_z (the
    order-th z-derivative), d_alpha, d_beta; |z|^{1/a} <= 60."""
    x = abs(z) ** (1 / a)
    extra = int(float(x) / 2.3) + 25
    with mp.workdps(mp.mp.dps + extra):
        z = mp.mpc(z) if isinstance(z, (complex, mp.mpc)) else mp.mpf(z)
        a, b = mp.mpf(a), mp.mpf(b)
        s, smax, tol = mp.mpf(0), mp.mpf(0), mp.mpf(10) ** (-mp.mp.dps)
        for k in range(200000):
            arg = a * k + b
            if part == "value":
                t = z ** k * mp.rgamma(arg)
            elif part == "d_z":
                t = mp.ff(k, order) * z ** (k - order) * mp.rgamma(arg) if k >= order else 0
            elif part == "d_alpha":
                t = k * z ** k * _rgamma_deriv(arg)
            else:
                t = z ** k * _rgamma_deriv(arg)
            s += t
            smax = max(smax, abs(t))
            if arg > 2 and arg > x + order and k > order and abs(t) <= tol * smax:
                return +s
        raise RuntimeError("series did not converge")


def ml_value_complex(z, a, b):
    """E_{a,b}(z) for complex z with |z|^{1/a} <= 60 (series)."""
    if abs(z) ** (1 / a) > 60:
        raise ValueError("complex reference only by the series")
    return _series(complex(z), a, b)


def ml_value(z, a, b):
    """E_{a,b}(z) for real z (mpmath number)."""
    z, a, b = mp.mpf(z), mp.mpf(a), mp.mpf(b)
    if z == 0:
        return mp.rgamma(b)
    if a == 0:
        return mp.rgamma(b) / (1 - z)
    if a == 1:
        if mp.isint(b) and b <= 0:  # E_{1,b} = 1/Gamma(b) + z E_{1,b+1}, 1/Gamma(b) = 0
            return z * ml_value(z, a, b + 1)
        return mp.hyp1f1(1, b, z) * mp.rgamma(b)
    x = abs(z) ** (1 / a)
    return _series(z, a, b) if x <= 45 else _asymptotic(z, a, b)


def ml_part(part, z, a, b):
    """part in value, d_z, d_alpha, d_beta."""
    if part == "value":
        return ml_value(z, a, b)
    with mp.workdps(mp.mp.dps + 30):
        z, a, b = mp.mpf(z), mp.mpf(a), mp.mpf(b)
        if z == 0:  # the k = 0, 1 terms of the series: exact (differences would leave h^2 noise)
            return {"d_z": mp.rgamma(a + b), "d_alpha": mp.mpf(0),
                    "d_beta": mp.diff(mp.rgamma, b)}[part]
        h = mp.mpf("1e-12")
        if part == "d_z":
            return mp.diff(lambda t: ml_value(t, a, b), z, h=h)
        if part == "d_alpha":
            return mp.diff(lambda t: ml_value(z, t, b), a, h=h)
        if part == "d_beta":
            return mp.diff(lambda t: ml_value(z, a, t), b, h=h)
    raise ValueError(part)


# ---- the error measure used by the tests and the README table ----

def error_scale(ref, z, a, b):
    """Error scale, vectorised over float64 arrays: |ref|, except where E oscillates (a > 1,
    z < 0: also the residues' size (1/a) x^{1-b} e^{x cos(pi/a)} and the first power term
    |1/(z Gamma(b-a))|, x = |z|^{1/a}) and for b < a, z < 0 (E need not be monotone: the
    smaller of |1/Gamma(b)| and the first power term), so errors near zeros are absolute."""
    z, a, b = np.broadcast_arrays(np.asarray(z, float), np.asarray(a, float), np.asarray(b, float))
    rgamma = np.vectorize(lambda v: float(mp.rgamma(v)))
    with np.errstate(all="ignore"):
        x = np.abs(z) ** (1 / a)
        first = np.where(z != 0, np.abs(rgamma(b - a) / z), 0.0)
        residues = np.nan_to_num(np.exp(x * np.cos(np.pi / a)) * x ** (1 - b) / a)
    scale = np.abs(ref)
    scale = np.where((z < 0) & (a > 1), np.maximum(scale, np.maximum(residues, first)), scale)
    return np.where((z < 0) & (b < a), np.maximum(scale, np.minimum(first, np.abs(rgamma(b)))), scale)


def error_bound(part, z, a):
    """1e-13 (1e-12 for the parameter derivatives) plus the conditioning in z: a double z
    carries 2^-53 relative, which moves E by x/a times that for z > 0 and in the residues'
    phase for a > 1."""
    z, a = np.broadcast_arrays(np.asarray(z, float), np.asarray(a, float))
    x = np.abs(z) ** (1 / a)
    cond = np.where((z > 0) | (a > 1), 1 + x / a, 1.0)
    return BOUND[part] + 8 * np.finfo(np.float64).eps * cond


def relative_errors(y, ref, z, a, b):
    """|y - ref| / error_scale (0 where y == ref, including equal infinities)."""
    scale = error_scale(ref, z, a, b)
    with np.errstate(all="ignore"):
        err = np.abs(y - ref) / np.where(scale > 0, scale, 1.0)
    return np.where(y == ref, 0.0, err)
