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
//   - z < 0, 0 < a < 2, |z| large: the algebraic expansion from the Mellin-Barnes integral,
//       E^g_{a,b}(z) ~ sum_k (g)_k / k! (-1)^k (-z)^{-(g+k)} / Gamma(b - a(g + k))
//     (Garra & Garrappa 2018, eq. 4.6; for g = 1 the classical -sum_j z^-j / Gamma(b - a j)),
//     where the singularities' exponentially small part (1 < a < 2) is below the rounding;
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
//   - else the inversion with its tolerance relaxed up to 1e-13; else the series or the
//     Mellin-Barnes value, whichever rounding bound is smaller, where it is below 1e-12 of E
//     or 1e-14 absolute (near E's zeros). Where the series was summed, an inversion result is
//     taken only if the two agree within the series' bound (its tolerance is relative to its
//     integrand's scale, which can lie far above E).
// Where none of these is within its error bound (a >= 2, z < 0, non-integer g, where the
// 113-bit series cancels too much, |z|^{1/a} (1 - cos(pi/a)) >~ 40: the integral diverges for
// a >= 2) the result is NaN. Every loop is bounded. Invalid parameters (a < 0, g < 0,
// non-finite a, b, g; NaN z) give NaN.
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
#include "wide_float.h"

namespace nonlin::ml {

namespace prabhakar_detail {

struct Sum {
  double sum = 0.0, abs_sum = 0.0;
  int terms = 0;
  bool converged = false;
};

// log|Gamma(x)| and its sign, reentrant (std::lgamma writes the global signgam)
inline double log_abs_gamma(double x, int& sign) {
  sign = 1;
  return ::lgamma_r(x, &sign);
}

// log|1/Gamma(x)|, with its sign in `sign` (0 at the poles of Gamma, where 1/Gamma is 0)
inline double log_abs_rgamma(double x, double& sign) {
  if (is_nonpositive_integer(x)) {
    sign = 0.0;
    return -INFINITY;
  }
  int s;
  const double lg = log_abs_gamma(x, s);
  sign = s;
  return -lg;
}

// log|d/dx 1/Gamma(x)| = log|psi(x) / Gamma(x)|, with its sign; (-1)^n n! at x = -n
inline double log_abs_rgamma_deriv(double x, double& sign) {
  if (is_nonpositive_integer(x)) {
    const double n = -x;
    sign = std::fmod(n, 2.0) == 0 ? 1.0 : -1.0;
    int s;
    return log_abs_gamma(n + 1, s);
  }
  const double psi = digamma(x);
  const double lr = log_abs_rgamma(x, sign);
  sign = psi > 0 ? -sign : psi < 0 ? sign : 0.0;
  return lr + std::log(std::fabs(psi));
}

// The factor a term of the series carries for each part, on top of (g)_k z^k / k! (or, for
// d/dg, its g-derivative): 1/Gamma(x), d/dx 1/Gamma(x), k d/dx 1/Gamma(x) at x = a k + b.
template <class T>
inline T series_factor(PPart part, T x, int k, int e2, T coef) {
  const bool deriv = part == PPart::d_alpha || part == PPart::d_beta;
  const T mult = part == PPart::d_alpha ? T(k) : T(1);
  if (x < 170) {
    if (!deriv) {
      if (is_nonpositive_integer(double(x)) && x == wide::nearbyint(x)) return 0;
      return wide::ldexp(coef / wide::tgamma(x), e2);
    }
    // (1/Gamma)' in T where T is wider than double (wide_float.h), else glibc-based (~4 ulp)
    T d;
    if constexpr (std::is_same_v<T, double>) d = rgamma_deriv(x);
    else d = wide::rgamma_deriv(x);
    return wide::ldexp(coef * mult * d, e2);
  }
  double sign;
  const double l = deriv ? log_abs_rgamma_deriv(double(x), sign) : log_abs_rgamma(double(x), sign);
  return T(sign) * mult *
         wide::copysign(wide::exp(wide::log(wide::fabs(coef)) + e2 * T(std::numbers::ln2) + T(l)), coef);
}

// The power series in T (double, or long double where the alternating sum cancels more than
// double can carry). (g)_k / k! and z^k are running products (a few roundings per term, like
// the two-parameter series), renormalised by powers of two so neither overflows; 1/Gamma(a k + b)
// is direct below 170 and joins the log form beyond (where E itself is ~ e^170 or more and its
// conditioning eps z^(1/a) dominates anyway).
template <class T>
constexpr int digits_of() {
  if constexpr (std::is_same_v<T, wide::Float>) return wide::float_digits;
  else return std::numeric_limits<T>::digits;
}

template <class T>
inline Sum series(double z, double a, double b, double g, PPart part, int max_terms) {
  // past the peak the terms fall factorially: stop once one is below the rounding of |terms|
  // in T (the alternating sums keep only digits_of<T> - log2(sum |t| / |sum|) bits)
  const T tiny = wide::ldexp(T(1), -digits_of<T>() - 4);
  T sum = 0, abs_sum = 0;
  Sum r;
  const double peak = std::pow(std::fabs(z), 1.0 / a);  // terms fall once a k + b >> |z|^{1/a}
  // (g)_k / k! z^k = pz 2^e2 and its g-derivative qz 2^e2 (for d/dg; exact at g = 0 too)
  T pz = 1, qz = 0;
  int e2 = 0;
  for (int k = 0; k < max_terms; ++k) {
    const T arg = T(a) * k + T(b);
    const T t = series_factor<T>(part, arg, k, e2, part == PPart::d_gamma ? qz : pz);
    sum += t;
    abs_sum += wide::fabs(t);
    r.terms = k + 1;
    if (arg > 2 && arg > peak && k > g && wide::fabs(t) <= tiny * abs_sum) {
      r.converged = true;
      break;
    }
    qz = (qz * (T(g) + k) + pz) / (k + T(1)) * T(z);
    pz *= (T(g) + k) / (k + T(1)) * T(z);
    if (pz == 0 && qz == 0) {  // (g)_k = 0: a polynomial
      r.converged = true;
      break;
    }
    int e;
    wide::frexp(std::max(wide::fabs(pz), wide::fabs(qz)), &e);
    pz = wide::ldexp(pz, -e);
    qz = wide::ldexp(qz, -e);
    e2 += e;
  }
  r.sum = double(sum);
  r.abs_sum = double(abs_sum);
  return r;
}

// The series in T (up to 4000 terms) and the bound of its rounding: each term carries ~k
// roundings in T (running products), the d/da, d/db terms' (1/Gamma)' a few more (4 ulp);
// INFINITY where it did not converge.
template <class T>
inline Sum bounded_series(double z, double a, double b, double g, PPart part, double& error) {
  const Sum s = series<T>(z, a, b, g, part, 4000);
  const bool psi = part == PPart::d_alpha || part == PPart::d_beta;
  error = s.converged ? s.abs_sum * s.terms * std::ldexp(1.0, -digits_of<T>()) * (psi ? 4 : 1) : INFINITY;
  return s;
}

// a = 1: E^g_{1,b}(z) = 1F1(g; b; z) / Gamma(b) = e^z sum_k (b - g)_k (-z)^k / (k! Gamma(b + k))
// (Kummer's transformation): for z < 0 the terms keep one sign from k > g - b on, so the sum is
// accurate even where E is exponentially small (b - g a non-positive integer: E = e^z poly(z)).
inline Sum kummer(double z, double b, double g, int max_terms) {
  Sum r;
  const double c = b - g, w = -z;
  double t = rgamma(b);  // (c)_k w^k / (k! Gamma(b + k)) by its term ratio
  for (int k = 0; k < max_terms; ++k) {
    r.sum += t;
    r.abs_sum += std::fabs(t);
    if (k > w && k > -c && std::fabs(t) <= 0x1p-56 * r.abs_sum) {
      r.converged = true;
      break;
    }
    t *= (c + k) * w / ((k + 1.0) * (b + k));
    if (t == 0.0 && c + k == 0.0) {  // the series terminates
      r.converged = true;
      break;
    }
  }
  const double e = std::exp(z);
  r.sum *= e;
  r.abs_sum *= e;
  return r;
}

// The algebraic expansion for z < 0. An asymptotic series: each term is bounded by the
// envelope of 1/Gamma (gamma.h; also where the term happens to vanish at a pole of Gamma), the
// sum is accepted once a bound falls below the rounding of the sum, and abandoned once the
// bounds grow again (as asymptotic.h does for g = 1). all_terms: exactly max_terms terms, no
// test (the residues a Mellin-Barnes line has passed).
inline Sum algebraic(double z, double a, double b, double g, PPart part, int max_terms, bool all_terms = false) {
  Sum r;
  const double lw = std::log(-z);
  double min_bound = INFINITY;
  double p = 1, q = 0, harmonic = 0;  // (g)_k / k!, its g-derivative, sum_{j<k} 1/(g + j)
  for (int k = 0; k < max_terms; ++k) {
    const double arg = b - a * (g + k);
    const double lc = -(g + k) * lw;  // log of w^-(g+k), w = -z
    double s0, s1;
    const double l0 = log_abs_rgamma(arg, s0), l1 = log_abs_rgamma_deriv(arg, s1);
    const double R = s0 == 0.0 ? 0.0 : s0 * std::exp(lc + l0);  // w^-(g+k) / Gamma(arg)
    const double D = s1 == 0.0 ? 0.0 : s1 * std::exp(lc + l1);  // w^-(g+k) (1/Gamma)'(arg)
    double t = 0;
    switch (part) {
      case PPart::value: t = p * R; break;
      case PPart::d_beta: t = p * D; break;
      case PPart::d_alpha: t = -(g + k) * p * D; break;
      case PPart::d_gamma: t = q * R - p * (lw * R + a * D); break;
    }
    if (k & 1) t = -t;
    r.sum += t;
    r.abs_sum += std::fabs(t);
    // bound of the term also where it happens to vanish (envelope of 1/Gamma and of its
    // derivative, which carries at most a log factor more)
    const double lenv = lc + log_rgamma_envelope(arg) + std::log(std::max(std::fabs(p), std::fabs(q)) + 1e-300);
    const double widen = part == PPart::value ? 1.0
                         : (4.0 + std::log1p(std::fabs(arg))) * (1.0 + g + k + std::fabs(lw) + a + harmonic);
    const double bound = std::exp(lenv) * widen;
    if (all_terms) {
      r.converged = k + 1 == max_terms;
    } else if (k > 0 && bound <= 0x1p-56 * std::fabs(r.sum)) {
      r.converged = true;
      return r;
    } else if (bound > 16 * min_bound) {
      return r;
    }
    min_bound = std::min(min_bound, bound);
    q = (q * (g + k) + p) / (k + 1.0);
    p *= (g + k) / (k + 1.0);
    harmonic += 1.0 / (g + k);
  }
  return r;
}

// The residues a Mellin-Barnes line Re s = c has passed: c = -M - 1/2 left of the poles
// s = 0, -1, ..., -M of Gamma(s), whose residues are the first M + 1 terms of the power series,
// or c = g + K - 1/2 right of the poles s = g, ..., g + K - 1 of Gamma(g - s): the first K terms
// of the algebraic expansion.
inline Sum passed_residues(double z, double a, double b, double g, PPart part, double c) {
  if (c < 0) return series<double>(z, a, b, g, part, int(std::lround(-c - 0.5)) + 1);
  return algebraic(z, a, b, g, part, int(std::lround(c - g + 0.5)), true);
}

// z < 0, 0 < a < 2, g > 0: the Mellin-Barnes integral (mellin_barnes.h) plus the residues its
// line has passed, on the line c in {-7.5, ..., -0.5, g - 1/2 (g >= 1), g + 1/2, ..., g + 5.5}
// (each 1/2 from the nearest poles) that minimises the scale of the rounding, sum |residues| +
// sum |integrand| (on a coarse grid): left where the integrand's t^(a c) growth dominates
// (small |z|), right where the algebraic terms carry most of E (large |z|). The scale is
// log-convex in c, so the search walks from g + 1/2 to the nearest minimum. Returns the value
// and that scale (the rounding is a few ulp of it).
inline Sum mellin_barnes(double z, double a, double b, double g, PPart part) {
  constexpr int max_nodes = 60000;  // t <= 4200: a up to ~1.985
  double cs[16];
  int n = 0;
  for (int m = 7; m >= 0; --m) cs[n++] = -m - 0.5;
  if (g >= 1) cs[n++] = g - 0.5;
  const int start = n;
  for (int k = 1; k <= 6; ++k) cs[n++] = g + k - 0.5;
  auto scale = [&](double c) {
    const MellinBarnesLine coarse = mellin_barnes_line(-z, a, b, g, c, PPart::value, 2.0, max_nodes / 28);
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
  Sum r;
  if (!std::isfinite(best_scale)) return r;
  const MellinBarnesLine line = mellin_barnes_line(-z, a, b, g, cs[best], part, 0.07, max_nodes);
  const Sum res = passed_residues(z, a, b, g, part, cs[best]);
  r.sum = res.sum + line.value;
  r.abs_sum = res.abs_sum + line.magnitude;
  r.converged = !std::isnan(line.value);
  return r;
}

// Garrappa's inversion on the unbounded region right of every singularity of the transform;
// attempts: 1 asks for 1e-15, each further one relaxes the tolerance tenfold.
inline double inversion(double z, double a, double b, double g, PPart part, int attempts) {
  using namespace detail;
  using std::numbers::pi;
  const double x = pole_modulus(z, a);
  // rightmost singularity: s = x e^{i theta}, theta = (arg z + 2 pi j)/a, |theta| < pi
  const double theta0 = z < 0 ? pi : 0.0;
  double phi_max = 0.0;
  for (int j = int(std::ceil(-a / 2 - theta0 / (2 * pi))); j <= int(std::floor(a / 2 - theta0 / (2 * pi))); ++j) {
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
  if (!(c.n <= 400)) return NAN;
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
  // real z: S_{-k} = -conj(S_k), the integral is (h / 2 pi) (Im S_0 + 2 sum_{k>0} Im S_k)
  double im = node(0).imag();
  for (int k = 1; k <= n + 256; ++k) {
    const double t = 2 * node(k).imag();
    im += t;
    if (k >= n && std::fabs(t) <= 0x1p-60 * std::fabs(im)) break;
  }
  return im * c.h / (2 * pi);
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
  double ls_error = INFINITY;
  if (x <= 24.0) {
    ls = std::numeric_limits<long double>::digits >= 64 ? bounded_series<long double>(z, a, b, g, part, ls_error)
                                                          : bounded_series<double>(z, a, b, g, part, ls_error);
    const bool psi = part == PPart::d_alpha || part == PPart::d_beta;
    const double rel = psi ? 0x1p-45 : 0x1p-47;  // the contour does no better for these parts
    if (ls_error <= rel * std::fabs(ls.sum) || (a > 1 && ls_error <= 0x1p-50)) return ls.sum;
  }
  // the singularities' part is ~ e^{x cos(pi/a)} (1 <= a < 2; at a = 1 the point s = z on the
  // cut gives e^z), none on the principal sheet for a < 1
  const double hidden = a < 1 ? -INFINITY : x * std::cos(std::numbers::pi / a);
  if (a < 2 && x >= 12.0 && hidden < -40.0 - (g + 1) * std::log(-z)) {
    const Sum s = algebraic(z, a, b, g, part, 400);
    if (s.converged) return s.sum;
  }
  // The inversion where it reaches 1e-15 (the cheaper path) -- its tolerance is relative to
  // its integrand's scale, which can lie far above E (near E's zeros, e.g. a ~ 1 with a large
  // g), so where the series was summed the two must agree within the series' bound; else, for
  // a < 2, the Mellin-Barnes integral where its rounding bound (~4 ulp of its scale) is below
  // 1e-13 of E (or 1e-14 absolute near the zeros of the oscillating a > 1); else the inversion
  // at a tolerance relaxed to 1e-13; else (near a zero of E, or a near 2) the series or the
  // integral, whichever bound is smaller, where it is below 1e-12 of E or 1e-14; else NaN.
  // (for d/da the inversion's integrand carries an extra z s^-a log(s) / w, and it lost up to
  // 2.5e-13 where the value is within 1e-15: the integral goes first there)
  // the series in wide::Float (113 bits where available) where long double cancelled too much,
  // for a > 1 and z < 0, where the singularities defeat the contour (a >= 2) or the
  // Mellin-Barnes integral is less accurate (1 < a < 2). Terms reach e^x, E ~ e^{x cos(pi/a)}
  // (a > 2) or less: tried where that leaves 1e-15, x (1 - cos+(pi/a)) <= 40 (~1 ms: a
  // 1/Gamma per term in software)
  auto wide_series = [&](double& v) {
    if constexpr (wide::float_digits > std::numeric_limits<long double>::digits) {
      const double cancel = x * (1 - std::max(0.0, std::cos(std::numbers::pi / a)));
      if (a > 1 && cancel <= 40) {
        double error;
        v = bounded_series<wide::Float>(z, a, b, g, part, error).sum;
        return error <= std::max(0x1p-50 * std::fabs(v), 0x1p-53);
      }
    }
    return false;
  };
  Sum mb;
  double mb_error = INFINITY;
  bool mb_tried = false;
  auto mb_within_bound = [&] {
    if (!mb_tried && a < 2 && g > 0) {
      mb = mellin_barnes(z, a, b, g, part);
      mb_error = mb.converged ? mb.abs_sum * 0x1p-50 : INFINITY;
    }
    mb_tried = true;
    return mb_error <= std::max(1e-13 * std::fabs(mb.sum), a > 1 ? 1e-14 : 0.0);
  };
  auto agrees_with_series = [&](double v) {
    return !std::isnan(v) && !(std::fabs(v - ls.sum) > ls_error + 0x1p-47 * std::fabs(v));
  };
  if (part == PPart::d_alpha && mb_within_bound()) return mb.sum;
  const double strict = inversion(z, a, b, g, part, 1);
  if (agrees_with_series(strict)) return strict;
  if (double v; wide_series(v)) return v;
  if (mb_within_bound()) return mb.sum;
  const double relaxed = inversion(z, a, b, g, part, 3);
  if (agrees_with_series(relaxed)) return relaxed;
  const bool series_better = ls_error < mb_error;
  const double v = series_better ? ls.sum : mb.sum, bound = series_better ? ls_error : mb_error;
  return bound <= std::max(1e-12 * std::fabs(v), 1e-14) ? v : NAN;
}

inline double prabhakar(double z, double a, double b, double g) {
  return prabhakar_part(z, a, b, g, PPart::value);
}

// D^k E^g_{a,b}(z) = (g)_k E^{g+k}_{a,b+ka}(z), order 0..12 (NaN beyond)
inline double prabhakar_derivative(double z, double a, double b, double g, int order) {
  if (order < 0 || order > 12) return NAN;
  double poch = 1.0;
  for (int i = 0; i < order; ++i) poch *= g + i;
  if (poch == 0.0) return std::isnan(z) ? z : 0.0;  // g = 0: E^0 is the constant 1/Gamma(b)
  return poch * prabhakar(z, a, b + order * a, g + order);
}

}  // namespace nonlin::ml
