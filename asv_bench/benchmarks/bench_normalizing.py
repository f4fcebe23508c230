"""Normalising activations (PolyNorm, ASH, Hard ASH, VeLU) over the last axis: nonlin against
a plain PyTorch implementation written from the papers (eager, autograd), forward and
forward + backward (with the parameter gradients)."""

import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "tools"))

NAMES = ["polynorm", "ash", "hard_ash", "velu"]
SHAPES = [(64, 1024), (256, 4096)]


class Normalizing:
    params = (NAMES, ["nonlin", "torch"], ["forward", "forward_backward"], SHAPES)
    param_names = ["activation", "library", "pass", "shape"]

    def setup(self, name, lib, which, shape):
        import nonlin as nl
        rng = np.random.default_rng(0)
        self.x = rng.standard_normal(shape).astype(np.float32)
        self.g = rng.standard_normal(shape).astype(np.float32)
        act = getattr(nl, name)
        p = dict(act.params)
        if lib == "nonlin":
            x, g = self.x, self.g
            self.run = (lambda: act(x, **p)) if which == "forward" else \
                (lambda: (act(x, **p), act.grads(g, x, **p)))
            return
        try:
            import torch
            import torch_normalizing as tn
        except ImportError:
            raise NotImplementedError("torch not installed")
        xt, gt = torch.from_numpy(self.x), torch.from_numpy(self.g)

        def fwd():
            with torch.no_grad():
                tn.call(name, xt, p)

        def fwd_bwd():
            y, _ = tn.call(name, xt.detach().requires_grad_(True), p)
            y.backward(gt)

        self.run = fwd if which == "forward" else fwd_bwd

    def time_run(self, *args):
        self.run()
