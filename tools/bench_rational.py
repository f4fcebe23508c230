"""Rational (5,4) activation, forward + backward with coefficient gradients, side by side:
nonlin vs a torch.compile'd Horner implementation, the same Horner in eager torch, and an eager
reimplementation of rational_activations' CPU path (it builds a tensor of the powers of x and
reduces it; the package itself pins torch 1.7.1 and cannot be installed next to torch 2.x).

    python tools/bench_rational.py [--n 1000000] [--repeat 15] [--threads 1] [--dtype float32]

Prints a markdown table: ms per forward+backward (median and min over 3 rounds of `repeat`
calls), ns/element (median) and each implementation's median time relative to nonlin's. Used for the README table and by asv_bench.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

# (5,4) version A coefficients (nonlin's gelu preset region; any values work for timing)
NUM = [-0.0012424, 0.5080497, 0.4158636, 0.1302272, 0.0243559, 0.0029028]
DEN = [-0.0667502, 0.1792765, 0.0374668, 1.66e-10]


def torch_horner(torch, version):
    """Horner P/Q written with torch ops (autograd for the gradients)."""
    def f(x, a, b):
        p = a[-1]
        for j in range(a.shape[0] - 2, -1, -1):
            p = p * x + a[j]
        z = x.abs() if version == "A" else x
        c = b.abs() if version == "A" else b
        h = c[-1]
        for k in range(b.shape[0] - 2, -1, -1):
            h = h * z + c[k]
        h = h * z
        q = 1 + (h if version == "A" else h.abs())
        return p / q
    return f


def torch_powers(torch, version):
    """rational_activations' CPU path (Rational_PYTORCH_{A,B}_F): stack the powers of x, then
    weighted sums over them. Reimplemented in eager torch 2.x (labelled a proxy)."""
    def f(x, a, b):
        z = x.reshape(-1)
        K = max(a.shape[0], b.shape[0] + 1)
        xps = [torch.ones_like(z), z]
        for _ in range(K - 2):
            xps.append(xps[-1] * z)
        xps = torch.stack(xps, 1)
        num = (xps[:, : a.shape[0]] * a).sum(1)
        if version == "A":
            den = 1 + (xps[:, 1: b.shape[0] + 1] * b).abs().sum(1)
        else:
            den = 1 + (xps[:, 1: b.shape[0] + 1] * b).sum(1).abs()
        return (num / den).reshape(x.shape)
    return f


def implementations(version, n, dtype, with_torch=True):
    import nonlin as nl
    rng = np.random.default_rng(0)
    x = rng.normal(0.0, 1.0, n).astype(dtype)
    g = rng.normal(0.0, 1.0, n).astype(dtype)
    a = np.array(NUM, dtype)
    b = np.array(DEN, dtype)

    def nonlin_step():  # fresh outputs, like autograd's (no out=)
        nl.rational(x, a, b, version)
        return nl.rational.backward(g, x, a, b, version)

    impls = {"nonlin": nonlin_step}
    if not with_torch:
        return impls
    try:
        import torch
    except ImportError:
        return impls
    tx = torch.from_numpy(x).requires_grad_(True)
    tg = torch.from_numpy(g)
    ta = torch.from_numpy(a).requires_grad_(True)
    tb = torch.from_numpy(b).requires_grad_(True)

    def make(fn):
        def step():
            for t in (tx, ta, tb):
                t.grad = None
            fn(tx, ta, tb).backward(tg)
            return tx.grad, ta.grad, tb.grad
        return step

    impls["torch.compile Horner"] = make(torch.compile(torch_horner(torch, version), dynamic=False))
    impls["eager torch Horner"] = make(torch_horner(torch, version))
    impls["eager stacked powers (rational_activations CPU path, proxy)"] = make(torch_powers(torch, version))
    return impls


def measure(impls, repeat, rounds=3):
    """Median and min over rounds x repeat calls. Each implementation runs its calls back to
    back (warm: interleaving with the memory-hungry eager versions would make the others page-
    fault), and the rounds alternate between implementations to spread the machine's load."""
    for fn in impls.values():  # warm-up (and torch.compile)
        fn()
        fn()
    times = {k: [] for k in impls}
    for _ in range(rounds):
        for k, fn in impls.items():
            fn()
            for _ in range(repeat):
                t = time.perf_counter()
                fn()
                times[k].append(time.perf_counter() - t)
    return {k: (float(np.median(v)), float(np.min(v))) for k, v in times.items()}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=15)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--dtype", default="float32")
    ap.add_argument("--versions", default="AB")
    args = ap.parse_args()
    import nonlin as nl
    nl.set_num_threads(args.threads)
    try:
        import torch
        torch.set_num_threads(args.threads)
        tv = torch.__version__
    except ImportError:
        tv = "not installed"
    print(f"(5,4), {args.n:g} {args.dtype}, {args.threads} thread(s), forward + backward with "
          f"coefficient gradients; nonlin SIMD {nl.simd_level()}, torch {tv}\n")
    print("| version | implementation | ms (median) | ms (min) | ns/element | time / nonlin |")
    print("|---|---|---|---|---|---|")
    for v in args.versions:
        res = measure(implementations(v, args.n, args.dtype), args.repeat)
        base = res["nonlin"][0]
        for k, (med, mn) in res.items():
            print(f"| {v} | {k} | {med * 1e3:.2f} | {mn * 1e3:.2f} | {med * 1e9 / args.n:.2f} | "
                  f"{med / base:.1f}x |")


if __name__ == "__main__":
    main()
