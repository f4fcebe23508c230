// The three-parameter (Prabhakar) Mittag-Leffler function for real z and g >= 0,
//   E^g_{a,b}(z) = sum_k (g)_k z^k / (k! Gamma(a k + b)),   (g)_k = g (g + 1) ... (g + k - 1),
// and its z-derivatives D^k E^g_{a,b} = (g)_k E^{g+k}_{a,b+ka} (Garra & Garrappa 2018, Commun.
// Nonlinear Sci. Numer. Simul. 56:314, eq. 5.2). Paths, per element:
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
//   - otherwise Garrappa's inversion of the Laplace transform s^{ag-b}/(s^a - z)^g
//     = s^-b (1 - z s^-a)^-g on a parabolic contour right of every singularity (for non-integer g
//     they are branch points: there are no residues to add; Garrappa 2015, SIAM J. Numer. Anal.
//     53:1350). Left of the contour the branch cuts run from the origin to the singularities, so
//     the principal powers are the transform's continuation along the contour.
// Where none of these reaches 1e-13 (a > 1, z < 0, |z|^{1/a} between the series' and the
// expansion's ranges, with the singularities' part neither negligible nor small enough for the
// contour) the result is NaN. Every loop is bounded. Invalid parameters (a < 0, g < 0,
// non-finite a, b, g; NaN z) give NaN.
#pragma once

#include <algorithm>
#include <cmath>
#include <complex>
#include <limits>
#include <numbers>

#include "evaluate.h"
#include "gamma.h"
#include "inversion.h"

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

// log((g)_k / k!) for k >= 0, g > 0
inline double log_poch_over_factorial(double g, double k) {
  int s;
  return log_abs_gamma(g + k, s) - log_abs_gamma(g, s) - log_abs_gamma(k + 1.0, s);
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

// The power series in T (double, or long double where the alternating sum cancels more than
// double can carry). (g)_k / k! and z^k are running products (a few roundings per term, like
// the two-parameter series), renormalised by powers of two so neither overflows; 1/Gamma(a k + b)
// is direct below 170 and joins the log form beyond (where E itself is ~ e^170 or more and its
// conditioning eps z^(1/a) dominates anyway).
template <class T>
inline Sum series(double z, double a, double b, double g, int max_terms) {
  T sum = 0, abs_sum = 0;
  Sum r;
  const double peak = std::pow(std::fabs(z), 1.0 / a);  // terms fall once a k + b >> |z|^{1/a}
  T pz = 1;  // (g)_k / k! * z^k = pz * 2^e2
  int e2 = 0;
  for (int k = 0; k < max_terms; ++k) {
    const T arg = T(a) * k + T(b);
    T t;
    if (is_nonpositive_integer(double(arg)) && arg == std::nearbyint(arg)) {
      t = 0;
    } else if (arg < 170) {
      t = std::ldexp(pz / std::tgamma(arg), e2);
    } else {
      int sg;
      t = std::copysign(std::exp(std::log(std::fabs(pz)) + e2 * T(std::numbers::ln2) -
                                 T(log_abs_gamma(double(arg), sg))), pz);
    }
    sum += t;
    abs_sum += std::fabs(t);
    r.terms = k + 1;
    if (arg > 2 && arg > peak && k > g && std::fabs(t) <= T(0x1p-56) * abs_sum) {
      r.converged = true;
      break;
    }
    pz *= (T(g) + k) / (k + T(1)) * T(z);
    int e;
    pz = std::frexp(pz, &e);
    e2 += e;
    if (pz == 0) {  // (g)_k = 0: a polynomial (g = 0 is handled by the caller)
      r.converged = true;
      break;
    }
  }
  r.sum = double(sum);
  r.abs_sum = double(abs_sum);
  return r;
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
// bounds grow again (as asymptotic.h does for g = 1).
inline Sum algebraic(double z, double a, double b, double g, int max_terms) {
  Sum r;
  const double lw = std::log(-z);
  double min_bound = INFINITY;
  for (int k = 0; k < max_terms; ++k) {
    const double arg = b - a * (g + k);
    const double lc = log_poch_over_factorial(g, k) - (g + k) * lw;
    double sign;
    const double lr = log_abs_rgamma(arg, sign);
    const double mag = sign == 0.0 ? 0.0 : std::exp(lc + lr);
    r.sum += (k & 1 ? -sign : sign) * mag;
    r.abs_sum += mag;
    const double bound = std::exp(lc + log_rgamma_envelope(arg));
    if (k > 0 && bound <= 0x1p-56 * std::fabs(r.sum)) {
      r.converged = true;
      return r;
    }
    if (bound > 16 * min_bound) return r;
    min_bound = std::min(min_bound, bound);
  }
  return r;
}

// Garrappa's inversion on the unbounded region right of every singularity of the transform.
inline double inversion(double z, double a, double b, double g) {
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
  const double strength = phi_max > 1e-15 ? g : std::max(0.0, -2 * (a * g - b + 1));
  // Rounding grows like e^{phi_max} eps: the tolerance is relaxed (as Garrappa does) up to
  // 1e-13; where even that is out of reach (a > 1, z < 0 between the series and the algebraic
  // expansion) the result is NaN, not a number with unknown error.
  double log_epsilon = std::log(1e-15);
  ContourParams c;
  for (int attempt = 0; attempt < 3; ++attempt) {
    if (phi_max < log_epsilon - log_eps) {
      c = optimal_unbounded(phi_max, strength, log_epsilon);
      if (c.n <= 200) break;
    }
    log_epsilon += std::log(10.0);
  }
  if (!(c.n <= 400)) return NAN;
  const int n = int(c.n);
  auto node = [&](int k) {  // e^s s^-b (1 - z s^-a)^-g ds/du, s = mu (1 + i u)^2
    const double u = c.h * k;
    const cplx s = c.mu * cplx(1 - u * u, 2 * u);
    const cplx ds(-2 * c.mu * u, 2 * c.mu);
    const cplx ls = std::log(s);
    const cplx w = 1.0 - z * std::exp(-a * ls);
    return std::exp(s - b * ls - g * std::log(w)) * ds;
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

inline double prabhakar(double z, double a, double b, double g) {
  using namespace prabhakar_detail;
  if (std::isnan(z) || !(a >= 0) || !(g >= 0) || !std::isfinite(a) || !std::isfinite(b) ||
      !std::isfinite(g))
    return NAN;
  if (g == 1) return mittag_leffler_part(z, a, b, Part::value);
  if (g == 0 || z == 0) return rgamma(b);
  if (a == 0) {  // sum_k (g)_k z^k / k! = (1 - z)^-g
    if (z < 1) return rgamma(b) * std::pow(1.0 - z, -g);
    return g == std::nearbyint(g) ? rgamma(b) * std::pow(1.0 - z, -g) : NAN;
  }
  if (std::isinf(z)) {
    if (z > 0) return INFINITY;  // grows like e^{z^{1/a}}
    return a < 2 ? 0.0 : NAN;    // decays like |z|^-g (a < 2); no limit otherwise
  }
  const double x = pole_modulus(z, a);
  if (z > 0 && x > 800) return INFINITY;  // E^g ~ e^x x^(...) overflows well before x = 800
  if (z > 0) {  // positive terms (from the first k with a k + b > 0 on): accurate to overflow
    const Sum s = series<double>(z, a, b, g, 200000);
    return s.converged ? s.sum : NAN;
  }
  if (a == 1 && z >= -700 && !is_nonpositive_integer(b)) {
    const Sum s = kummer(z, b, g, 4000);
    if (s.converged) return s.sum;
  }
  // alternating series, in long double (64-bit or wider significand; double where that is all
  // there is). Each term carries ~ k roundings (running products), so the rounding of the sum is
  // below terms * u * sum|terms|: accepted where that is below 2^-47 of the result, or near the
  // zeros of the oscillating cases (a > 1) below 2^-50 absolute.
  if (x <= 24.0) {
    constexpr int digits = std::numeric_limits<long double>::digits;
    const Sum s = digits >= 64 ? series<long double>(z, a, b, g, 4000) : series<double>(z, a, b, g, 4000);
    const double err = s.abs_sum * s.terms * std::ldexp(1.0, -std::min(digits, 64));
    if (s.converged && (err <= 0x1p-47 * std::fabs(s.sum) || (a > 1 && err <= 0x1p-50)))
      return s.sum;
  }
  // the singularities' part is ~ e^{x cos(pi/a)} (1 <= a < 2; at a = 1 the point s = z on the
  // cut gives e^z), none on the principal sheet for a < 1
  const double hidden = a < 1 ? -INFINITY : x * std::cos(std::numbers::pi / a);
  if (a < 2 && x >= 12.0 && hidden < -40.0 - g * std::log(-z)) {
    const Sum s = algebraic(z, a, b, g, 400);
    if (s.converged) return s.sum;
  }
  return inversion(z, a, b, g);
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
