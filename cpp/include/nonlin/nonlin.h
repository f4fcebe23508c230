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
#define NONLIN_ENOMEM (-3) /* a buffer the call needs could not be allocated */

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

/* Evaluate op over n elements (n = 0: nothing is read, the arrays may be NULL; else every
 * in[k] and out[k] must be non-NULL: NONLIN_EINVAL). Strides are in bytes (0 broadcasts a
 * scalar). Outputs may alias inputs exactly (in place). Thread-safe; large calls use the
 * internal thread pool. */
int nonlin_run_f32(int op, ptrdiff_t n, const float* const* in, const ptrdiff_t* in_strides,
                   float* const* out, const ptrdiff_t* out_strides);
int nonlin_run_f64(int op, ptrdiff_t n, const double* const* in, const ptrdiff_t* in_strides,
                   double* const* out, const ptrdiff_t* out_strides);

/* "baseline", "avx2" or "avx512"; setting an unsupported level returns NONLIN_EINVAL. */
const char* nonlin_simd_level(void);
int nonlin_set_simd_level(const char* level);
int nonlin_get_num_threads(void);
int nonlin_set_num_threads(int n); /* 1 .. 1024, else NONLIN_EINVAL */

/* Rational (Pade) activations F(x) = P(x) / Q(x) with learnable coefficients (versions 'A' (safe,
 * default), 'B', 'C', 'D' (B with coefficient noise in training), 'N' (unsafe); see README).
 * Contiguous arrays of n elements; element i uses the coefficients of group (i / run) % groups
 * (channels-last KAT: run = channels / groups). num: [groups][num_degree + 1]; den:
 * [groups][den_degree] (version 'C': den_degree + 1). Outputs may alias inputs exactly.
 * Backward writes grad_x and the coefficient gradients (float64, shaped like num and den),
 * reduced deterministically (the same for any number of threads). d|v|/dv at v = 0 is 0.
 * Returns NONLIN_OK, NONLIN_EINVAL (bad descriptor or a NULL array with n > 0) or NONLIN_ENOMEM
 * (the coefficient tables of `groups` cannot be allocated). */
typedef struct nonlin_rational {
  char version;             /* 'A', 'B', 'C', 'D' or 'N' */
  int num_degree;           /* m, 0..32 */
  int den_degree;           /* n, 0..32 */
  ptrdiff_t groups;         /* >= 1 */
  ptrdiff_t run;            /* >= 1 when groups > 1 (ignored for one group) */
  int training;             /* version 'D': apply the multiplicative U[0.9, 1.1] noise */
  unsigned long long seed;  /* version 'D': the noise is a fixed function of the seed */
} nonlin_rational;

int nonlin_rational_forward_f32(const nonlin_rational* r, ptrdiff_t n, const float* x,
                                const float* num, const float* den, float* y);
int nonlin_rational_forward_f64(const nonlin_rational* r, ptrdiff_t n, const double* x,
                                const double* num, const double* den, double* y);
int nonlin_rational_derivative_f32(const nonlin_rational* r, ptrdiff_t n, const float* x,
                                   const float* num, const float* den, float* dydx);
int nonlin_rational_derivative_f64(const nonlin_rational* r, ptrdiff_t n, const double* x,
                                   const double* num, const double* den, double* dydx);
int nonlin_rational_backward_f32(const nonlin_rational* r, ptrdiff_t n, const float* grad_out,
                                 const float* x, const float* num, const float* den,
                                 float* grad_x, double* grad_num, double* grad_den);
int nonlin_rational_backward_f64(const nonlin_rational* r, ptrdiff_t n, const double* grad_out,
                                 const double* x, const double* num, const double* den,
                                 double* grad_x, double* grad_num, double* grad_den);

/* CUDA (builds with the CUDA kernels, see README): every op above on device arrays of n
 * elements. dtype: 0 float16, 1 bfloat16 (both computed in float32), 2 float32, 3 float64. Input
 * k is read at (i / in_div[k]) % in_mod[k]: a full array has (1, n), one value (1, 1), a
 * per-channel parameter (the product of the dimensions after the channel axis, the channel
 * count). Outputs are contiguous and may alias a full input exactly. `stream` is a cudaStream_t
 * (NULL: the default stream); the launch is asynchronous. Returns NONLIN_OK, NONLIN_EINVAL, or
 * NONLIN_ECUDA, and then nonlin_cuda_error() says why (no device, a launch error, a build
 * without CUDA). */
#define NONLIN_ECUDA (-2)
int nonlin_cuda_device_count(void); /* 0 without CUDA kernels, a driver or a device */
int nonlin_cuda_run(int op, int dtype, ptrdiff_t n, const void* const* in, const ptrdiff_t* in_div,
                    const ptrdiff_t* in_mod, void* const* out, void* stream);
const char* nonlin_cuda_error(void); /* the calling thread's last NONLIN_ECUDA message (valid until its next failing call) */

#ifdef __cplusplus
}
#endif
#endif
