"""nonlin inside PyTorch and JAX (nonlin.torch / nonlin.jax) vs the frameworks' own activations:
eager and compiled (torch.compile / jax.jit), forward and forward+backward, float32, one thread
(torch.set_num_threads(1), nonlin.set_num_threads(1), XLA single-threaded)."""

import os

import numpy as np

from ._common import make_inputs

NAMES = ["gelu", "silu", "tanh", "elu", "mish"]
SIZES = [10_000, 1_000_000]
PARAMS = [NAMES, ["native", "nonlin"], ["eager", "compiled"], ["fwd", "fwd+bwd"], SIZES]
PARAM_NAMES = ["activation", "impl", "mode", "direction", "size"]


def _torch_native(torch, name):
    F = torch.nn.functional
    return {"gelu": F.gelu, "silu": F.silu, "tanh": torch.tanh, "elu": F.elu, "mish": F.mish}[name]


def _jax_native(jax, name):
    jnn = jax.nn
    return {"gelu": lambda x: jnn.gelu(x, approximate=False), "silu": jnn.silu,
            "tanh": jax.numpy.tanh, "elu": jnn.elu, "mish": jnn.mish}[name]


def _import(*modules):
    import importlib
    try:
        return [importlib.import_module(m) for m in modules]
    except ImportError as e:
        raise NotImplementedError(str(e))


class _Adapter:
    params = PARAMS
    param_names = PARAM_NAMES
    timeout = 300
    repeat = (3, 10, 20.0)

    def time_adapter(self, *args):
        self.call()


class TorchAdapter(_Adapter):
    def setup(self, name, impl, mode, direction, size):
        torch, nonlin, nt = _import("torch", "nonlin", "nonlin.torch")
        self.torch = torch
        self.old = torch.get_num_threads(), nonlin.get_num_threads()
        torch.set_num_threads(1)
        nonlin.set_num_threads(1)
        x, g = make_inputs(size, "float32")
        self.x, self.g = torch.from_numpy(x), torch.from_numpy(g)
        f = getattr(nt, name) if impl == "nonlin" else _torch_native(torch, name)
        if mode == "compiled":
            # torch.compile(builtin) shares one wrapper code object: room for every configuration
            torch._dynamo.config.recompile_limit = 1024
            f = torch.compile(f, fullgraph=True)
        if direction == "fwd":
            self.call = lambda: f(self.x)
        else:
            xr = self.x.clone().requires_grad_()
            self.call = lambda: torch.autograd.grad(f(xr), xr, self.g)
        self.call()  # compile / register
        self.call()

    def teardown(self, *args):
        import nonlin
        self.torch.set_num_threads(self.old[0])
        nonlin.set_num_threads(self.old[1])


class JaxAdapter(_Adapter):
    def setup(self, name, impl, mode, direction, size):
        os.environ.setdefault("XLA_FLAGS", "--xla_cpu_multi_thread_eigen=false "
                                           "intra_op_parallelism_threads=1")
        jax, nonlin, nj = _import("jax", "nonlin", "nonlin.jax")
        self.nonlin = nonlin
        self.old = nonlin.get_num_threads()
        nonlin.set_num_threads(1)
        x, g = make_inputs(size, "float32")
        self.x, self.g = jax.device_put(x), jax.device_put(g)
        f = getattr(nj, name) if impl == "nonlin" else _jax_native(jax, name)
        if direction == "fwd+bwd":
            f0 = f
            f = lambda xx, gg: jax.vjp(f0, xx)[1](gg)[0]  # noqa: E731
        else:
            f1 = f
            f = lambda xx, gg: f1(xx)  # noqa: E731
        if mode == "compiled":
            f = jax.jit(f)
        self.call = lambda: f(self.x, self.g).block_until_ready()
        self.call()
        self.call()

    def teardown(self, *args):
        self.nonlin.set_num_threads(self.old)


def table(names=NAMES, repeats=9):
    """Per-element times of native and nonlin side by side, the two timed alternately (median of
    `repeats` interleaved runs, robust to a shared machine's load), for the README."""
    import timeit
    rows = []
    for cls in (TorchAdapter, JaxAdapter):
        for name in names:
            for mode in ("eager", "compiled"):
                for direction in ("fwd", "fwd+bwd"):
                    for size in SIZES:
                        benches = {}
                        for impl in ("native", "nonlin"):
                            benches[impl] = cls()
                            benches[impl].setup(name, impl, mode, direction, size)
                        n = max(1, int(2e6 // size))
                        t = {impl: [] for impl in benches}
                        for _ in range(repeats):
                            for impl, b in benches.items():
                                t[impl].append(timeit.timeit(b.call, number=n) / n / size)
                        for b in benches.values():
                            b.teardown()
                        rows.append((cls.__name__[:-7].lower(), name, mode, direction, size,
                                     np.median(t["native"]), np.median(t["nonlin"])))
    return rows


if __name__ == "__main__":  # python -m benchmarks.bench_adapters (from asv_bench/)
    print("| framework | activation | mode | direction | n | native ns/elem | nonlin ns/elem | speed-up |")
    print("|---|---|---|---|---|---|---|---|")
    import sys
    for fw, name, mode, d, n, tn, tl in table(sys.argv[1:] or NAMES):
        print(f"| {fw} | {name} | {mode} | {d} | {n:.0e} | {tn * 1e9:.2f} | {tl * 1e9:.2f} | {tn / tl:.2f}x |")
