"""nonlin quickstart: activations as NumPy ufuncs, derivatives, fused backward, parameter
gradients, and a tiny training step of a per-channel PReLU written with them alone."""

import numpy as np

import nonlin as nl

rng = np.random.default_rng(0)
x = rng.standard_normal((8, 3, 4, 4)).astype(np.float32)

# Forward, derivative and fused backward
y = nl.gelu(x)
dy = nl.gelu.derivative(x)
g = rng.standard_normal(x.shape).astype(np.float32)
gx = nl.gelu.backward(g, x)
assert np.allclose(gx, g * dy, rtol=1e-6)

# Parameters are keywords (PyTorch names), scalars or per-channel arrays that broadcast
w = np.full((3, 1, 1), 0.25, np.float32)
out = nl.prelu(x, weight=w)

# Fit the PReLU slopes so that prelu(x) matches leaky_relu(x, 0.1) by gradient descent
target = nl.leaky_relu(x, negative_slope=0.1)
for step in range(200):
    out = nl.prelu(x, weight=w)
    grad_out = 2 * (out - target) / out.size
    w -= 2.0 * nl.prelu.param_backward(grad_out, x, weight=w)["weight"]
print("learnt slopes:", w.ravel())
assert np.allclose(w, 0.1, atol=1e-3)

# The ufuncs themselves: out=, where=, in place, any strides, float16/32/64
nl.ufuncs.silu(x, 1.0, out=x)            # in place, beta passed positionally
print("silu in place:", x.ravel()[:4])
print("simd level:", nl.simd_level(), "| activations:", len(nl.catalog()))
