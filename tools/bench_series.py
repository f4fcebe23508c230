"""Speed of the coefficient-vector activations against plain PyTorch (eager, autograd;
tools/torch_series.py), side by side in one run, at the paper initialisations; checks that
both give the same values and gradients before timing.

    PYTHONPATH=python:tools python tools/bench_series.py [--n 1000000] [--dtype float32]
        [--threads 1] [--repeat 15]
"""

import argparse

import numpy as np
import torch

import nonlin as nl
import torch_series as ts
from timing import best_times

NAMES = ("hermite", "fourier", "tropical", "tropical_rational", "polyrelu")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=1_000_000)
    ap.add_argument("--dtype", default="float32")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--repeat", type=int, default=15)
    a = ap.parse_args(argv)
    torch.set_num_threads(a.threads)
    nl.set_num_threads(a.threads)
    rng = np.random.default_rng(0)
    x = (rng.standard_normal(a.n) * 2).astype(a.dtype)
    g = rng.standard_normal(a.n).astype(a.dtype)
    xt, gt = torch.from_numpy(x), torch.from_numpy(g)
    print(f"{a.n} {a.dtype}, {a.threads} thread(s), simd={nl.simd_level()}; ns/element "
          f"(best of {a.repeat}), ratio = torch / nonlin; fwd+bwd includes the array gradients")
    print("| activation | degree | nonlin fwd | torch fwd | ratio | nonlin fwd+bwd | torch fwd+bwd | ratio |")
    print("|---|---|---|---|---|---|---|---|")
    for name in NAMES:
        act = getattr(nl, name)
        arrays = [v.astype(a.dtype) for v in act.initial().values()]

        def torch_fwd():
            with torch.no_grad():
                ts.call(name, xt, arrays)

        def torch_fwd_bwd():
            xr = xt.detach().requires_grad_(True)
            y, _ = ts.call(name, xr, arrays)
            y.backward(gt)

        def nl_fwd():
            act(x, *arrays)

        def nl_fwd_bwd():
            act(x, *arrays)
            act.backward(g, x, *arrays)

        x64 = torch.from_numpy(x.astype(np.float64)).requires_grad_(True)
        y, P = ts.call(name, x64, arrays)
        y.backward(gt.double())
        gx, *grads = act.backward(g.astype(np.float64), x.astype(np.float64), *arrays)
        assert np.allclose(act(x.astype(np.float64), *arrays), y.detach().numpy(), rtol=1e-12, atol=1e-12)
        assert np.allclose(gx, x64.grad.numpy(), rtol=1e-10, atol=1e-10)
        for p, gp in zip(P, grads):
            assert np.allclose(gp, p.grad.numpy(), rtol=1e-9, atol=1e-9 * a.n), name

        t = [v * 1e9 / a.n for v in best_times((nl_fwd, torch_fwd, nl_fwd_bwd, torch_fwd_bwd), a.repeat)]
        print(f"| {name} | {act.default_degree} | {t[0]:.2f} | {t[1]:.2f} | {t[1] / t[0]:.1f}x | "
              f"{t[2]:.2f} | {t[3]:.2f} | {t[3] / t[2]:.1f}x |")


if __name__ == "__main__":
    main()
