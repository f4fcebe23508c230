// E_{a,b}(z) and its derivatives in z, a, b for complex z: the power series for small
// |z|^{1/a} (series.h), the asymptotic expansion with the residues of every pole of the
// principal sheet for large |z|^{1/a} (asymptotic.h), Garrappa's Laplace inversion
// (inversion.h, all nodes) in between: the real evaluator's paths with complex arithmetic.
// Real z takes the real evaluator.
#pragma once

#include <cmath>
#include <complex>
#include <numbers>

#include "evaluate.h"
#include "gamma.h"
#include "inversion.h"
#include "residues.h"

namespace nonlin::ml {

// E_{a,b}(z) or its derivative in z, a or b (part) for complex z.
inline cplx mittag_leffler_part(cplx z, double a, double b, Part part) {
  using namespace detail;
  if (z.imag() == 0 && !std::isnan(z.real())) return mittag_leffler_part(z.real(), a, b, part);
  if (std::isnan(z.real()) || std::isnan(z.imag()) || !(a >= 0) || !std::isfinite(a) ||
      !std::isfinite(b))
    return cplx(NAN, NAN);
  if (a == 0) return alpha_zero(z, b, part);
  if (!std::isfinite(std::abs(z))) return cplx(NAN, NAN);
  if (a == 1 && b == 1 && (part == Part::value || part == Part::d_z)) return std::exp(z);
  const double x = pole_modulus(std::abs(z), a);
  if (x <= 4.0) {
    const int terms = int(std::min(series_terms_estimate(std::abs(z), a, x) * 1.5 + 20, 1000.0));
    const SeriesSumT<cplx> s = power_series(z, a, b, part, terms);
    if (s.converged && s.abs_sum <= 64 * std::abs(s.sum)) return s.sum;
  }
  if (x >= 20.0) {
    const AsymptoticSumT<cplx> r = asymptotic(z, a, b, part, 0.0, 400);
    if (r.converged) return r.sum;
  }
  return laplace_inversion(z, a, b, part, 0.0, false);
}

inline cplx mittag_leffler(cplx z, double a, double b) { return mittag_leffler_part(z, a, b, Part::value); }

}  // namespace nonlin::ml
