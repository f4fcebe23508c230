// The three-parameter (Prabhakar) Mittag-Leffler function E^g_{a,b}(z) and its derivatives in
// a, b, g for complex z, and the z-derivatives D^k E^g_{a,b} = (g)_k E^{g+k}_{a,b+ka} for real
// or complex z. Real z takes the real evaluator (prabhakar.h); complex z its paths in complex
// arithmetic, each with the bound of its error, the first within 2^-47 of |E| taken (2^-45
// for d/da, d/db, whose (1/Gamma)' is good to ~4 ulp):
//   - the power series in long double (|z|^{1/a} <= 24);
//   - the large-argument expansion, algebraic part plus every branch point's
//     (prabhakar_expansion.h, |z|^{1/a} >= 12);
//   - Garrappa's inversion right of every singularity (its tolerance relative to its
//     integrand's scale);
//   - 0 < a < 2, |arg(-z)| < pi (1 - a/2): the Mellin-Barnes integral plus the residues its
//     line passed (its rounding 2^-50 of its scale);
//   - the series in wide::Float (113 bits) where its cancellation, terms ~ e^x against
//     E ~ e^{x max(0, cos theta_j)} (x = |z|^{1/a}, theta_j the branch points' angles), leaves
//     2^-50: x (1 - max(0, cos theta_j)) <= 40;
//   - the inversion with its tolerance relaxed to 1e-13;
// else (near a zero of E) the candidate with the smallest bound where that is below 1e-12 of
// |E| or 1e-14, or the expansion where its bound is within E's own conditioning (2^-50 (x + 16)
// of its parts' size, as for real z); else NaN. Every loop is bounded.
#pragma once

#include <algorithm>
#include <cmath>
#include <complex>
#include <numbers>

#include "complex.h"
#include "prabhakar.h"

namespace nonlin::ml {

inline cplx prabhakar_part(cplx z, double a, double b, double g, PPart part) {
  using namespace prabhakar_detail;
  using std::numbers::pi;
  if (z.imag() == 0 && !std::isnan(z.real())) return prabhakar_part(z.real(), a, b, g, part);
  const cplx nan(NAN, NAN);
  if (std::isnan(z.real()) || std::isnan(z.imag()) || !(a >= 0) || !(g >= 0) || !std::isfinite(a) ||
      !std::isfinite(b) || !std::isfinite(g))
    return nan;
  const bool value = part == PPart::value;
  if (g == 1 && part != PPart::d_gamma)
    return mittag_leffler_part(z, a, b, value ? Part::value : part == PPart::d_alpha ? Part::d_alpha : Part::d_beta);
  if (g == 0 && part != PPart::d_gamma)  // 1/Gamma(b)
    return value ? rgamma(b) : part == PPart::d_beta ? rgamma_deriv(b) : 0.0;
  if (a == 0) {  // sum_k (g)_k z^k / k! = (1 - z)^-g, principal
    const cplx e = std::pow(1.0 - z, -g);
    switch (part) {
      case PPart::value: return rgamma(b) * e;
      case PPart::d_beta: return rgamma_deriv(b) * e;
      case PPart::d_gamma: return -std::log(1.0 - z) * rgamma(b) * e;
      case PPart::d_alpha: return rgamma_deriv(b) * g * z * e / (1.0 - z);  // sum k (g)_k z^k / k!
    }
  }
  if (!std::isfinite(std::abs(z))) return nan;
  const double x = pole_modulus(std::abs(z), a);
  const double rel = part == PPart::d_alpha || part == PPart::d_beta ? 0x1p-45 : 0x1p-47;
  SumT<cplx> best;  // the candidate with the smallest error bound so far
  auto accept = [&](const SumT<cplx>& s) {
    if (std::isnan(s.sum.real()) || std::isnan(s.sum.imag()) || !(s.error < best.error)) return false;
    best = s;
    return s.error <= rel * std::abs(s.sum);
  };
  auto inverted = [&](int attempts) {
    const Inverted v = inversion(z, a, b, g, part, attempts, false);
    SumT<cplx> s;
    s.sum = v.value;
    s.error = v.tolerance * v.magnitude;
    return s;
  };
  if (x <= 24.0 && accept(extended_series(z, a, b, g, part))) return best.sum;
  const SumT<cplx> large = x >= 12.0 ? large_argument(z, a, b, g, part) : SumT<cplx>{};
  if (accept(large)) return best.sum;
  if (accept(inverted(1))) return best.sum;
  if (a < 2 && g > 0 && std::fabs(std::arg(-z)) < pi * (1 - a / 2) && accept(mellin_barnes(z, a, b, g, part)))
    return best.sum;
  // the largest e^{Re s_j} over the branch points of the principal sheet
  const double theta = std::arg(z);
  double dominant = 0;
  const SheetIndices sheet = principal_sheet(theta, a);
  for (int j = sheet.first; j <= sheet.last; ++j)
    dominant = std::max(dominant, std::cos((theta + 2 * pi * j) / a));
  if (x * (1 - dominant) <= 40 && accept(wide_series(z, a, b, g, part))) return best.sum;
  if (accept(inverted(3))) return best.sum;
  if (best.error <= std::max(1e-12 * std::abs(best.sum), 1e-14)) return best.sum;
  return large.error <= 0x1p-50 * (x + 16) * large.abs_sum ? large.sum : nan;
}

// D^k E^g_{a,b}(z) = (g)_k E^{g+k}_{a,b+ka}(z), order 0..12 (NaN beyond); Z = double or cplx
template <class Z>
inline Z prabhakar_derivative(Z z, double a, double b, double g, int order) {
  if (order < 0 || order > 12) return Z(NAN);
  double poch = 1.0;
  for (int i = 0; i < order; ++i) poch *= g + i;
  if (poch == 0.0) return z != z ? z : Z(0);  // g = 0: E^0 is the constant 1/Gamma(b)
  return poch * prabhakar_part(z, a, b + order * a, g + order, PPart::value);
}

// k-th derivative of E_{a,b} in z (real or complex), orders 0..12 (NaN beyond): order 1
// directly, higher ones as k! E^{k+1}_{a,b+ka} (above). (The recurrences through E_{a,b-1}
// and E_{a,b} it replaces cancelled for a >~ 1.5 and |z| >= 1: 5e4 relative error at order 12,
// a = 2, z = 1.5.)
template <class Z>
Z mittag_leffler_derivative(Z z, double a, double b, int order) {
  if (order == 0) return mittag_leffler_part(z, a, b, Part::value);
  if (order == 1) return mittag_leffler_part(z, a, b, Part::d_z);
  return prabhakar_derivative(z, a, b, 1.0, order);
}

}  // namespace nonlin::ml
