/* nonlin C API: every op of the registry (forward, derivative, backward, parameter gradients,
 * gated units) on float32/float64 arrays with any strides. Stable ABI for embedding; no Python.
 *
 *   int op = nonlin_find_op("gelu_backward");      // -1 if unknown
 *   const float* in[] = {grad_out, x};  ptrdiff_t in_strides[] = {4, 4};   // bytes; 0 = scalar
 *   float* out[] = {grad_x};            ptrdiff_t out_strides[] = {4};
 *   nonlin_run_f32(op, n, in, in_strides, out, out_strides);
 */
#ifndef NONLIN_NONLIN_H
#define NONLIN_NONLIN_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#define NONLIN_OK 0
#define NONLIN_EINVAL (-1)

/* Ops are numbered 0 .. nonlin_num_ops()-1; names as the NumPy ufuncs ("gelu",
 * "gelu_derivative", "gelu_backward", "prelu_param_grad", "swiglu", ...). */
int nonlin_num_ops(void);
int nonlin_find_op(const char* name);
const char* nonlin_op_name(int op);
/* Number of inputs (x first, or grad_out then x, then the parameters in registry order) and
 * outputs. Returns NONLIN_EINVAL for a bad op. */
int nonlin_op_arity(int op, int* nin, int* nout);
/* Parameter `k` of the activation behind `op`: its name and default (NULL if out of range). */
const char* nonlin_op_param(int op, int k, double* default_value);

/* Evaluate op over n elements. Strides are in bytes (0 broadcasts a scalar). Outputs may alias
 * inputs exactly (in place). Thread-safe; large calls use the internal thread pool. */
int nonlin_run_f32(int op, ptrdiff_t n, const float* const* in, const ptrdiff_t* in_strides,
                   float* const* out, const ptrdiff_t* out_strides);
int nonlin_run_f64(int op, ptrdiff_t n, const double* const* in, const ptrdiff_t* in_strides,
                   double* const* out, const ptrdiff_t* out_strides);

/* "baseline", "avx2" or "avx512"; setting an unsupported level returns NONLIN_EINVAL. */
const char* nonlin_simd_level(void);
int nonlin_set_simd_level(const char* level);
int nonlin_get_num_threads(void);
int nonlin_set_num_threads(int n);

#ifdef __cplusplus
}
#endif
#endif
