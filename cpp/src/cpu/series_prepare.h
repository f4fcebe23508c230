// The host-side preparation of a coefficient-vector problem, shared by the CPU driver
// (series.cpp) and the CUDA kernels (src/cuda/series.cu): which float32 families run in float32
// arithmetic, the monomial coefficients of Hermite and PolyReLU, effective degrees, thresholds.
#pragma once

#include <algorithm>
#include <cmath>
#include <limits>

#include "series.h"

namespace nonlin::series {

// Families whose float32 formulas reach the accuracy target in float32 arithmetic (Fourier:
// exact angles, compensated sum; tropical: one line, one scale; Hermite and PolyReLU:
// compensated Horner on monomial coefficients rounded once) run native float32 kernels; the
// tropical rational (a difference of two maxima: 2.02 ULP in float32 without FMA) goes
// through float64.
inline bool native_float(Family f) { return f != Family::tropical_rational; }

// sum_k c_k He_k(x) / k! = sum_j a_j x^j with He_k(x) / k! = sum_m (-1)^m x^(k-2m) /
// (m! (k-2m)! 2^m) (DLMF 18.5.13), summed in long double and rounded once; out[d+1+j] =
// (j+1) a_{j+1}, the derivative's coefficients, from the unrounded a.
inline void hermite_monomials(const double* c, int d, double* out) {
  long double a[kMaxHermite + 1] = {}, fact[kMaxHermite + 1];
  fact[0] = 1;
  for (int k = 1; k <= d; ++k) fact[k] = fact[k - 1] * k;
  for (int k = 0; k <= d; ++k)
    for (int m = 0; 2 * m <= k; ++m) {
      const long double term = c[k] / (fact[m] * fact[k - 2 * m] * std::ldexp(1.0L, m));
      a[k - 2 * m] += m % 2 ? -term : term;
    }
  for (int j = 0; j <= d; ++j) out[j] = double(a[j]);
  for (int j = 0; j < d; ++j) out[d + 1 + j] = double((j + 1) * a[j + 1]);
}

// PolyReLU's weights w_0..w_{r-1} (w_i on relu^(r-i)) and bias b in ascending powers, then
// the derivative's.
inline void polyrelu_powers(const double* w, int r, double* out) {
  out[0] = w[r];
  for (int j = 1; j <= r; ++j) out[j] = w[r - j];
  for (int j = 0; j < r; ++j) out[r + 1 + j] = (j + 1) * w[r - 1 - j];
}

// The kernel arguments in T (parameters in `params`, which must outlive them; p64 the same
// values in double, from which the monomial coefficients are formed and rounded once to T).
template <class T>
Args<T> prepare(const Problem& p, const T* params, const double* p64) {
  Args<T> a{};
  a.family = p.family;
  a.degree = p.degree;
  a.count = param_count(p.family, p.degree);
  a.p = params;
  const int d = p.degree;
  double poly[2 * kMaxHermite + 1];
  if (p.family == Family::hermite) {
    hermite_monomials(p64, d, poly);
    std::copy(poly, poly + 2 * d + 1, a.poly);
    int e = d;
    while (e > 0 && a.poly[e] == 0) --e;
    a.eff = e;
    // |h_k(x)| <= (|x| + 1)^k for every k: |x| <= thr keeps x h_k far below overflow
    a.thr = T(std::pow(double(std::numeric_limits<T>::max()) * 0x1p-20, 1.0 / (d + 1)) - 1);
  } else if (p.family == Family::polyrelu) {
    polyrelu_powers(p64, d, poly);
    std::copy(poly, poly + 2 * d + 1, a.poly);
    int e = 0;
    while (e < d && params[e] == 0) ++e;
    a.eff = e;
  }
  return a;
}

}  // namespace nonlin::series
