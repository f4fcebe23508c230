// Power series E_{a,b}(z) = sum_k z^k / Gamma(a k + b) and its termwise derivatives in z, a, b.
// Summed until the terms, past their peak, fall below 2^-56 of the sum, with a hard cap on the
// number of terms; `abs_sum` (sum of |terms|) bounds the rounding error for the caller.
#pragma once

#include <cmath>

#include "gamma.h"
#include "part.h"

namespace nonlin::ml {

struct SeriesSum {
  double sum = 0.0;
  double abs_sum = 0.0;
  bool converged = false;
};

inline SeriesSum power_series(double z, double a, double b, Part part, int max_terms) {
  SeriesSum r;
  const double peak = std::pow(std::fabs(z), 1.0 / a);  // terms decrease once a k + b > |z|^{1/a}
  double zk = 1.0;                                      // z^k
  double zk1 = 0.0;                                     // z^{k-1}
  RgammaSequence rg(a, b, +1);
  for (int k = 0; k < max_terms; ++k) {
    const double arg = a * k + b;
    double t;
    switch (part) {
      case Part::value: t = zk * rg(k); break;
      case Part::d_z: t = k * zk1 * rg(k); break;
      case Part::d_beta: t = zk * rgamma_deriv(arg); break;
      case Part::d_alpha: t = k * zk * rgamma_deriv(arg); break;
    }
    r.sum += t;
    r.abs_sum += std::fabs(t);
    if (arg > 2.0 && arg > peak && k > 0 && std::fabs(t) <= 0x1p-56 * r.abs_sum) {
      r.converged = true;
      return r;
    }
    zk1 = zk;
    zk *= z;
  }
  return r;
}

}  // namespace nonlin::ml
