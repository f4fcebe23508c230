// Power series E_{a,b}(z) = sum_k z^k / Gamma(a k + b) and its termwise derivatives in z, a, b.
// Summed until the terms, past their peak, fall below 2^-56 of the sum, with a hard cap on the
// number of terms; `abs_sum` (sum of |terms|) bounds the rounding error for the caller.
#pragma once

#include <cmath>
#include <complex>

#include "gamma.h"
#include "part.h"

namespace nonlin::ml {

// A summed series or expansion (Z = double or std::complex<double>): its value, the sum of
// |terms| (the scale of its rounding), and where the caller needs it the bound of its error
// (rounding or truncation) and the number of terms.
template <class Z>
struct SeriesSumT {
  Z sum = 0.0;
  double abs_sum = 0.0, error = INFINITY;
  int terms = 0;
  bool converged = false;
};
using SeriesSum = SeriesSumT<double>;

template <class Z>
SeriesSumT<Z> power_series(Z z, double a, double b, Part part, int max_terms) {
  SeriesSumT<Z> r;
  const double peak = std::pow(std::abs(z), 1.0 / a);  // terms decrease once a k + b > |z|^{1/a}
  Z zk = 1.0;                                          // z^k
  Z zk1 = 0.0;                                         // z^{k-1}
  RgammaSequence rg(a, b, +1);
  for (int k = 0; k < max_terms; ++k) {
    const double arg = a * k + b;
    Z t;
    switch (part) {
      case Part::value: t = zk * rg(k); break;
      case Part::d_z: t = double(k) * zk1 * rg(k); break;
      case Part::d_beta: t = zk * rgamma_deriv(arg); break;
      case Part::d_alpha: t = double(k) * zk * rgamma_deriv(arg); break;
    }
    r.sum += t;
    r.abs_sum += std::abs(t);
    if (arg > 2.0 && arg > peak && k > 0 && std::abs(t) <= 0x1p-56 * r.abs_sum) {
      r.converged = true;
      return r;
    }
    zk1 = zk;
    zk *= z;
  }
  return r;
}

}  // namespace nonlin::ml
