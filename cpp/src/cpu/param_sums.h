// Fused backward of an elementwise activation whose parameters are all scalars: one pass over
// (grad_out, x) gives grad_x = grad_out * f'(x) (optional) and, for every learnable parameter p,
// the sum over all elements of grad_out * df/dp -- the gradient of a scalar parameter -- without
// materialising the per-element terms. Deterministic for any number of threads (chunked_sum).
#pragma once

#include <cstddef>
#include <vector>

#include "run.h"

namespace nonlin {

// op: the activation's `_vjp` op (grad_x required) or its `_param_grad` op (grad_x null).
// params: the scalar values of all its parameters. T: float or double.
template <class T>
std::vector<double> param_sums(const OpInfo& op, std::ptrdiff_t n, const T* grad_out, const T* x,
                               const T* params, T* grad_x);

}  // namespace nonlin
