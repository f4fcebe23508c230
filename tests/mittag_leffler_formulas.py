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
        h = mp.mpf("1e-12")
        if part == "d_z":
            return mp.diff(lambda t: ml_value(t, a, b), z, h=h)
        if part == "d_alpha":
            return mp.diff(lambda t: ml_value(z, t, b), a, h=h)
        if part == "d_beta":
            return mp.diff(lambda t: ml_value(z, a, t), b, h=h)
    raise ValueError(part)
