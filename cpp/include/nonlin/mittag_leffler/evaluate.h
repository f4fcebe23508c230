// E_{a,b}(z) and its first derivatives for real z, choosing per element among
//   - exact branches: a = 0 (E_{0,b}(z) = 1/(Gamma(b)(1 - z))), z = 0, a = 1 with integer
//     b <= 1 (z^{1-b} e^z) or b = 2 (expm1(z)/z), z = +-inf;
//   - the power series where |z|^{1/a} is small (accepted only if its rounding error bound,
//     eps * sum |terms|, is small against the result);
//   - the asymptotic expansion with its exponential residues where |z|^{1/a} is large;
//   - z < 0 with b >= 5 between those ranges: the series in long double or 113 bits
//     (large_beta_series);
//   - Garrappa's Laplace inversion on an optimal parabolic contour elsewhere.
// `shift` returns the part times e^{-shift} with the exponentials combined before they can
// overflow: with shift = z^{1/a} (the growth of the dominant residue for z > 0), or a common
// shift for two factors, ratios of Mittag-Leffler functions never overflow.
// Invalid parameters (a < 0, non-finite a or b, NaN z) give NaN.
#pragma once

#include <algorithm>
#include <cmath>
#include <numbers>

#include "asymptotic.h"
#include "gamma.h"
#include "inversion.h"
#include "part.h"
#include "prabhakar_series.h"
#include "series.h"

namespace nonlin::ml {

namespace detail {

// a = 0: the series sum_k z^k / Gamma(b) continued analytically (Z = double or complex).
template <class Z>
Z alpha_zero(Z z, double b, Part part) {
  const Z w = 1.0 / (1.0 - z);
  switch (part) {
    case Part::value: return rgamma(b) * w;
    case Part::d_z: return rgamma(b) * w * w;
    case Part::d_beta: return rgamma_deriv(b) * w;
    case Part::d_alpha: return std::isinf(std::abs(z)) ? Z(0.0) : rgamma_deriv(b) * z * w * w;  // sum k z^k
  }
  return NAN;
}

// a = 1 with integer b <= 1 (E_{1,1-m}(z) = z^m e^z) or b = 2 (E_{1,2}(z) = expm1(z)/z): exact
// formulas for the value, and for d/dz when b <= 1 (the asymptotic power terms all vanish
// there, so only these forms keep relative accuracy for z -> -inf).
inline bool has_closed_form(double a, double b, Part part) {
  if (a != 1) return false;
  const bool small_int = b <= 1 && b == std::nearbyint(b) && b > -64;
  return (part == Part::value && (small_int || b == 2)) || (part == Part::d_z && small_int);
}

inline double at_zero(double a, double b, Part part) {
  switch (part) {
    case Part::value: return rgamma(b);
    case Part::d_z: return rgamma(a + b);
    case Part::d_beta: return rgamma_deriv(b);
    case Part::d_alpha: return 0.0;
  }
  return NAN;
}

inline double at_infinity(double z, double a, Part part, double shift) {
  if (z < 0) return a < 2 ? 0.0 : NAN;  // decays (a < 2); oscillates without limit otherwise
  if (shift != 0) return NAN;           // inf - inf
  return (part == Part::value || part == Part::d_z) ? INFINITY : -INFINITY;
}

// Terms the series needs: geometric bound for |z| < 1, and the point where
// a k + b passes e |z|^{1/a} by enough for the Gamma growth to take over.
inline double series_terms_estimate(double z, double a, double x) {
  const double az = std::fabs(z);
  const double geo = az < 1 ? 40.0 / -std::log(az) : INFINITY;
  const double gam = (2.72 * x + 45.0) / a;
  return std::min(geo, gam);
}

// z < 0 beyond the double series' range (|z|^{1/a} = x > 4) and short of the expansion's, with
// b >= 5: there Garrappa's contour loses digits as b grows (its integrand's scale lies orders of
// magnitude above E: 5e-13 at b = 7, 4e-7 at b = 10, E_{1.001,20}(-10) 1e10 times too large),
// while the terms of the series fall (or rise little) before they alternate away. The series is
// tried in long double where its largest term, at a k + b ~ x, is predicted within 2^12 of E's
// leading size 1/(|z| Gamma(b - a)), else (or where that cancelled too much; b >= 7) in 113
// bits within 2^40; accepted on its rounding bound alone (NaN: no). Below b = 5 the contour is
// within 1e-13 and these attempts would only cost (plans for the activations' b ~ 1 rebuild per
// step; long double is software quad on aarch64).
inline double large_beta_series(double z, double a, double b, double x, Part part) {
  if (b < 5) return NAN;
  const double k = std::max(0.0, std::floor((x - b) / a));
  int sign;
  const double log_peak = k * std::log(-z) - prabhakar_detail::log_abs_gamma(a * k + b, sign);
  const double log_e = -std::log(-z) - prabhakar_detail::log_abs_gamma(b - a, sign);
  const double cancel = log_peak - log_e;  // the log of sum |terms| / |E|, roughly
  if (!(cancel <= 40 * std::numbers::ln2)) return NAN;
  // E' = E^2_{a,a+b}
  const double bs = part == Part::d_z ? a + b : b, g = part == Part::d_z ? 2.0 : 1.0;
  const PPart pp = part == Part::d_alpha  ? PPart::d_alpha
                   : part == Part::d_beta ? PPart::d_beta
                                          : PPart::value;
  const double rel = pp == PPart::value ? 0x1p-47 : 0x1p-45;
  if (cancel <= 12 * std::numbers::ln2) {
    const SeriesSum s = prabhakar_detail::extended_series(z, a, bs, g, pp);
    if (s.error <= rel * std::fabs(s.sum)) return s.sum;
  }
  if (b < 7) return NAN;  // the contour is within 1e-13 up to b ~ 6: not worth ~1 ms
  const SeriesSum w = prabhakar_detail::wide_series(z, a, bs, g, pp);
  return w.error <= rel * std::fabs(w.sum) ? w.sum : NAN;
}

}  // namespace detail

inline double mittag_leffler_part(double z, double a, double b, Part part, double shift = 0.0) {
  using namespace detail;
  if (std::isnan(z) || !(a >= 0) || !std::isfinite(a) || !std::isfinite(b) || std::isnan(shift))
    return NAN;
  if (a == 0) return alpha_zero(z, b, part) * std::exp(-shift);
  if (z == 0) return at_zero(a, b, part) * std::exp(-shift);
  if (std::isinf(z)) return at_infinity(z, a, part, shift);
  const double x = pole_modulus(z, a);
  if (has_closed_form(a, b, part)) {
    if (b == 2)
      return (z < 1 ? std::expm1(z) * std::exp(-shift) : std::exp(z - shift) - std::exp(-shift)) / z;
    // E_{1,1-m}(z) = z^m e^z for m = 0, 1, 2, ...
    const double m = 1 - b, zm = std::pow(z, m), e = std::exp(z - shift);
    return part == Part::value ? zm * e : (m == 0 ? e : (m * std::pow(z, m - 1) + zm) * e);
  }
  // power series
  const double terms = series_terms_estimate(z, a, x);
  if ((z > 0 ? x <= 20.0 : x <= 4.0) && terms <= 600) {
    const SeriesSum s = power_series(z, a, b, part, int(terms * 1.5) + 20);
    const bool oscillating = a > 1 && z < 0;
    if (s.converged && (s.abs_sum <= 64 * std::fabs(s.sum) || (oscillating && s.abs_sum <= 32)))
      return s.sum * std::exp(-shift);
  }
  // asymptotic expansion: its smallest term is ~e^{-x} of the leading one, against E ~ e^x
  // (z > 0) or E ~ 1/|z| (z < 0)
  if (x >= (z > 0 ? 20.0 : 36.0)) {
    const AsymptoticSum r = asymptotic(z, a, b, part, shift, 400);
    if (r.converged) return r.sum;
  }
  if (z < 0 && x > 4.0) {
    const double v = large_beta_series(z, a, b, x, part);
    if (!std::isnan(v)) return v * std::exp(-shift);
  }
  return laplace_inversion(cplx(z, 0.0), a, b, part, shift, true).real();
}

inline double mittag_leffler(double z, double a, double b) {
  return mittag_leffler_part(z, a, b, Part::value);
}

inline cplx mittag_leffler_part(cplx z, double a, double b, Part part);  // complex.h

}  // namespace nonlin::ml
