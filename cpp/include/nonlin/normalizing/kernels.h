// Normalising activations over an axis (PolyNorm, ASH, Hard ASH, VeLU): the contract between
// the per-ISA row kernels (cpp/src/cpu/normalizing_isa.cpp) and their callers. Rows are
// contiguous: `rows` rows of `n` elements, row r at x + r * n. Statistics (means, variances,
// RMS) are taken over each row; every kernel computes in double and rounds once on output.
#pragma once

#include <cstddef>

namespace nonlin::normalizing {

enum class Op : int { polynorm, ash, hard_ash, velu, count };
inline constexpr int kOps = int(Op::count);

// Scalar parameters in registry order (polynorm: weight[0..order), bias, eps).
struct Params {
  const double* p;
  int np;
};

// y = f(x) row by row.
template <class T>
using Forward = void (*)(std::ptrdiff_t rows, std::ptrdiff_t n, const T* x, T* y, Params p);

// gx = (df/dx)^T g row by row, the gradient through the row statistics included; pg receives,
// for each row, that row's contribution to each learnable parameter's gradient
// (rows x nparam_grads doubles, summed by the caller).
template <class T>
using Backward = void (*)(std::ptrdiff_t rows, std::ptrdiff_t n, const T* g, const T* x, T* gx,
                          double* pg, Params p);

struct Table {
  int (*grads[kOps])(Params);  // learnable-parameter gradient slots per row
  Forward<float> fwd_f32[kOps];
  Forward<double> fwd_f64[kOps];
  Backward<float> bwd_f32[kOps];
  Backward<double> bwd_f64[kOps];
};

const Table* table_baseline();
#if defined(NONLIN_HAVE_AVX2)
const Table* table_avx2();
#endif
#if defined(NONLIN_HAVE_AVX512)
const Table* table_avx512();
#endif

// Number of per-row parameter-gradient slots an op writes (polynorm: order + 1).
int param_grad_count(Op op, Params p);

// Runs on the SIMD level chosen by nonlin::set_simd_level, rows split over the thread pool.
template <class T>
void forward(Op op, std::ptrdiff_t rows, std::ptrdiff_t n, const T* x, T* y, Params p);
template <class T>
void backward(Op op, std::ptrdiff_t rows, std::ptrdiff_t n, const T* g, const T* x, T* gx,
              double* pg, Params p);

}  // namespace nonlin::normalizing
