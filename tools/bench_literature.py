"""Speed of the activations from the literature against a plain PyTorch implementation written
from the papers (eager, autograd; tools/torch_literature.py), measured side by side in one run;
also checks that both give the same values and gradients (float64) before timing.

    PYTHONPATH=tools python tools/bench_literature.py [--n 1000000] [--dtype float32]
        [--threads 1] [--repeat 15] [--trained] [NAME ...]
"""

import argparse

import numpy as np
import torch

import nonlin as nl
import torch_literature as tl
from timing import best_times


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("names", nargs="*", default=list(tl.FUNCTIONS))
    ap.add_argument("--n", type=int, default=1_000_000)
    ap.add_argument("--dtype", default="float32")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--repeat", type=int, default=15)
    ap.add_argument("--trained", action="store_true",
                    help="learnable parameters at 0.9 x their defaults (as after some training: "
                         "APA / AGLU leave their lambd = 1 sigmoid shortcut)")
    a = ap.parse_args(argv)
    torch.set_num_threads(a.threads)
    nl.set_num_threads(a.threads)
    rng = np.random.default_rng(0)
    x = (3 * rng.standard_normal(a.n)).astype(a.dtype)
    g = rng.standard_normal(a.n).astype(a.dtype)
    xt, gt = torch.from_numpy(x), torch.from_numpy(g)
    print(f"{a.n} {a.dtype}, {a.threads} thread(s), simd={nl.simd_level()}; "
          f"ns/element (best of {a.repeat}), ratio = torch / nonlin; fwd+bwd includes every "
          f"learnable parameter's gradient")
    print("| activation | nonlin fwd | torch fwd | ratio | nonlin fwd+bwd | torch fwd+bwd | ratio |")
    print("|---|---|---|---|---|---|---|")
    for name in a.names:
        act = getattr(nl, name)
        params = {k: v * 0.9 if a.trained and k in act.learnable else v for k, v in act.params.items()}

        def torch_fwd():
            with torch.no_grad():
                tl.call(name, xt, params)

        def torch_fwd_bwd():
            xr = xt.detach().requires_grad_(True)
            y, _ = tl.call(name, xr, params, act.learnable)
            y.backward(gt)

        def nl_fwd():
            act(x, **params)

        def nl_fwd_bwd():
            act(x, **params)
            act.vjp(g, x, **params)  # grad_x and every parameter's gradient in one pass

        # same numbers first (float64, away from kinks; torch's formulas are the papers')
        x64 = np.linspace(-4, 4, 1001) + 1e-3
        xr = torch.from_numpy(x64).requires_grad_(True)
        g64 = np.cos(x64)
        y, P = tl.call(name, xr, params, act.learnable)
        y.backward(torch.from_numpy(g64))
        assert np.allclose(act(x64, **params), y.detach().numpy(), rtol=1e-9, atol=1e-12), name
        assert np.allclose(act.backward(g64, x64, **params), xr.grad.numpy(), rtol=1e-8, atol=1e-12), name
        pg = act.param_backward(g64, x64, **params)
        for k in act.learnable:
            assert np.allclose(pg[k], P[k].grad.numpy(), rtol=1e-8, atol=1e-10), (name, k)

        t = [v * 1e9 / a.n for v in best_times((nl_fwd, torch_fwd, nl_fwd_bwd, torch_fwd_bwd),
                                                 a.repeat)]
        print(f"| {name} | {t[0]:.2f} | {t[1]:.2f} | {t[1] / t[0]:.1f}x | {t[2]:.2f} | {t[3]:.2f} | "
              f"{t[3] / t[2]:.1f}x |")


if __name__ == "__main__":
    main()
