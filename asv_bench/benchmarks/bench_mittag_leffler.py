"""Mittag-Leffler E_{a,b}(z) on real z in [-10, 5]: nonlin vs pymittagleffler (Rust port of
Garrappa's algorithm, complex128 only) and mlfp (pure Python).

nonlin runs two ways: `plan` (one (alpha, beta) for the array: the cached precomputed plan,
the activation use) and `elementwise` (alpha varies along the array by one ulp: the accurate
per-element evaluator). Peers get the same z (as complex for pymittagleffler).
"""

import numpy as np

PAIRS = ["0.5,1.0", "1.5,1.0", "0.8,1.2"]
SIZES = [1_000, 100_000]


def _inputs(pair, size):
    a, b = (float(v) for v in pair.split(","))
    z = np.linspace(-10.0, 5.0, size)
    return a, b, z


class NonlinPlan:
    # order "shuffled": the same z without locality (activations); the SIMD kernel then loads
    # each lane's coefficients (float32: its grid cell's record; float64: gathers from its
    # piece) instead of one cell's or piece's for the whole block. The float32 target: within
    # 10x of nl.gelu (NonlinGelu below, same size)
    params = [PAIRS, SIZES, ["float64", "float32"], ["sorted", "shuffled"]]
    param_names = ["alpha_beta", "size", "dtype", "order"]

    def setup(self, pair, size, dtype, order):
        import nonlin as nl
        self.E = nl.mittag_leffler
        self.a, self.b, z = _inputs(pair, size)
        if order == "shuffled":
            z = np.random.default_rng(0).permutation(z)
        self.z = z.astype(dtype)
        self.a, self.b = np.dtype(dtype).type(self.a), np.dtype(dtype).type(self.b)
        self.out = np.empty_like(self.z)
        nl.set_num_threads(1)
        self.E(np.tile(self.z, -(-4096 // size)), self.a, self.b)  # build the plan once

    def time_mittag_leffler(self, pair, size, dtype, order):
        self.E(self.z, self.a, self.b, out=self.out)


class NonlinGelu:
    # the yardstick of the float32 target
    params = [SIZES]
    param_names = ["size"]

    def setup(self, size):
        import nonlin as nl
        self.f = nl.gelu
        self.x = (np.random.default_rng(0).standard_normal(size) * 3).astype(np.float32)
        self.out = np.empty_like(self.x)
        nl.set_num_threads(1)

    def time_gelu(self, size):
        self.f(self.x, out=self.out)


class NonlinElementwise:
    params = [PAIRS, [1_000]]
    param_names = ["alpha_beta", "size"]

    def setup(self, pair, size):
        import nonlin as nl
        self.E = nl.mittag_leffler
        a, self.b, self.z = _inputs(pair, size)
        self.a = np.nextafter(np.full(size, a), np.where(np.arange(size) % 2, 2 * a, 0))
        nl.set_num_threads(1)

    def time_mittag_leffler(self, pair, size):
        self.E(self.z, self.a, self.b)


class PyMittagLeffler:
    params = [PAIRS, [1_000]]
    param_names = ["alpha_beta", "size"]

    def setup(self, pair, size):
        try:
            import pymittagleffler
        except ImportError:
            raise NotImplementedError("pymittagleffler is not installed")
        self.f = pymittagleffler.mittag_leffler
        self.a, self.b, z = _inputs(pair, size)
        self.z = z.astype(np.complex128)

    def time_mittag_leffler(self, pair, size):
        self.f(self.z, self.a, self.b)


class Mlfp:
    params = [PAIRS, [100]]
    param_names = ["alpha_beta", "size"]
    timeout = 300

    def setup(self, pair, size):
        try:
            import mlfp
        except ImportError:
            raise NotImplementedError("mlfp is not installed")
        self.f = mlfp.mittag_leffler
        self.a, self.b, self.z = _inputs(pair, size)

    def time_mittag_leffler(self, pair, size):
        self.f(self.z, self.a, self.b)


class NonlinPrabhakar:
    """The three-parameter function E^g_{a,b}(z) per element (no plan): real z in [-10, 5]
    and complex z on the circle |z| = 10 (every path: series, large-argument expansion,
    contour integrals). No peer evaluates it for complex z."""
    params = [["0.5,1.0,0.7", "1.5,1.0,2.3"], ["real", "complex"]]
    param_names = ["alpha_beta_gamma", "z"]

    def setup(self, abg, kind):
        import nonlin as nl
        self.E = nl.mittag_leffler
        self.a, self.b, self.g = (float(v) for v in abg.split(","))
        self.z = (np.linspace(-10.0, 5.0, 200) if kind == "real"
                  else 10 * np.exp(1j * np.linspace(-np.pi, np.pi, 200, endpoint=False)))
        nl.set_num_threads(1)

    def time_prabhakar(self, abg, kind):
        self.E(self.z, self.a, self.b, gamma=self.g)
