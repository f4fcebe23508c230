"""Plain PyTorch implementations of the normalising activations, written from the papers the
way their users run them (eager, autograd): the speed anchor of tools/bench_normalizing.py and
an independent cross-check of nonlin's gradients there."""

import torch


def polynorm(x, weight, bias, eps=1e-6):
    # the official PolyCom module's formula (weight[0] multiplies the highest power)
    r = weight.shape[0]
    norm = lambda u: u * torch.rsqrt(u.pow(2).mean(-1, keepdim=True) + eps)
    return sum(weight[j] * norm(x ** (r - j)) for j in range(r)) + bias


def ash(x, zk, alpha=1.0, eps=1e-6):
    mu = x.mean(-1, keepdim=True)
    sd = torch.sqrt(x.var(-1, unbiased=False, keepdim=True) + eps)
    return x * torch.sigmoid(alpha * (x - mu - zk * sd))


def hard_ash(x, zk=0.0, eps=1e-6):
    mu = x.mean(-1, keepdim=True)
    sd = torch.sqrt(x.var(-1, unbiased=False, keepdim=True) + eps)
    return x * (x >= mu + zk * sd).to(x.dtype)


def velu(x, scale, alpha=1.0, beta1=1.0, beta2=0.5, gamma=0.5, mu=1.0, eps=1e-3):
    sd = torch.sqrt(x.var(-1, unbiased=False, keepdim=True) + eps)
    gate = torch.sigmoid(alpha * (torch.atan(beta1 * x) + torch.asin(torch.clamp(beta2 * x, -1, 1))))
    return scale * (1 + gamma * torch.tanh(mu * sd)) * x * gate


def call(name, x, params):
    """(output, learnable parameter tensors by name) with nonlin's parameter names."""
    p = {k: torch.tensor(v, dtype=x.dtype, requires_grad=(k in LEARNABLE[name]))
         for k, v in params.items()}
    return globals()[name](x, **p), {k: p[k] for k in LEARNABLE[name]}


LEARNABLE = {"polynorm": ("weight", "bias"), "ash": ("zk",), "hard_ash": (), "velu": ("scale",)}
