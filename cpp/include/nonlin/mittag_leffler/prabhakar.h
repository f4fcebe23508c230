// The three-parameter (Prabhakar) Mittag-Leffler function for real z and g >= 0,
//   E^g_{a,b}(z) = sum_k (g)_k z^k / (k! Gamma(a k + b)),   (g)_k = g (g + 1) ... (g + k - 1),
// its z-derivatives D^k E^g_{a,b} = (g)_k E^{g+k}_{a,b+ka} (Garra & Garrappa 2018, Commun.
// Nonlinear Sci. Numer. Simul. 56:314, eq. 5.2) and its derivatives in a, b and g, each path
// differentiated termwise (PPart). Paths, per element:
//   - g = 1: the two-parameter evaluator (evaluate.h); g = 0 or z = 0: 1/Gamma(b);
//     a = 0: (1 - z)^-g / Gamma(b) (z < 1; beyond, NaN unless g is an integer);
//   - the power series (renormalised, no intermediate overflow): every term is positive for
//     z > 0, so it is accurate up to overflow; for z < 0 it is accepted only while the sum of
//     |terms| bounds its rounding error well below the result (in long double where double
//     would cancel too much);
//   - a = 1, z < 0: Kummer's transformation of 1F1(g; b; z) / Gamma(b) (below);
//   - z < 0, |z|^{1/a} >= 12: the large-argument expansion (prabhakar_expansion.h), the
//     algebraic part (Garra & Garrappa 2018, eq. 4.6) plus each branch point's exponential
//     part by Watson's lemma, where its truncation, Stokes-line and cancellation bound is
//     within 2^-47 of E;
//   - Garrappa's inversion of the Laplace transform s^{ag-b}/(s^a - z)^g = s^-b (1 - z s^-a)^-g
//     on a parabolic contour right of every singularity (for non-integer g they are branch
//     points: there are no residues to add; Garrappa 2015, SIAM J. Numer. Anal. 53:1350) where
//     that reaches 1e-15; left of the contour the branch cuts run from the origin to the
//     singularities, so the principal powers are the transform's continuation along it;
//   - z < 0, a > 1, where the singularities are too strong for that contour (|z|^{1/a}
//     between the series' and the expansion's ranges): the series in 113-bit arithmetic
//     (wide_float.h, with 1/Gamma and its derivative in that precision) while its
//     cancellation leaves 1e-15;
//   - z < 0, 0 < a < 2, g > 0: the Mellin-Barnes integral (mellin_barnes.h) plus the series or
//     expansion terms whose poles its line passed;
//   - else the inversion with its tolerance relaxed up to 1e-13; else (near E's zeros) the
//     large-argument expansion where its bound is within E's own conditioning (a >= 2, where
//     E oscillates with a growing envelope); else the series or the Mellin-Barnes value,
//     whichever rounding bound is smaller, where it is below 1e-12 of E or 1e-14 absolute.
//     Where the series was summed, an inversion result is taken only if the two agree within
//     the series' bound (its tolerance is relative to its integrand's scale, which can lie far
//     above E).
// Where none of these is within its error bound the result is NaN (none seen in the tests:
// a in (0, 3], b in (-2, 5], g in (0, 5], |z|^{1/a} up to 300). Every loop is bounded.
// Invalid parameters (a < 0, g < 0, non-finite a, b, g; NaN z) give NaN. Complex z:
// prabhakar_complex.h.
#pragma once

#include <algorithm>
#include <cmath>
#include <complex>
#include <limits>
#include <numbers>
#include <type_traits>

#include "evaluate.h"
#include "gamma.h"
#include "inversion.h"
#include "mellin_barnes.h"
#include "prabhakar_expansion.h"
#include "prabhakar_series.h"
#include "wide_float.h"

namespace nonlin::ml {

namespace prabhakar_detail {

// The residues a Mellin-Barnes line Re s = c has passed: c = -M - 1/2 left of the poles
// s = 0, -1, ..., -M of Gamma(s), whose residues are the first M + 1 terms of the power series,
// or c = g + K - 1/2 right of the poles s = g, ..., g + K - 1 of Gamma(g - s): the first K terms
// of the algebraic expansion.
template <class Z>
inline SumT<Z> passed_residues(Z z, double a, double b, double g, PPart part, double c) {
  if (c < 0) return series<double>(z, a, b, g, part, int(std::lround(-c - 0.5)) + 1);
  return algebraic(z, a, b, g, part, int(std::lround(c - g + 0.5)), true);
}

// 0 < a < 2, g > 0, z < 0 or complex z with |arg(-z)| < pi (1 - a/2): the Mellin-Barnes
// integral (mellin_barnes.h) plus the residues its
// line has passed, on the line c in {-7.5, ..., -0.5, g - 1/2 (g >= 1), g + 1/2, ..., g + 5.5}
// (each 1/2 from the nearest poles) that minimises the scale of the rounding, sum |residues| +
// sum |integrand| (on a coarse grid): left where the integrand's t^(a c) growth dominates
// (small |z|), right where the algebraic terms carry most of E (large |z|). The scale is
// log-convex in c, so the search walks from g + 1/2 to the nearest minimum. Returns the value
// and that scale (the rounding is a few ulp of it).
template <class Z>
inline SumT<Z> mellin_barnes(Z z, double a, double b, double g, PPart part) {
  constexpr int max_nodes = 60000;  // t <= 4200: a up to ~1.985
  double cs[16];
  int n = 0;
  for (int m = 7; m >= 0; --m) cs[n++] = -m - 0.5;
  if (g >= 1) cs[n++] = g - 0.5;
  const int start = n;
  for (int k = 1; k <= 6; ++k) cs[n++] = g + k - 0.5;
  auto scale = [&](double c) {
    const MellinBarnesLine<Z> coarse = mellin_barnes_line(-z, a, b, g, c, PPart::value, 2.0, max_nodes / 28);
    return coarse.magnitude + passed_residues(z, a, b, g, PPart::value, c).abs_sum;
  };
  int best = start;
  double best_scale = scale(cs[start]);
  for (int dir : {-1, 1}) {
    bool moved = false;
    for (int i = best + dir; i >= 0 && i < n; i += dir) {
      const double s = scale(cs[i]);
      if (!(s < best_scale)) break;
      best = i;
      best_scale = s;
      moved = true;
    }
    if (moved) break;
  }
  SumT<Z> r;
  if (!std::isfinite(best_scale)) return r;
  const MellinBarnesLine<Z> line = mellin_barnes_line(-z, a, b, g, cs[best], part, 0.07, max_nodes);
  const SumT<Z> res = passed_residues(z, a, b, g, part, cs[best]);
  r.sum = res.sum + line.value;
  r.abs_sum = res.abs_sum + line.magnitude;
  r.converged = !std::isnan(std::abs(line.value));
  r.error = r.converged ? res.abs_sum * 0x1p-50 + line.rounding : INFINITY;
  return r;
}

// Garrappa's inversion on the unbounded region right of every singularity of the transform,
// for real (real_z: half the nodes, by symmetry) or complex z; attempts: 1 asks for 1e-15,
// each further one relaxes the tolerance tenfold. Returns the value, the tolerance reached
// and the integrand's scale (h / 2 pi) sum |F_k| it is relative to; NaN where no attempt
// reaches its tolerance in 400 nodes.
struct Inverted {
  cplx value = NAN;
  double tolerance = INFINITY, magnitude = INFINITY;
};

inline Inverted inversion(cplx z, double a, double b, double g, PPart part, int attempts, bool real_z) {
  using namespace detail;
  using std::numbers::pi;
  const double x = pole_modulus(std::abs(z), a);
  // rightmost singularity: s = x e^{i theta}, theta = (arg z + 2 pi j)/a, |theta| < pi
  const double theta0 = std::arg(z);
  double phi_max = 0.0;
  const SheetIndices sheet = principal_sheet(theta0, a);
  for (int j = sheet.first; j <= sheet.last; ++j) {
    const double th = (theta0 + 2 * pi * j) / a;
    if (std::fabs(th) >= pi) continue;
    phi_max = std::max(phi_max, 0.5 * x * (std::cos(th) + 1.0));
  }
  // d/da differentiates w^-g into w^-(g+1): a stronger singularity
  const double g_eff = part == PPart::d_alpha ? g + 1 : g;
  // (the log factors of the parameter derivatives weaken the decay at the origin: + 1/2)
  const double strength = phi_max > 1e-15 ? g_eff
                          : std::max(0.0, -2 * (a * g_eff - b + 1)) + (part == PPart::value ? 0.0 : 0.5);
  // Rounding grows like e^{phi_max} eps: the tolerance is relaxed (as Garrappa does) up to
  // 1e-13 where the caller allows; beyond, the result is NaN, not a number with unknown error.
  double log_epsilon = std::log(1e-15);
  ContourParams c;
  for (int attempt = 0; attempt < attempts; ++attempt) {
    if (phi_max < log_epsilon - log_eps) {
      c = optimal_unbounded(phi_max, strength, log_epsilon);
      if (c.n <= 200) break;
    }
    log_epsilon += std::log(10.0);
  }
  Inverted r;
  if (!(c.n <= 400)) return r;
  const int n = int(c.n);
  auto node = [&](int k) {  // F = e^s s^-b w^-g ds/du, w = 1 - z s^-a, s = mu (1 + i u)^2
    const double u = c.h * k;
    const cplx s = c.mu * cplx(1 - u * u, 2 * u);
    const cplx ds(-2 * c.mu * u, 2 * c.mu);
    const cplx ls = std::log(s);
    const cplx sa = std::exp(-a * ls), w = 1.0 - z * sa, lw = std::log(w);
    const cplx f = std::exp(s - b * ls - g * lw) * ds;
    switch (part) {
      case PPart::value: return f;
      case PPart::d_beta: return -ls * f;
      case PPart::d_gamma: return -lw * f;
      case PPart::d_alpha: return -g * z * ls * sa / w * f;  // dw/da = z log(s) s^-a
    }
    return f;
  };
  const ContourSum sum = trapezoid_sum(node, n, c.h, real_z);
  r.value = sum.value;
  r.magnitude = sum.magnitude;
  r.tolerance = std::exp(log_epsilon);
  return r;
}

inline double inversion(double z, double a, double b, double g, PPart part, int attempts) {
  return inversion(cplx(z, 0.0), a, b, g, part, attempts, true).value.real();
}

}  // namespace prabhakar_detail

inline double prabhakar_part(double z, double a, double b, double g, PPart part) {
  using namespace prabhakar_detail;
  if (std::isnan(z) || !(a >= 0) || !(g >= 0) || !std::isfinite(a) || !std::isfinite(b) ||
      !std::isfinite(g))
    return NAN;
  const bool value = part == PPart::value;
  if (g == 1 && part != PPart::d_gamma)
    return mittag_leffler_part(z, a, b, value ? Part::value : part == PPart::d_alpha ? Part::d_alpha : Part::d_beta);
  if (z == 0 || (g == 0 && part != PPart::d_gamma))  // 1/Gamma(b)
    return value ? rgamma(b) : part == PPart::d_beta ? rgamma_deriv(b) : 0.0;
  if (a == 0) {  // sum_k (g)_k z^k / k! = (1 - z)^-g
    if (!(z < 1) && g != std::nearbyint(g)) return NAN;
    const double e = std::pow(1.0 - z, -g);
    switch (part) {
      case PPart::value: return rgamma(b) * e;
      case PPart::d_beta: return rgamma_deriv(b) * e;
      case PPart::d_gamma: return z < 1 ? -std::log1p(-z) * rgamma(b) * e : NAN;
      case PPart::d_alpha: return rgamma_deriv(b) * g * z * e / (1.0 - z);  // sum k (g)_k z^k / k!
    }
  }
  if (std::isinf(z)) {
    if (z > 0) return value ? INFINITY : NAN;  // grows like e^{z^{1/a}}
    return a < 2 ? 0.0 : NAN;  // decays like |z|^-g (a < 2); no limit otherwise
  }
  const double x = pole_modulus(z, a);
  if (z > 0 && x > 800) return value ? INFINITY : NAN;  // beyond overflow (x ~ 710)
  if (z > 0) {  // positive terms (from the first k with a k + b > 0 on): accurate to overflow
    const Sum s = series<double>(z, a, b, g, part, 200000);
    return s.converged ? s.sum : NAN;
  }
  if (value && a == 1 && z >= -700 && !is_nonpositive_integer(b)) {
    const Sum s = kummer(z, b, g, 4000);
    if (s.converged) return s.sum;
  }
  // alternating series, in long double (64-bit or wider significand; double where that is all
  // there is). Each term carries ~ k roundings (running products), so the rounding of the sum is
  // below terms * u * sum|terms|: accepted where that is below 2^-47 of the result, or near the
  // zeros of the oscillating cases (a > 1) below 2^-50 absolute. The d/da, d/db terms' factor
  // (1/Gamma)' is a double (within ~4 ulp).
  Sum ls;  // the series where it was summed, with its rounding bound
  if (x <= 24.0) {
    ls = extended_series(z, a, b, g, part);
    const bool psi = part == PPart::d_alpha || part == PPart::d_beta;
    const double rel = psi ? 0x1p-45 : 0x1p-47;  // the contour does no better for these parts
    if (ls.error <= rel * std::fabs(ls.sum) || (a > 1 && ls.error <= 0x1p-50)) return ls.sum;
  }
  // the large-argument expansion (prabhakar_expansion.h) where its truncation leaves 2^-47
  SumT<cplx> large;
  if (x >= 12.0) {
    large = large_argument(cplx(z, 0.0), a, b, g, part);
    if (large.error <= 0x1p-47 * std::fabs(large.sum.real())) return large.sum.real();
  }
  // The inversion where it reaches 1e-15 (the cheaper path) -- its tolerance is relative to
  // its integrand's scale, which can lie far above E (near E's zeros, e.g. a ~ 1 with a large
  // g), so where the series was summed the two must agree within the series' bound; else, for
  // a < 2, the Mellin-Barnes integral where its rounding bound (each node's 16 ulp plus its
  // phase's) is below 1e-13 of E (or 1e-14 absolute near the zeros of the oscillating a > 1);
  // else the inversion
  // at a tolerance relaxed to 1e-13; else (near a zero of E) the expansion where its bound is
  // within E's own conditioning, |z E'(z)| eps ~ eps |z|^{1/a} / a times the envelope of E (its
  // parts' size; a >= 2, where E oscillates with a growing envelope), taken as
  // 2^-50 (x + 16) of the envelope; else the series or the integral, whichever bound is
  // smaller, where it is below 1e-12 of E or 1e-14; else NaN.
  // (for d/da the inversion's integrand carries an extra z s^-a log(s) / w, and it lost up to
  // 2.5e-13 where the value is within 1e-15: the integral goes first there)
  // The series in wide::Float (113 bits where available) where long double cancelled too much,
  // for a > 1 and z < 0, where the singularities defeat the contour (a >= 2) or the
  // Mellin-Barnes integral is less accurate (1 < a < 2). Terms reach e^x, E ~ e^{x cos(pi/a)}
  // (a > 2) or less: tried where that leaves 1e-15, x (1 - cos+(pi/a)) <= 40 (~1 ms: a
  // 1/Gamma per term in software)
  auto try_wide_series = [&](double& v) {
    const double cancel = x * (1 - std::max(0.0, std::cos(std::numbers::pi / a)));
    if (a > 1 && cancel <= 40) {
      const Sum s = wide_series(z, a, b, g, part);
      v = s.sum;
      return s.error <= std::max(0x1p-50 * std::fabs(v), 0x1p-53);
    }
    return false;
  };
  Sum mb;
  double mb_error = INFINITY;
  bool mb_tried = false;
  auto mb_within_bound = [&] {
    if (!mb_tried && a < 2 && g > 0) {
      mb = mellin_barnes(z, a, b, g, part);
      mb_error = mb.error;
    }
    mb_tried = true;
    return mb_error <= std::max(1e-13 * std::fabs(mb.sum), a > 1 ? 1e-14 : 0.0);
  };
  auto agrees_with_series = [&](double v) {
    return !std::isnan(v) && !(std::fabs(v - ls.sum) > ls.error + 0x1p-47 * std::fabs(v));
  };
  if (part == PPart::d_alpha && mb_within_bound()) return mb.sum;
  const double strict = inversion(z, a, b, g, part, 1);
  if (agrees_with_series(strict)) return strict;
  if (double v; try_wide_series(v)) return v;
  if (mb_within_bound()) return mb.sum;
  const double relaxed = inversion(z, a, b, g, part, 3);
  if (agrees_with_series(relaxed)) return relaxed;
  if (large.error <= 0x1p-50 * (x + 16) * large.abs_sum && large.error < std::min(ls.error, mb_error))
    return large.sum.real();
  const bool series_better = ls.error < mb_error;
  const double v = series_better ? ls.sum : mb.sum, bound = series_better ? ls.error : mb_error;
  return bound <= std::max(1e-12 * std::fabs(v), 1e-14) ? v : NAN;
}

}  // namespace nonlin::ml
