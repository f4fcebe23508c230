"""Activations from the literature: nonlin against a plain PyTorch implementation written from
the papers (tools/torch_literature.py: eager ops, autograd for every gradient), forward and
forward + backward (input and every learnable parameter's gradient), 1e6 elements."""

import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "tools"))

NAMES = ["golu", "aptx", "xsilu", "xgelu", "xatlu", "tempered_sigmoid", "apa", "aglu", "smelu",
         "gsmelu", "crrelu", "sau", "clipped_relu", "cauchy", "elephant", "snake", "snake_beta", "sine"]


class Literature:
    params = (NAMES, ["nonlin", "torch"], ["forward", "forward_backward"], ["float32", "float64"])
    param_names = ["activation", "library", "pass", "dtype"]

    def setup(self, name, lib, which, dtype):
        import nonlin as nl
        rng = np.random.default_rng(0)
        x = (3 * rng.standard_normal(1_000_000)).astype(dtype)
        g = rng.standard_normal(x.size).astype(dtype)
        act = getattr(nl, name)
        p = dict(act.params)
        if lib == "nonlin":
            self.run = (lambda: act(x, **p)) if which == "forward" else \
                (lambda: (act(x, **p), act.vjp(g, x, **p)))
            return
        try:
            import torch
            import torch_literature as tl
        except ImportError:
            raise NotImplementedError("torch not installed")
        xt, gt = torch.from_numpy(x), torch.from_numpy(g)

        def fwd():
            with torch.no_grad():
                tl.call(name, xt, p)

        def fwd_bwd():
            y, _ = tl.call(name, xt.detach().requires_grad_(True), p, act.learnable)
            y.backward(gt)

        self.run = fwd if which == "forward" else fwd_bwd

    def time_run(self, *args):
        self.run()
