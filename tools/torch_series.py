"""The coefficient-vector activations written in plain PyTorch the way their users run them
(torchortho's Hermite / Fourier / tropical modules, the PolyCom PolyReLU): eager ops, autograd
for every gradient. The reference for tools/bench_series.py and tests/test_series.py.

call(name, x, arrays) -> (y, [parameter tensors with requires_grad]).
"""

import math

import torch


def hermite(x, c):
    # He_{k+1} = x He_k - k He_{k-1}; f = sum_k c_k He_k / k!
    h0, h1 = torch.ones_like(x), x
    y = c[0] * h0
    if c.numel() > 1:
        y = y + c[1] * h1
    for k in range(1, c.numel() - 1):
        h0, h1 = h1, x * h1 - k * h0
        y = y + c[k + 1] * h1 / math.factorial(k + 1)
    return y


def fourier(x, fundamental, coefficients, frequencies, phases):
    y = fundamental[0] + torch.zeros_like(x)
    for k in range(coefficients.numel()):
        y = y + coefficients[k] * torch.cos(frequencies[k] * x - phases[k]) / math.factorial(k + 1)
    return y


def tropical(x, coefficients):
    d = coefficients.numel() - 1
    k = torch.arange(d + 1, dtype=x.dtype)
    return math.sqrt(2) / d * torch.max(x[..., None] * k + coefficients, dim=-1).values


def tropical_rational(x, num_slopes, num_intercepts, den_slopes, den_intercepts):
    xe = x[..., None]
    return (torch.max(xe * num_slopes + num_intercepts, dim=-1).values
            - torch.max(xe * den_slopes + den_intercepts, dim=-1).values)


def polyrelu(x, weight, bias):
    u = torch.relu(x)
    r = weight.numel()
    return sum(weight[i] * u ** (r - i) for i in range(r)) + bias[0]


def call(name, x, arrays):
    params = [torch.tensor(a, dtype=x.dtype, requires_grad=True) for a in arrays]
    return globals()[name](x, *params), params
