// Rational (Padé) activations F(x) = P(x) / Q(x): the contract between the per-ISA kernel loops
// (cpp/src/cpu/rational_isa.cpp) and the driver (cpp/src/cpu/rational.cpp).
//
//   P(x) = sum_{j=0..m} a_j x^j
//   Q(x), version A: 1 + sum_{k=1..n} |b_k| |x|^k     (PAU "safe"; KAT)
//         version B: 1 + |sum_{k=1..n} b_k x^k|
//         version C: 0.1 + |sum_{k=0..n} b_k x^k|     (n + 1 denominator coefficients)
//         version D: B with multiplicative U[0.9, 1.1] noise on every coefficient in training
//         version N: 1 + sum_{k=1..n} b_k x^k          (unsafe: Q may vanish)
// The kernels see every version as a Horner polynomial h(z) = sum_{k=0..n} c_k z^k in
// z = |x| (A) or z = x (B, C, N), with c prepared by the driver (A: 1, |b_1|..|b_n|;
// B: 0, b_1..b_n; C: b_0..b_n; N: 1, b_1..b_n), and Q = h (A, N), 1 + |h| (B), 0.1 + |h| (C).
#pragma once

#include <cstddef>

namespace nonlin::rational {

enum class Version : int { A = 0, B = 1, C = 2, D = 3, N = 4 };
enum class Mode : int { forward = 0, derivative = 1, backward = 2 };

inline constexpr int kMaxDegree = 32;  // numerator and denominator degrees (inclusive)

template <class T>
struct Args {
  Version version;            // A, B, C or N (D arrives here as B with noisy coefficients)
  int m, n;                   // numerator degree; denominator polynomial c has n + 1 entries
  const T* a;                 // [groups][m + 1]
  const T* c;                 // [groups][n + 1]
  const int* m_eff;           // per group: degree of P and of h without trailing zero
  const int* n_eff;           //   coefficients (the large-|x| path divides by the leading ones)
  T thr;                      // |x| <= thr: no intermediate of the direct Horner form overflows
  std::ptrdiff_t groups, run; // element i belongs to group (i / run) % groups
  const T* x;
  const T* g;                 // grad_out (backward)
  T* out;                     // y, dF/dx or grad_x (may alias x or g exactly)
};

// Processes elements [begin, end). Backward also adds, for every group, the sums over those
// elements of g * dF/da_j (j = 0..m) then of the per-element c_k terms (k = 0..n), see
// rational_isa.cpp, into acc[group * (m + n + 2) + ...] (float64).
template <class T>
using Kernel = void (*)(const Args<T>& args, Mode mode, std::ptrdiff_t begin, std::ptrdiff_t end,
                        double* acc);

struct Kernels {
  Kernel<float> f32;
  Kernel<double> f64;
};

const Kernels* kernels_baseline();
#if defined(NONLIN_HAVE_AVX2)
const Kernels* kernels_avx2();
#endif
#if defined(NONLIN_HAVE_AVX512)
const Kernels* kernels_avx512();
#endif

}  // namespace nonlin::rational
