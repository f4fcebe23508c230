"""Quick side-by-side benchmark: ``python -m nonlin bench [options]``.

For each activation (forward and backward) it times nonlin, a NumPy/SciPy composite, PyTorch
CPU and JAX (when importable) on the same array with preallocated outputs, interleaving the
implementations in one run so that ratios are fair on a noisy machine, and reports the median
time per element. It also measures each implementation's max error in ULP against a
high-accuracy reference: for float32, a float64 evaluation with NumPy/SciPy on a dense sample
over [-30, 30] plus a log-spaced sweep of tails; for float64, mpmath (50 digits) on a smaller
sample. Errors are ULPs of the (rounded) reference result itself, so a result near a zero of
the function or its derivative can show a large count; no such scaling is hidden.

Backward is grad_out * f'(x). PyTorch's kernels are called the way autograd calls them (for
relu, sigmoid and tanh they take the saved forward output, which is computed beforehand and
not timed); JAX's is the jitted VJP.
"""

from __future__ import annotations

import argparse
import math
import os
import platform
import statistics
import sys
import time

import numpy as np

DEFAULT_SET = ["relu", "sigmoid", "tanh", "gelu", "gelu_tanh", "silu", "mish", "softplus", "elu"]
ALL = ["relu", "relu6", "leaky_relu", "prelu", "elu", "selu", "celu", "gelu", "gelu_tanh",
       "silu", "mish", "softplus", "softsign", "sigmoid", "tanh", "logsigmoid", "hardtanh",
       "hardsigmoid", "hardswish", "hardshrink", "softshrink", "tanhshrink", "squared_relu"]

SQRT2 = math.sqrt(2.0)
SQRT_2_PI = math.sqrt(2.0 / math.pi)
INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)
GELU_C = 0.044715
SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946


# ---------------------------------------------------------------------------------------------
# float64 references (NumPy/SciPy), written to stay accurate in the tails.
def _ref64():
    from scipy import special

    np.seterr(over="ignore")  # exp overflow in the mish reference is handled by np.where
    sig = special.expit

    def phi_cdf(x):
        return 0.5 * special.erfc(-x / SQRT2)

    def u(x):
        return SQRT_2_PI * (x + GELU_C * x ** 3)

    def mish_parts(x):
        xc = np.minimum(x, 300.0)
        n = np.exp(xc) * (np.exp(xc) + 2.0)
        t = n / (n + 2.0)
        one_m_t2 = 4.0 * (n + 1.0) / (n + 2.0) ** 2
        return np.where(x > 300, 1.0, t), np.where(x > 300, 0.0, one_m_t2)

    def mish_f(x):
        t, _ = mish_parts(x)
        return x * t

    def mish_d(x):
        t, s2 = mish_parts(x)
        return t + x * sig(x) * s2

    return {
        "relu": (lambda x: np.maximum(x, 0.0), lambda x: (x > 0) * 1.0),
        "relu6": (lambda x: np.clip(x, 0.0, 6.0), lambda x: ((x > 0) & (x < 6)) * 1.0),
        "leaky_relu": (lambda x: np.where(x > 0, x, 0.01 * x), lambda x: np.where(x > 0, 1.0, 0.01)),
        "prelu": (lambda x: np.where(x > 0, x, 0.25 * x), lambda x: np.where(x > 0, 1.0, 0.25)),
        "elu": (lambda x: np.where(x > 0, x, np.expm1(np.minimum(x, 0))),
                lambda x: np.where(x > 0, 1.0, np.exp(np.minimum(x, 0)))),
        "selu": (lambda x: SELU_SCALE * np.where(x > 0, x, SELU_ALPHA * np.expm1(np.minimum(x, 0))),
                 lambda x: SELU_SCALE * np.where(x > 0, 1.0, SELU_ALPHA * np.exp(np.minimum(x, 0)))),
        "celu": (lambda x: np.where(x > 0, x, np.expm1(np.minimum(x, 0))),
                 lambda x: np.where(x > 0, 1.0, np.exp(np.minimum(x, 0)))),
        "gelu": (lambda x: x * phi_cdf(x),
                 lambda x: phi_cdf(x) + x * INV_SQRT_2PI * np.exp(-0.5 * x * x)),
        "gelu_tanh": (lambda x: x * sig(2 * u(x)),
                      lambda x: sig(2 * u(x)) + 2 * x * sig(2 * u(x)) * sig(-2 * u(x))
                      * SQRT_2_PI * (1 + 3 * GELU_C * x * x)),
        "silu": (lambda x: x * sig(x), lambda x: sig(x) * (1 + x * sig(-x))),
        "mish": (mish_f, mish_d),
        "softplus": (lambda x: np.where(x > 20, x, np.logaddexp(0.0, x)),
                     lambda x: np.where(x > 20, 1.0, sig(x))),
        "softsign": (lambda x: x / (1 + np.abs(x)), lambda x: 1 / (1 + np.abs(x)) ** 2),
        "sigmoid": (sig, lambda x: sig(x) * sig(-x)),
        "tanh": (np.tanh, lambda x: 4 * sig(2 * x) * sig(-2 * x)),
        "logsigmoid": (lambda x: -np.logaddexp(0.0, -x), lambda x: sig(-x)),
        "hardtanh": (lambda x: np.clip(x, -1.0, 1.0), lambda x: ((x > -1) & (x < 1)) * 1.0),
        "hardsigmoid": (lambda x: np.clip(x + 3, 0.0, 6.0) / 6,
                        lambda x: ((x > -3) & (x < 3)) / 6.0),
        "hardswish": (lambda x: x * np.clip(x + 3, 0.0, 6.0) / 6,
                      lambda x: np.where(x < -3, 0.0, np.where(x <= 3, x / 3 + 0.5, 1.0))),
        "hardshrink": (lambda x: np.where(np.abs(x) > 0.5, x, 0.0), lambda x: (np.abs(x) > 0.5) * 1.0),
        "softshrink": (lambda x: x - np.clip(x, -0.5, 0.5), lambda x: (np.abs(x) > 0.5) * 1.0),
        # x - tanh x cancels near 0 even in float64: Taylor series there (|x| < 0.01)
        "tanhshrink": (lambda x: np.where(np.abs(x) < 0.01,
                                          x ** 3 * (1 / 3 - x * x * (2 / 15 - x * x * 17 / 315)),
                                          x - np.tanh(x)),
                       lambda x: np.tanh(x) ** 2),
        "squared_relu": (lambda x: np.maximum(x, 0.0) ** 2, lambda x: 2 * np.maximum(x, 0.0)),
    }


def _refmp():
    import mpmath as mp

    def sig(x):
        return 1 / (1 + mp.exp(-x))

    def u(x):
        return mp.sqrt(2 / mp.pi) * (x + mp.mpf("0.044715") * x ** 3)

    def sp(x):
        return x if x > 20 else mp.log1p(mp.exp(x))

    sa, ss = mp.mpf("1.6732632423543772848170429916717"), mp.mpf("1.0507009873554804934193349852946")
    half = mp.mpf("0.5")
    return {
        "relu": (lambda x: max(x, 0), lambda x: 1 if x > 0 else 0),
        "relu6": (lambda x: min(max(x, 0), 6), lambda x: 1 if 0 < x < 6 else 0),
        "leaky_relu": (lambda x: x if x > 0 else mp.mpf("0.01") * x,
                       lambda x: 1 if x > 0 else mp.mpf("0.01")),
        "prelu": (lambda x: x if x > 0 else x / 4, lambda x: 1 if x > 0 else mp.mpf(0.25)),
        "elu": (lambda x: x if x > 0 else mp.expm1(x), lambda x: 1 if x > 0 else mp.exp(x)),
        "selu": (lambda x: ss * (x if x > 0 else sa * mp.expm1(x)),
                 lambda x: ss * (1 if x > 0 else sa * mp.exp(x))),
        "celu": (lambda x: x if x > 0 else mp.expm1(x), lambda x: 1 if x > 0 else mp.exp(x)),
        "gelu": (lambda x: x * mp.erfc(-x / mp.sqrt(2)) / 2,
                 lambda x: mp.erfc(-x / mp.sqrt(2)) / 2 + x * mp.exp(-x * x / 2) / mp.sqrt(2 * mp.pi)),
        "gelu_tanh": (lambda x: x * sig(2 * u(x)),
                      lambda x: sig(2 * u(x)) + 2 * x * sig(2 * u(x)) * sig(-2 * u(x))
                      * mp.sqrt(2 / mp.pi) * (1 + 3 * mp.mpf("0.044715") * x * x)),
        "silu": (lambda x: x * sig(x), lambda x: sig(x) * (1 + x * sig(-x))),
        "mish": (lambda x: x * mp.tanh(mp.log1p(mp.exp(x))),
                 lambda x: mp.tanh(mp.log1p(mp.exp(x)))
                 + x * sig(x) * mp.sech(mp.log1p(mp.exp(x))) ** 2),
        "softplus": (sp, lambda x: 1 if x > 20 else sig(x)),
        "softsign": (lambda x: x / (1 + abs(x)), lambda x: 1 / (1 + abs(x)) ** 2),
        "sigmoid": (sig, lambda x: sig(x) * sig(-x)),
        "tanh": (mp.tanh, lambda x: mp.sech(x) ** 2),
        "logsigmoid": (lambda x: -mp.log1p(mp.exp(-x)), lambda x: sig(-x)),
        "hardtanh": (lambda x: min(max(x, -1), 1), lambda x: 1 if -1 < x < 1 else 0),
        "hardsigmoid": (lambda x: min(max(x + 3, 0), 6) / 6,
                        lambda x: mp.mpf(1) / 6 if -3 < x < 3 else 0),
        "hardswish": (lambda x: x * min(max(x + 3, 0), 6) / 6,
                      lambda x: 0 if x < -3 else (x / 3 + half if x <= 3 else 1)),
        "hardshrink": (lambda x: x if abs(x) > half else 0, lambda x: 1 if abs(x) > half else 0),
        "softshrink": (lambda x: x - half if x > half else (x + half if x < -half else 0),
                       lambda x: 1 if abs(x) > half else 0),
        "tanhshrink": (lambda x: x - mp.tanh(x), lambda x: mp.tanh(x) ** 2),
        "squared_relu": (lambda x: max(x, 0) ** 2, lambda x: 2 * max(x, 0)),
    }


# ---------------------------------------------------------------------------------------------
# NumPy / SciPy composites, all writing into preallocated arrays (o = out, t/t2 = scratch,
# m = boolean scratch).
def _numpy_impls():
    from scipy import special

    expit, erfc = special.expit, special.erfc

    def fwd_elu_like(alpha, scale, inv):
        def f(x, o, t, t2, m):
            np.minimum(x, 0, out=t)
            if inv != 1:
                t *= inv
            np.expm1(t, out=t)
            t *= alpha * scale
            np.maximum(x, 0, out=o)
            if scale != 1:
                o *= scale
            o += t
        return f

    def bwd_elu_like(alpha, scale, inv):
        def f(g, x, o, t, t2, m):
            np.minimum(x, 0, out=t)
            if inv != 1:
                t *= inv
            np.exp(t, out=t)
            t *= alpha * scale * inv
            np.greater(x, 0, out=m)
            np.copyto(t, scale, where=m)
            np.multiply(g, t, out=o)
        return f

    def fwd_gelu(x, o, t, t2, m):
        np.multiply(x, -1 / SQRT2, out=t)
        erfc(t, out=t)
        np.multiply(x, t, out=o)
        o *= 0.5

    def bwd_gelu(g, x, o, t, t2, m):
        np.multiply(x, -1 / SQRT2, out=t)
        erfc(t, out=t)
        t *= 0.5
        np.multiply(x, x, out=o)
        o *= -0.5
        np.exp(o, out=o)
        o *= x
        o *= INV_SQRT_2PI
        o += t
        o *= g

    def _u(x, t):
        np.multiply(x, x, out=t)
        t *= GELU_C
        t += 1
        t *= x
        t *= SQRT_2_PI

    def fwd_gelu_tanh(x, o, t, t2, m):
        _u(x, t)
        np.tanh(t, out=t)
        t += 1
        np.multiply(x, t, out=o)
        o *= 0.5

    def bwd_gelu_tanh(g, x, o, t, t2, m):
        _u(x, t)
        np.tanh(t, out=t)
        np.multiply(x, x, out=t2)
        t2 *= 3 * GELU_C
        t2 += 1
        t2 *= 0.5 * SQRT_2_PI
        t2 *= x
        np.multiply(t, t, out=o)
        np.subtract(1, o, out=o)
        o *= t2
        t += 1
        t *= 0.5
        o += t
        o *= g

    def fwd_silu(x, o, t, t2, m):
        expit(x, out=t)
        np.multiply(x, t, out=o)

    def bwd_silu(g, x, o, t, t2, m):
        expit(x, out=t)
        np.subtract(1, t, out=o)
        o *= x
        o += 1
        o *= t
        o *= g

    def fwd_mish(x, o, t, t2, m):
        np.logaddexp(x, 0, out=t)
        np.tanh(t, out=t)
        np.multiply(x, t, out=o)

    def bwd_mish(g, x, o, t, t2, m):
        np.logaddexp(x, 0, out=t)
        np.tanh(t, out=t)
        expit(x, out=t2)
        np.multiply(t, t, out=o)
        np.subtract(1, o, out=o)
        o *= t2
        o *= x
        o += t
        o *= g

    def fwd_softsign(x, o, t, t2, m):
        np.abs(x, out=t)
        t += 1
        np.divide(x, t, out=o)

    def bwd_softsign(g, x, o, t, t2, m):
        np.abs(x, out=t)
        t += 1
        t *= t
        np.divide(g, t, out=o)

    def bwd_sigmoid(g, x, o, t, t2, m):
        expit(x, out=t)
        np.subtract(1, t, out=o)
        o *= t
        o *= g

    def bwd_tanh(g, x, o, t, t2, m):
        np.tanh(x, out=t)
        np.multiply(t, t, out=o)
        np.subtract(1, o, out=o)
        o *= g

    def fwd_logsigmoid(x, o, t, t2, m):
        np.negative(x, out=t)
        np.logaddexp(t, 0, out=o)
        np.negative(o, out=o)

    def bwd_logsigmoid(g, x, o, t, t2, m):
        np.negative(x, out=t)
        expit(t, out=t)
        np.multiply(g, t, out=o)

    def bwd_interval(lo, hi, scale=1.0):
        def f(g, x, o, t, t2, m):
            np.greater(x, lo, out=m)
            np.multiply(g, m, out=o)
            np.less(x, hi, out=m)
            o *= m
            if scale != 1:
                o *= scale
        return f

    def bwd_leaky(s):
        def f(g, x, o, t, t2, m):
            np.multiply(g, s, out=o)
            np.greater(x, 0, out=m)
            np.copyto(o, g, where=m)
        return f

    def fwd_leaky(s):
        def f(x, o, t, t2, m):
            np.multiply(x, s, out=t)
            np.maximum(x, t, out=o)
        return f

    def fwd_hardsigmoid(x, o, t, t2, m):
        np.add(x, 3, out=o)
        np.clip(o, 0, 6, out=o)
        o /= 6

    def fwd_hardswish(x, o, t, t2, m):
        np.add(x, 3, out=t)
        np.clip(t, 0, 6, out=t)
        np.multiply(x, t, out=o)
        o /= 6

    def bwd_hardswish(g, x, o, t, t2, m):
        np.multiply(x, 1 / 3, out=t)
        t += 0.5
        np.less(x, -3, out=m)
        np.copyto(t, 0, where=m)
        np.greater(x, 3, out=m)
        np.copyto(t, 1, where=m)
        np.multiply(g, t, out=o)

    def fwd_hardshrink(x, o, t, t2, m):
        np.abs(x, out=t)
        np.greater(t, 0.5, out=m)
        np.multiply(x, m, out=o)

    def bwd_shrink(g, x, o, t, t2, m):
        np.abs(x, out=t)
        np.greater(t, 0.5, out=m)
        np.multiply(g, m, out=o)

    def fwd_softshrink(x, o, t, t2, m):
        np.clip(x, -0.5, 0.5, out=t)
        np.subtract(x, t, out=o)

    def fwd_tanhshrink(x, o, t, t2, m):
        np.tanh(x, out=t)
        np.subtract(x, t, out=o)

    def bwd_tanhshrink(g, x, o, t, t2, m):
        np.tanh(x, out=t)
        t *= t
        np.multiply(g, t, out=o)

    def fwd_sqrelu(x, o, t, t2, m):
        np.maximum(x, 0, out=t)
        np.multiply(t, t, out=o)

    def bwd_sqrelu(g, x, o, t, t2, m):
        np.maximum(x, 0, out=t)
        t *= 2
        np.multiply(g, t, out=o)

    def bwd_softplus(g, x, o, t, t2, m):
        expit(x, out=o)
        o *= g

    return {
        "relu": (lambda x, o, t, t2, m: np.maximum(x, 0, out=o), bwd_interval(0, np.inf)),
        "relu6": (lambda x, o, t, t2, m: np.clip(x, 0, 6, out=o), bwd_interval(0, 6)),
        "leaky_relu": (fwd_leaky(0.01), bwd_leaky(0.01)),
        "prelu": (fwd_leaky(0.25), bwd_leaky(0.25)),
        "elu": (fwd_elu_like(1.0, 1.0, 1.0), bwd_elu_like(1.0, 1.0, 1.0)),
        "selu": (fwd_elu_like(SELU_ALPHA, SELU_SCALE, 1.0), bwd_elu_like(SELU_ALPHA, SELU_SCALE, 1.0)),
        "celu": (fwd_elu_like(1.0, 1.0, 1.0), bwd_elu_like(1.0, 1.0, 1.0)),
        "gelu": (fwd_gelu, bwd_gelu),
        "gelu_tanh": (fwd_gelu_tanh, bwd_gelu_tanh),
        "silu": (fwd_silu, bwd_silu),
        "mish": (fwd_mish, bwd_mish),
        "softplus": (lambda x, o, t, t2, m: np.logaddexp(x, 0, out=o), bwd_softplus),
        "softsign": (fwd_softsign, bwd_softsign),
        "sigmoid": (lambda x, o, t, t2, m: expit(x, out=o), bwd_sigmoid),
        "tanh": (lambda x, o, t, t2, m: np.tanh(x, out=o), bwd_tanh),
        "logsigmoid": (fwd_logsigmoid, bwd_logsigmoid),
        "hardtanh": (lambda x, o, t, t2, m: np.clip(x, -1, 1, out=o), bwd_interval(-1, 1)),
        "hardsigmoid": (fwd_hardsigmoid, bwd_interval(-3, 3, 1 / 6)),
        "hardswish": (fwd_hardswish, bwd_hardswish),
        "hardshrink": (fwd_hardshrink, bwd_shrink),
        "softshrink": (fwd_softshrink, bwd_shrink),
        "tanhshrink": (fwd_tanhshrink, bwd_tanhshrink),
        "squared_relu": (fwd_sqrelu, bwd_sqrelu),
    }


# ---------------------------------------------------------------------------------------------
# PyTorch: out= kernels into preallocated tensors; backward as autograd calls it.
def _torch_impls(torch):
    nn, A = torch._C._nn, torch.ops.aten
    w = {}

    def weight(x):
        key = x.dtype
        if key not in w:
            w[key] = torch.full((1,), 0.25, dtype=x.dtype)
        return w[key]

    def fwd_sqrelu(x, o, t):
        A.relu.out(x, out=t)
        torch.mul(t, t, out=o)

    def bwd_sqrelu(g, x, y, o, t):
        A.relu.out(x, out=t)
        t.mul_(2)
        torch.mul(g, t, out=o)

    def fwd_softsign(x, o, t):
        torch.abs(x, out=t)
        t.add_(1)
        torch.div(x, t, out=o)

    def bwd_softsign(g, x, y, o, t):
        torch.abs(x, out=t)
        t.add_(1)
        t.mul_(t)
        torch.div(g, t, out=o)

    def fwd_tanhshrink(x, o, t):
        torch.tanh(x, out=t)
        torch.sub(x, t, out=o)

    def bwd_tanhshrink(g, x, y, o, t):
        torch.tanh(x, out=t)
        t.mul_(t)
        torch.mul(g, t, out=o)

    def elu(alpha, scale, inv):
        return (lambda x, o, t: nn.elu(x, alpha, scale, inv, out=o),
                lambda g, x, y, o, t: A.elu_backward.grad_input(g, alpha, scale, inv, False, x,
                                                               grad_input=o))

    return {
        # (forward(x, out, tmp), backward(g, x, y, out, tmp), needs y, needs log-sigmoid buffer)
        "relu": (lambda x, o, t: A.relu.out(x, out=o),
                 lambda g, x, y, o, t: A.threshold_backward.grad_input(g, y, 0, grad_input=o)),
        "relu6": (lambda x, o, t: nn.hardtanh(x, 0.0, 6.0, out=o),
                  lambda g, x, y, o, t: A.hardtanh_backward.grad_input(g, x, 0.0, 6.0, grad_input=o)),
        "leaky_relu": (lambda x, o, t: nn.leaky_relu(x, 0.01, out=o),
                       lambda g, x, y, o, t: A.leaky_relu_backward.grad_input(g, x, 0.01, False,
                                                                              grad_input=o)),
        "prelu": (lambda x, o, t: torch.prelu(x, weight(x)),
                  lambda g, x, y, o, t: A._prelu_kernel_backward(g, x, weight(x))),
        "elu": elu(1.0, 1.0, 1.0),
        "selu": elu(SELU_ALPHA, SELU_SCALE, 1.0),
        "celu": elu(1.0, 1.0, 1.0),
        "gelu": (lambda x, o, t: nn.gelu(x, approximate="none", out=o),
                 lambda g, x, y, o, t: A.gelu_backward.grad_input(g, x, approximate="none",
                                                                  grad_input=o)),
        "gelu_tanh": (lambda x, o, t: nn.gelu(x, approximate="tanh", out=o),
                      lambda g, x, y, o, t: A.gelu_backward.grad_input(g, x, approximate="tanh",
                                                                       grad_input=o)),
        "silu": (lambda x, o, t: nn.silu(x, out=o),
                 lambda g, x, y, o, t: A.silu_backward.grad_input(g, x, grad_input=o)),
        "mish": (lambda x, o, t: nn.mish(x, out=o),
                 lambda g, x, y, o, t: A.mish_backward(g, x)),
        "softplus": (lambda x, o, t: nn.softplus(x, 1.0, 20.0, out=o),
                     lambda g, x, y, o, t: A.softplus_backward.grad_input(g, x, 1.0, 20.0,
                                                                          grad_input=o)),
        "softsign": (fwd_softsign, bwd_softsign),
        "sigmoid": (lambda x, o, t: torch.sigmoid(x, out=o),
                    lambda g, x, y, o, t: A.sigmoid_backward.grad_input(g, y, grad_input=o)),
        "tanh": (lambda x, o, t: torch.tanh(x, out=o),
                 lambda g, x, y, o, t: A.tanh_backward.grad_input(g, y, grad_input=o)),
        "logsigmoid": (lambda x, o, t: nn.log_sigmoid(x, out=o),
                       lambda g, x, y, o, t: A.log_sigmoid_backward.grad_input(g, x, t,
                                                                               grad_input=o)),
        "hardtanh": (lambda x, o, t: nn.hardtanh(x, -1.0, 1.0, out=o),
                     lambda g, x, y, o, t: A.hardtanh_backward.grad_input(g, x, -1.0, 1.0,
                                                                          grad_input=o)),
        "hardsigmoid": (lambda x, o, t: nn.hardsigmoid(x, out=o),
                        lambda g, x, y, o, t: A.hardsigmoid_backward.grad_input(g, x, grad_input=o)),
        "hardswish": (lambda x, o, t: nn.hardswish(x, out=o),
                      lambda g, x, y, o, t: A.hardswish_backward.out(g, x, out=o)),
        "hardshrink": (lambda x, o, t: torch.hardshrink(x, 0.5, out=o),
                       lambda g, x, y, o, t: A.hardshrink_backward.grad_input(g, x, 0.5,
                                                                              grad_input=o)),
        "softshrink": (lambda x, o, t: nn.softshrink(x, 0.5, out=o),
                       lambda g, x, y, o, t: A.softshrink_backward.grad_input(g, x, 0.5,
                                                                              grad_input=o)),
        "tanhshrink": (fwd_tanhshrink, bwd_tanhshrink),
        "squared_relu": (fwd_sqrelu, bwd_sqrelu),
    }


def _jax_forward(jax):
    jnp, jnn = jax.numpy, jax.nn
    return {
        "relu": jnn.relu, "relu6": jnn.relu6,
        "leaky_relu": lambda x: jnn.leaky_relu(x, 0.01),
        "prelu": lambda x: jnp.where(x > 0, x, 0.25 * x),
        "elu": jnn.elu, "selu": jnn.selu, "celu": jnn.celu,
        "gelu": lambda x: jnn.gelu(x, approximate=False),
        "gelu_tanh": lambda x: jnn.gelu(x, approximate=True),
        "silu": jnn.silu,
        "mish": getattr(jnn, "mish", lambda x: x * jnp.tanh(jnn.softplus(x))),
        "softplus": jnn.softplus, "softsign": jnn.soft_sign, "sigmoid": jnn.sigmoid,
        "tanh": jnp.tanh, "logsigmoid": jnn.log_sigmoid, "hardtanh": jnn.hard_tanh,
        "hardsigmoid": jnn.hard_sigmoid, "hardswish": jnn.hard_swish,
        "hardshrink": lambda x: jnp.where(jnp.abs(x) > 0.5, x, 0.0),
        "softshrink": lambda x: x - jnp.clip(x, -0.5, 0.5),
        "tanhshrink": lambda x: x - jnp.tanh(x),
        "squared_relu": lambda x: jnn.relu(x) ** 2,
    }


# ---------------------------------------------------------------------------------------------
def _ulp_err(y, ref, dtype):
    """max |y - ref| in ULPs of ref rounded to dtype (NaN/inf where ref is finite -> inf)."""
    y = np.asarray(y).astype(np.float64)
    ref = np.asarray(ref, np.float64)
    tiny = np.finfo(dtype).tiny
    # subnormal reference results are left out (as in the anchors): ULPs there are absolute
    fin = np.isfinite(ref) & ((np.abs(ref) >= tiny) | (ref == 0))
    if not np.all(np.isfinite(y[fin])):
        return math.inf
    r = ref[fin]
    sp = np.spacing(np.abs(r).astype(dtype)).astype(np.float64)
    sp = np.maximum(sp, np.spacing(np.zeros((), dtype)).astype(np.float64))
    d = np.abs(y[fin] - r) / sp
    return float(d.max()) if d.size else 0.0


def _ulp_err_mp(y, ref_mp, dtype):
    import mpmath as mp

    worst = 0.0
    tiny = float(np.spacing(np.zeros((), dtype)))
    for yi, ri in zip(np.asarray(y, np.float64).ravel(), ref_mp):
        if not math.isfinite(yi):
            return math.inf
        rf = float(ri)
        if rf != 0 and abs(rf) < np.finfo(dtype).tiny:
            continue
        sp = max(float(np.spacing(abs(np.array(rf, dtype)))), tiny)
        worst = max(worst, float(abs(mp.mpf(yi) - ri)) / sp)
    return worst


def _accuracy_sample(dtype, n_dense):
    rng = np.random.default_rng(12345)
    tails = np.geomspace(1e-7, 1e4, n_dense // 4)
    x = np.concatenate([np.linspace(-30, 30, n_dense), tails, -tails,
                        rng.normal(0, 3, n_dense // 4)]).astype(dtype)
    g = rng.uniform(0.5, 2.0, x.size).astype(dtype)
    return x, g


def _median_times(impls, repeat):
    """Interleave the callables; return median seconds per call for each."""
    times = {k: [] for k in impls}
    keys = list(impls)
    for r in range(repeat):
        order = keys[r % len(keys):] + keys[: r % len(keys)]
        for k in order:
            t0 = time.perf_counter()
            impls[k]()
            times[k].append(time.perf_counter() - t0)
    return {k: statistics.median(v) for k, v in times.items()}


def _fmt_ns(v):
    if v is None:
        return "-"
    if isinstance(v, str):
        return v
    return f"{v:.3f}" if v < 10 else f"{v:.1f}" if v < 1000 else f"{v:.0f}"


def _fmt_ulp(v):
    if v is None:
        return "-"
    if isinstance(v, str):
        return v
    if math.isinf(v):
        return "inf"
    if v < 100:
        return f"{v:.1f}"
    return f"{v:.1e}"


def _parse_size(s):
    return int(float(s))


def main(argv=None):
    p = argparse.ArgumentParser(prog="python -m nonlin bench", description=__doc__.split("\n\n")[0])
    p.add_argument("--dtype", default="float32", choices=["float32", "float64"])
    p.add_argument("--size", default=1_000_000, type=_parse_size, help="elements (default 1e6)")
    p.add_argument("--threads", default=1, type=int, help="threads for nonlin and torch")
    p.add_argument("--all", action="store_true", help="every activation, not the default set")
    p.add_argument("--names", default=None, help="comma-separated activations to run")
    p.add_argument("--repeat", default=15, type=int, help="timed calls per implementation")
    p.add_argument("--no-torch", action="store_true")
    p.add_argument("--no-jax", action="store_true")
    p.add_argument("--no-accuracy", action="store_true", help="skip the ULP columns")
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["--"]:
        argv = argv[1:]
    args = p.parse_args(argv)
    if args.threads < 1 or args.size < 1 or args.repeat < 1:
        p.error("--threads, --size and --repeat must be positive")

    dtype = np.dtype(args.dtype)
    names = ALL if args.all else DEFAULT_SET
    if args.names:
        names = [n.strip() for n in args.names.split(",") if n.strip()]
        unknown = [n for n in names if n not in ALL]
        if unknown:
            p.error(f"unknown activation(s): {', '.join(unknown)}")

    # jax reads its thread settings at import time
    if not args.no_jax and args.threads == 1 and "XLA_FLAGS" not in os.environ:
        os.environ["XLA_FLAGS"] = ("--xla_cpu_multi_thread_eigen=false "
                                   "intra_op_parallelism_threads=1")
    import nonlin as nl

    nl.set_num_threads(args.threads)
    torch = jax = None
    if not args.no_torch:
        try:
            import torch  # noqa: F811
            torch.set_num_threads(args.threads)
        except Exception:
            torch = None
    if not args.no_jax:
        try:
            import jax  # noqa: F811
            if dtype == np.float64:
                jax.config.update("jax_enable_x64", True)
            jax.numpy.zeros(1).block_until_ready()
        except Exception:
            jax = None

    np_impls = _numpy_impls()
    t_impls = _torch_impls(torch) if torch is not None else {}
    j_fwd = _jax_forward(jax) if jax is not None else {}
    ref64 = _ref64()
    refmp = _refmp() if dtype == np.float64 and not args.no_accuracy else None

    n = args.size
    rng = np.random.default_rng(0)
    x = rng.normal(0.0, 3.0, n).astype(dtype)
    g = rng.normal(0.0, 1.0, n).astype(dtype)
    out = np.empty_like(x)
    t1, t2 = np.empty_like(x), np.empty_like(x)
    mask = np.empty(n, bool)
    if not args.no_accuracy:
        ax, ag = _accuracy_sample(dtype, 2000 if dtype == np.float64 else 40001)
        if dtype == np.float64:  # mpmath is slow: a smaller subsample
            ax, ag = ax[::7], ag[::7]
        mp_x = None
        if refmp is not None:
            import mpmath as mp
            mp.mp.dps = 50
            mp_x = [mp.mpf(float(v)) for v in ax]

    if torch is not None:
        tx, tg = torch.from_numpy(x), torch.from_numpy(g)
        to, tt = torch.empty_like(tx), torch.empty_like(tx)
    if jax is not None:
        jx, jg = jax.device_put(x), jax.device_put(g)

    cols = ["op", "dir", "nonlin", "numpy", "torch", "jax", "x torch"]
    if not args.no_accuracy:
        cols += ["ulp nonlin", "ulp numpy", "ulp torch", "ulp jax"]
    rows = []
    t_start = time.perf_counter()

    # memory-bandwidth anchor
    copy_impls = {"numpy": lambda: np.copyto(out, x)}
    if torch is not None:
        copy_impls["torch"] = lambda: to.copy_(tx)
    for f in copy_impls.values():
        f()
    med = _median_times(copy_impls, args.repeat)
    rows.append(["copy", "", "-", med["numpy"] / n * 1e9,
                 med["torch"] / n * 1e9 if "torch" in med else None, None, None]
                + ([None] * 4 if not args.no_accuracy else []))

    for name in names:
        act = getattr(nl, name, None)
        for direction in ("fwd", "bwd"):
            impls, accs = {}, {}
            # nonlin
            if act is not None:
                if direction == "fwd":
                    impls["nonlin"] = lambda act=act: act(x, out=out)
                    accs["nonlin"] = lambda act=act: act(ax)
                else:
                    impls["nonlin"] = lambda act=act: act.backward(g, x, out=out)
                    accs["nonlin"] = lambda act=act: act.backward(ag, ax)
            # numpy / scipy composite
            nf, nb = np_impls[name]
            if direction == "fwd":
                impls["numpy"] = lambda nf=nf: nf(x, out, t1, t2, mask)

                def acc_np(nf=nf):
                    o, s1, s2, m = (np.empty_like(ax), np.empty_like(ax), np.empty_like(ax),
                                    np.empty(ax.size, bool))
                    with np.errstate(all="ignore"):
                        nf(ax, o, s1, s2, m)
                    return o
            else:
                impls["numpy"] = lambda nb=nb: nb(g, x, out, t1, t2, mask)

                def acc_np(nb=nb):
                    o, s1, s2, m = (np.empty_like(ax), np.empty_like(ax), np.empty_like(ax),
                                    np.empty(ax.size, bool))
                    with np.errstate(all="ignore"):
                        nb(ag, ax, o, s1, s2, m)
                    return o
            accs["numpy"] = acc_np
            # torch
            if name in t_impls:
                tf, tb = t_impls[name]
                if direction == "fwd":
                    impls["torch"] = lambda tf=tf: tf(tx, to, tt)

                    def acc_t(tf=tf):
                        a = torch.from_numpy(ax)
                        o, s = torch.empty_like(a), torch.empty_like(a)
                        r = tf(a, o, s)
                        return (r if r is not None else o).numpy()
                else:
                    ty = torch.empty_like(tx)
                    tf(tx, ty, tt)
                    if name == "logsigmoid":
                        tt = torch.ops.aten.log_sigmoid_forward(tx)[1]
                    impls["torch"] = lambda tb=tb, ty=ty, tt=tt: tb(tg, tx, ty, to, tt)

                    def acc_t(tf=tf, tb=tb):
                        a, ga = torch.from_numpy(ax), torch.from_numpy(ag)
                        o, s, y = torch.empty_like(a), torch.empty_like(a), torch.empty_like(a)
                        tf(a, y, s)
                        if name == "logsigmoid":
                            s = torch.ops.aten.log_sigmoid_forward(a)[1]
                        r = tb(ga, a, y, o, s)
                        if isinstance(r, tuple):
                            r = r[0]
                        return r.numpy()
                    tt = torch.empty_like(tx)
                accs["torch"] = acc_t
            # jax
            if name in j_fwd:
                jf = j_fwd[name]
                if direction == "fwd":
                    jfn = jax.jit(jf)
                    impls["jax"] = lambda jfn=jfn: jfn(jx).block_until_ready()
                    accs["jax"] = lambda jfn=jfn: np.asarray(jfn(jax.device_put(ax)))
                else:
                    jfn = jax.jit(lambda gg, xx, jf=jf: jax.vjp(jf, xx)[1](gg)[0])
                    impls["jax"] = lambda jfn=jfn: jfn(jg, jx).block_until_ready()
                    accs["jax"] = lambda jfn=jfn: np.asarray(jfn(jax.device_put(ag),
                                                                  jax.device_put(ax)))
            # warm up (compiles jax), drop anything that fails
            failed = {}
            for k in list(impls):
                try:
                    with np.errstate(all="ignore"):
                        impls[k]()
                        impls[k]()
                except Exception as e:  # pragma: no cover - depends on installed versions
                    failed[k] = "err"
                    print(f"# {name} {direction} {k}: {type(e).__name__}: {e}", file=sys.stderr)
                    del impls[k]
            with np.errstate(all="ignore"):
                med = _median_times(impls, args.repeat)
            ns = {k: v / n * 1e9 for k, v in med.items()}
            ns.update(failed)
            ratio = None
            if isinstance(ns.get("nonlin"), float) and isinstance(ns.get("torch"), float):
                ratio = f"{ns['torch'] / ns['nonlin']:.2f}x"
            row = [name, direction] + [ns.get(k) for k in ("nonlin", "numpy", "torch", "jax")] + [ratio]
            if not args.no_accuracy:
                fidx = 0 if direction == "fwd" else 1
                if refmp is None:
                    ref = ref64[name][fidx](ax.astype(np.float64))
                    if direction == "bwd":
                        ref = ag.astype(np.float64) * ref
                else:
                    fmp = refmp[name][fidx]
                    ref = [mp.mpf(fmp(v)) for v in mp_x]
                    if direction == "bwd":
                        ref = [mp.mpf(float(gv)) * r for gv, r in zip(ag, ref)]
                for k in ("nonlin", "numpy", "torch", "jax"):
                    if k not in accs or k in failed:
                        row.append(failed.get(k))
                        continue
                    try:
                        with np.errstate(all="ignore"):
                            y = accs[k]()
                        row.append(_ulp_err(y, ref, dtype) if refmp is None
                                   else _ulp_err_mp(y, ref, dtype))
                    except Exception as e:  # pragma: no cover
                        print(f"# accuracy {name} {direction} {k}: {e}", file=sys.stderr)
                        row.append("err")
            rows.append(row)

    elapsed = time.perf_counter() - t_start
    _print(rows, cols, args, dtype, nl, torch, jax, elapsed)
    return 0


def _print(rows, cols, args, dtype, nl, torch, jax, elapsed):
    cells = []
    for r in rows:
        c = [r[0], r[1]] + [_fmt_ns(v) for v in r[2:6]] + [r[6] or "-"]
        if len(r) > 7:
            c += [_fmt_ulp(v) for v in r[7:]]
        cells.append(c)
    widths = [max(len(cols[i]), *(len(c[i]) for c in cells)) for i in range(len(cols))]
    try:
        simd = nl.simd_level()
    except Exception:
        simd = "?"
    vers = [f"nonlin {getattr(nl, '__version__', '?')} ({simd})", f"numpy {np.__version__}"]
    if torch is not None:
        vers.append(f"torch {torch.__version__}")
    if jax is not None:
        vers.append(f"jax {jax.__version__}")
    print(f"nonlin bench: {dtype.name}, {args.size:.3g} elements, {args.threads} thread(s), "
          f"median of {args.repeat}; {platform.machine()}, {os.cpu_count()} cpus")
    print("; ".join(vers))
    print("times in ns/element (lower is better); 'x torch' = torch time / nonlin time")
    if not args.no_accuracy:
        ref = "float64 numpy/scipy" if dtype == np.float32 else "mpmath 50 digits"
        print(f"ulp = max error in ULP of the result vs {ref} (backward: grad * f'); "
              "subnormal results excluded")
    line = "  ".join(cols[i].ljust(widths[i]) if i < 2 else cols[i].rjust(widths[i])
                     for i in range(len(cols)))
    print(line)
    print("-" * len(line))
    for c in cells:
        print("  ".join(c[i].ljust(widths[i]) if i < 2 else c[i].rjust(widths[i])
                        for i in range(len(cols))))
    print(f"({elapsed:.1f} s)")


if __name__ == "__main__":
    sys.exit(main())
