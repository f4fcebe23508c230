"""Plain PyTorch implementations of the activations from the literature, written from the papers
the way their users run them today (eager ops, autograd for every gradient): the speed anchor of
tools/bench_literature.py and asv_bench/benchmarks/bench_literature.py, and an independent
cross-check of nonlin's gradients in tests/test_literature.py."""

import math

import torch


def golu(x, alpha, beta, gamma):
    return alpha * x * torch.exp(-beta * torch.exp(-gamma * x))


def aptx(x, alpha, beta, gamma):
    return (alpha + torch.tanh(beta * x)) * gamma * x


def xsilu(x, alpha):
    return x * (torch.sigmoid(x) * (1 + 2 * alpha) - alpha)


def xgelu(x, alpha):
    return x * (torch.erf(x / math.sqrt(2)) * (0.5 + alpha) + 0.5)


def xatlu(x, alpha):
    return x * (torch.atan(x) * (1 + 2 * alpha) / math.pi + 0.5)


def snake(x, a):
    return x + torch.sin(a * x) ** 2 / a


def snake_beta(x, alpha, beta):
    return x + torch.sin(alpha * x) ** 2 / beta


def sine(x, w0):
    return torch.sin(w0 * x)


def tempered_sigmoid(x, scale, temperature, offset):
    return scale * torch.sigmoid(temperature * x) - offset


def apa(x, kappa, lambd):
    # the AGLU repository's stable form: exp(softplus(kappa x - log lambda, beta=-1) / lambda)
    return torch.exp(torch.nn.functional.softplus(kappa * x - torch.log(lambd), beta=-1) / lambd)


def aglu(x, kappa, lambd):
    return x * apa(x, kappa, lambd)


def smelu(x, beta):
    return torch.where(x >= beta, x, torch.where(x <= -beta, torch.zeros_like(x), (x + beta) ** 2 / (4 * beta)))


def gsmelu(x, alpha, beta, negative_slope, slope, offset):
    s = alpha + beta
    r = torch.where(x >= beta, x + (alpha - beta) / 2,
                    torch.where(x <= -alpha, torch.zeros_like(x), (x + alpha) ** 2 / (2 * s)))
    return negative_slope * x + offset + (slope - negative_slope) * r


def crrelu(x, eps):
    return torch.relu(x) + eps * x * torch.exp(-x * x / 2)


def sau(x, alpha, n):
    return ((1 - alpha) / (n * math.sqrt(2 * math.pi)) * torch.exp(-(n * x) ** 2 / 2)
            + (1 + alpha) * x / 2 + (1 - alpha) * x / 2 * torch.erf(n * x / math.sqrt(2)))


def clipped_relu(x, bound):
    return torch.minimum(torch.relu(x), bound)


def cauchy(x, lambda1, lambda2, d):
    return (lambda1 * x + lambda2) / (x * x + d * d)


def elephant(x, a, h, d=4.0):
    return h / (1 + torch.abs(x / a) ** d)


FUNCTIONS = {f.__name__: f for f in (golu, aptx, xsilu, xgelu, xatlu, tempered_sigmoid, apa, aglu,
                                     smelu, gsmelu, crrelu, sau, clipped_relu, cauchy, elephant,
                                     snake, snake_beta, sine)}


def call(name, x, params, learnable=()):
    """y = f(x) with the parameters as tensors (learnable ones requiring grad); returns
    (y, {name: tensor})."""
    ps = {k: torch.tensor(v, dtype=x.dtype, requires_grad=k in learnable) for k, v in params.items()
          if not (name == "elephant" and k == "d")}
    extra = {"d": params["d"]} if name == "elephant" else {}
    return FUNCTIONS[name](x, **ps, **extra), ps
