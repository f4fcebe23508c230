"""Coefficient-vector activations (Hermite, Fourier, tropical, tropical rational, PolyReLU) at
the papers' initialisations: nonlin against plain PyTorch written like torchortho (eager,
autograd; tools/torch_series.py), forward and forward + backward with the array gradients,
float32 and float64."""

import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "tools"))

NAMES = ["hermite", "fourier", "tropical", "tropical_rational", "polyrelu"]


class Series:
    params = (NAMES, ["nonlin", "torch"], ["forward", "forward_backward"], ["float32", "float64"],
              [10_000, 1_000_000])
    param_names = ["activation", "library", "pass", "dtype", "n"]

    def setup(self, name, lib, which, dtype, n):
        import nonlin as nl
        rng = np.random.default_rng(0)
        x = (rng.standard_normal(n) * 2).astype(dtype)
        g = rng.standard_normal(n).astype(dtype)
        act = getattr(nl, name)
        arrays = [v.astype(dtype) for v in act.initial().values()]
        if lib == "nonlin":
            self.run = (lambda: act(x, *arrays)) if which == "forward" else \
                (lambda: (act(x, *arrays), act.backward(g, x, *arrays)))
            return
        try:
            import torch
            import torch_series as ts
        except ImportError:
            raise NotImplementedError("torch not installed")
        xt, gt = torch.from_numpy(x), torch.from_numpy(g)

        def fwd():
            with torch.no_grad():
                ts.call(name, xt, arrays)

        def fwd_bwd():
            y, _ = ts.call(name, xt.detach().requires_grad_(True), arrays)
            y.backward(gt)

        self.run = fwd if which == "forward" else fwd_bwd

    def time_run(self, *args):
        self.run()
