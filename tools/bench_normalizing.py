"""Speed of the normalising activations against a plain PyTorch implementation (eager,
autograd; tools/torch_normalizing.py), measured side by side in one run; also checks that
both give the same values and gradients before timing.

    PYTHONPATH=python:tools python tools/bench_normalizing.py [--rows 256] [--n 4096]
        [--dtype float32] [--threads 1] [--repeat 15]
"""

import argparse

import numpy as np
import torch

import nonlin as nl
import torch_normalizing as tn
from timing import best_times

NAMES = ("polynorm", "ash", "hard_ash", "velu")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=256)
    ap.add_argument("--n", type=int, default=4096)
    ap.add_argument("--dtype", default="float32")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--repeat", type=int, default=15)
    a = ap.parse_args(argv)
    torch.set_num_threads(a.threads)
    nl.set_num_threads(a.threads)
    rng = np.random.default_rng(0)
    x = rng.standard_normal((a.rows, a.n)).astype(a.dtype)
    g = rng.standard_normal((a.rows, a.n)).astype(a.dtype)
    xt, gt = torch.from_numpy(x), torch.from_numpy(g)
    size = x.size
    print(f"{a.rows} x {a.n} {a.dtype}, {a.threads} thread(s), simd={nl.simd_level()}; "
          f"ns/element (best of {a.repeat}), ratio = torch / nonlin")
    print(f"| activation | nonlin fwd | torch fwd | ratio | nonlin fwd+bwd | torch fwd+bwd | ratio |")
    print("|---|---|---|---|---|---|---|")
    for name in NAMES:
        act = getattr(nl, name)
        params = dict(act.params)

        def torch_fwd():
            with torch.no_grad():
                tn.call(name, xt, params)

        def torch_fwd_bwd():
            xr = xt.detach().requires_grad_(True)
            y, _ = tn.call(name, xr, params)
            y.backward(gt)

        def nl_fwd():
            act(x, **params)

        def nl_fwd_bwd():
            act(x, **params)
            act.grads(g, x, **params)

        # same numbers first (float32 tolerance: torch's own rounding)
        xr = xt.detach().double().requires_grad_(True)
        y, P = tn.call(name, xr, params)
        y.backward(gt.double())
        gx, pg = act.grads(g.astype(np.float64), x.astype(np.float64), **params)
        assert np.allclose(act(x.astype(np.float64), **params), y.detach().numpy(), rtol=1e-12, atol=1e-12)
        assert np.allclose(gx, xr.grad.numpy(), rtol=1e-10, atol=1e-10)
        for k in pg:
            assert np.allclose(pg[k], P[k].grad.numpy(), rtol=1e-9), (name, k)

        t = [v * 1e9 / size for v in best_times((nl_fwd, torch_fwd, nl_fwd_bwd, torch_fwd_bwd),
                                                  a.repeat)]
        print(f"| {name} | {t[0]:.2f} | {t[1]:.2f} | {t[1] / t[0]:.1f}x | {t[2]:.2f} | {t[3]:.2f} | "
              f"{t[3] / t[2]:.1f}x |")


if __name__ == "__main__":
    main()
