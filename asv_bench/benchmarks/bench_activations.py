"""Forward and backward of the common activations: nonlin vs NumPy/SciPy, PyTorch, JAX.

Every implementation writes into a preallocated output where the library allows it. JAX has no
thread control after import, so its thread parameter only records the nonlin/torch setting.
"""

import numpy as np

from ._common import DTYPES, NAMES, SIZES, THREADS, jax_module, make_inputs, numpy_impls, \
    torch_impls

PARAMS = [NAMES, ["fwd", "bwd"], DTYPES, SIZES, THREADS]
PARAM_NAMES = ["activation", "direction", "dtype", "size", "threads"]


class _Base:
    params = PARAMS
    param_names = PARAM_NAMES
    timeout = 120
    # a 1e7 float32 array is 40 MB; keep the number of samples modest
    repeat = (3, 10, 20.0)


class Nonlin(_Base):
    def setup(self, name, direction, dtype, size, threads):
        import nonlin as nl
        self.nl = nl
        self.old = nl.get_num_threads()
        nl.set_num_threads(threads)
        self.x, self.g = make_inputs(size, dtype)
        self.out = np.empty_like(self.x)
        self.act = getattr(nl, name)

    def teardown(self, *args):
        self.nl.set_num_threads(self.old)

    def time_activation(self, name, direction, dtype, size, threads):
        if direction == "fwd":
            self.act(self.x, out=self.out)
        else:
            self.act.backward(self.g, self.x, out=self.out)


class NumpyScipy(_Base):
    def setup(self, name, direction, dtype, size, threads):
        if threads != 1:
            raise NotImplementedError("numpy ufuncs are single-threaded")
        self.x, self.g = make_inputs(size, dtype)
        self.out, self.t1, self.t2 = (np.empty_like(self.x) for _ in range(3))
        self.m = np.empty(size, bool)
        self.fwd, self.bwd = numpy_impls()[name]
        np.seterr(all="ignore")

    def time_activation(self, name, direction, dtype, size, threads):
        if direction == "fwd":
            self.fwd(self.x, self.out, self.t1, self.t2, self.m)
        else:
            self.bwd(self.g, self.x, self.out, self.t1, self.t2, self.m)


class Torch(_Base):
    def setup(self, name, direction, dtype, size, threads):
        torch, impls = torch_impls()
        self.torch = torch
        self.old = torch.get_num_threads()
        torch.set_num_threads(threads)
        x, g = make_inputs(size, dtype)
        self.x, self.g = torch.from_numpy(x), torch.from_numpy(g)
        self.o, self.t = torch.empty_like(self.x), torch.empty_like(self.x)
        self.fwd, self.bwd = impls[name]
        self.y = torch.empty_like(self.x)
        self.fwd(self.x, self.y, self.t)  # saved output, as autograd has it

    def teardown(self, *args):
        self.torch.set_num_threads(self.old)

    def time_activation(self, name, direction, dtype, size, threads):
        if direction == "fwd":
            self.fwd(self.x, self.o, self.t)
        else:
            self.bwd(self.g, self.x, self.y, self.o, self.t)


class Jax(_Base):
    def setup(self, name, direction, dtype, size, threads):
        if threads != 1:
            raise NotImplementedError("jax thread count is fixed at import")
        jax, fwd = jax_module(dtype)
        x, g = make_inputs(size, dtype)
        self.x, self.g = jax.device_put(x), jax.device_put(g)
        f = fwd[name]
        if direction == "fwd":
            self.fn = jax.jit(f)
            self.call = lambda: self.fn(self.x).block_until_ready()
        else:
            self.fn = jax.jit(lambda gg, xx: jax.vjp(f, xx)[1](gg)[0])
            self.call = lambda: self.fn(self.g, self.x).block_until_ready()
        self.call()  # compile

    def time_activation(self, name, direction, dtype, size, threads):
        self.call()


class Copy:
    """Memory-bandwidth anchor."""
    params = [DTYPES, SIZES]
    param_names = ["dtype", "size"]

    def setup(self, dtype, size):
        self.x, _ = make_inputs(size, dtype)
        self.out = np.empty_like(self.x)

    def time_copy(self, dtype, size):
        np.copyto(self.out, self.x)
