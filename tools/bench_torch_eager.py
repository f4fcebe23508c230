"""nonlin.torch per-call cost: torch's own activation, nonlin through its registered custom op
(forced by switching the eager fast path off for that call) and nonlin's eager fast path,
side by side in one run (float32, one thread, median microseconds per call).

    python tools/bench_torch_eager.py          # per call
    python tools/bench_torch_eager.py --mlp    # per training step of a small MLP
"""

import sys

import time

import numpy as np
import torch

import nonlin as nl
import nonlin.torch as nt

F = torch.nn.functional


def medians(fns, rounds):
    """Median time of each function (µs) over interleaved rounds."""
    times = [[] for _ in fns]
    for fn in fns:
        fn()
    for _ in range(rounds):
        for t, fn in zip(times, fns):
            t0 = time.perf_counter()
            fn()
            t.append(time.perf_counter() - t0)
    return [float(np.median(t)) * 1e6 for t in times]


def through_custom_op(fn):
    """fn with nonlin.torch's eager fast path switched off (the registered ops run)."""
    def run():
        eager = nt._eager
        nt._eager = lambda *a: False
        try:
            return fn()
        finally:
            nt._eager = eager
    return run


def halves_silu(t):
    a, b = t.chunk(2, -1)
    return a * F.silu(b)


CASES = {
    "gelu": (F.gelu, nt.gelu),
    "silu": (F.silu, nt.silu),
    "PReLU module (1 parameter)": (torch.nn.PReLU(), nt.PReLU()),
    "swiglu": (halves_silu, nt.swiglu),
}


def mlp_steps():
    """Best-of-30 µs per SGD step of an MLP 256-512-512-10 with two activation layers, torch's
    activation module against nonlin's, batch 32 and 256."""
    for batch in (32, 256):
        x, y = torch.randn(batch, 256), torch.randint(0, 10, (batch,))
        for name in ("GELU", "SiLU", "Tanh"):
            res = []
            for act in (getattr(torch.nn, name), getattr(nt, name)):
                torch.manual_seed(0)
                m = torch.nn.Sequential(torch.nn.Linear(256, 512), act(), torch.nn.Linear(512, 512),
                                        act(), torch.nn.Linear(512, 10))
                opt = torch.optim.SGD(m.parameters(), lr=0.01)

                def step():
                    opt.zero_grad()
                    F.cross_entropy(m(x), y).backward()
                    opt.step()
                for _ in range(5):
                    step()
                best = float("inf")
                for _ in range(30):
                    t0 = time.perf_counter()
                    step()
                    best = min(best, time.perf_counter() - t0)
                res.append(best * 1e6)
            print(f"batch {batch} {name}: torch {res[0]:.0f} us, nonlin {res[1]:.0f} us per step")


def main():
    torch.set_num_threads(1)
    nl.set_num_threads(1)
    if "--mlp" in sys.argv[1:]:
        return mlp_steps()
    print("| activation | n | direction | torch | nonlin via custom op | nonlin eager path | torch / nonlin eager |")
    print("|---|---|---|---|---|---|---|")
    for name, (native, ours) in CASES.items():
        for n in (1_000, 10_000, 1_000_000):
            x = torch.randn(n // 64, 64)
            xr = x.clone().requires_grad_(True)
            g = torch.randn_like(native(x)).detach()
            rounds = 400 if n < 1_000_000 else 25
            fwd = medians([lambda: native(x), through_custom_op(lambda: ours(x)), lambda: ours(x)], rounds)
            bwd = medians([lambda: torch.autograd.grad(native(xr), xr, g),
                           through_custom_op(lambda: torch.autograd.grad(ours(xr), xr, g)),
                           lambda: torch.autograd.grad(ours(xr), xr, g)], rounds)
            for direction, (a, b, c) in (("fwd", fwd), ("fwd+bwd", bwd)):
                print(f"| {name} | {n:.0e} | {direction} | {a:.1f} | {b:.1f} | {c:.1f} | {a / c:.2f}x |")


if __name__ == "__main__":
    main()
