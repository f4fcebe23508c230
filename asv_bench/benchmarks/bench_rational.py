"""Rational (5,4) activation, forward + backward with coefficient gradients: nonlin vs a
torch.compile'd Horner, the same Horner in eager torch, and an eager reimplementation of
rational_activations' CPU path (stacked powers; the package pins torch 1.7.1). The
implementations live in tools/bench_rational.py (also used for the README table)."""

import importlib.util
import os

_PATH = os.path.join(os.path.dirname(__file__), "..", "..", "tools", "bench_rational.py")


def _impls(version, n, dtype):
    spec = importlib.util.spec_from_file_location("_bench_rational", _PATH)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod.implementations(version, n, dtype)


IMPLS = ["nonlin", "torch.compile Horner", "eager torch Horner",
         "eager stacked powers (rational_activations CPU path, proxy)"]


class RationalFwdBwd:
    params = [IMPLS, ["A", "B"], ["float32", "float64"], [10_000, 1_000_000], [1, 2]]
    param_names = ["implementation", "version", "dtype", "size", "threads"]
    timeout = 300
    repeat = (3, 10, 30.0)

    def setup(self, impl, version, dtype, size, threads):
        import nonlin as nl
        self.nl, self.old = nl, nl.get_num_threads()
        nl.set_num_threads(threads)
        if impl != "nonlin":
            try:
                import torch
            except ImportError:
                raise NotImplementedError("torch not installed")
            self.torch_old = torch.get_num_threads()
            torch.set_num_threads(threads)
        impls = _impls(version, size, dtype)
        if impl not in impls:
            raise NotImplementedError(impl)
        self.fn = impls[impl]
        self.fn()  # warm-up (torch.compile compiles here)

    def teardown(self, impl, *args):
        self.nl.set_num_threads(self.old)
        if impl != "nonlin":
            import torch
            torch.set_num_threads(self.torch_old)

    def time_forward_backward(self, impl, version, dtype, size, threads):
        self.fn()
