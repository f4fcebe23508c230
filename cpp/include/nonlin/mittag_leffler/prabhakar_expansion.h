// The large-|z| expansion of the three-parameter (Prabhakar) Mittag-Leffler function for real
// z < 0 or complex z, from the Laplace transform H(s) = s^-b (1 - z s^-a)^-g of
// t^{b-1} E^g_{a,b}(t^a z): E^g_{a,b}(z) = (1 / 2 pi i) int e^s H(s) ds over a contour right of
// every singularity of H, deformed into Hankel loops around its branch cuts, each expanded by
// Watson's lemma:
//   - around the cut of s^-b along the negative axis (branch point s = 0), the algebraic part
//       sum_k (g)_k / k! (-1)^k (-z)^{-(g+k)} / Gamma(b - a(g + k))
//     (Garra & Garrappa 2018, Commun. Nonlinear Sci. Numer. Simul. 56:314, eq. 4.6);
//   - around a cut from each branch point s_j = |z|^{1/a} e^{i theta_j},
//     theta_j = (arg z + 2 pi j) / a, |theta_j| < pi (the principal sheet), taken horizontally
//     to the left: near s_j, 1 - z s^-a = (s - s_j) Q(u) / s_j with u = (s - s_j) / s_j and
//     Q(u) = (1 - (1 + u)^-a) / u, so H = e^{g (log s_j - 2 pi i k_j)} s_j^-b (s - s_j)^-g
//     (1 + u)^-b Q(u)^-g, and (1 / 2 pi i) int e^t t^{m-g} dt = 1 / Gamma(g - m) gives
//       e^{s_j} s_j^{g-b} e^{-2 pi i g k_j} sum_m phi_m s_j^-m / Gamma(g - m),
//     phi_m the Taylor coefficients of (1 + u)^-b Q(u)^-g (for integer g a finite sum: the
//     residue of a pole of order g). k_j is the winding that continues log(1 - z s^-a) from
//     the right half plane along the ray s_j + r, r > 0.
// Both are asymptotic in |z|^{1/a}: each is summed to its smallest term, which with the
// optimally truncated remainder's width, the Stokes-line smoothing and the rounding of
// cancelling parts bounds the error (large_argument; ~ e^{-|z|^{1/a}}: Q has radius of
// convergence 1 for a <= 6, the algebraic terms reach their minimum near a k ~ |z|^{1/a}). The parameter derivatives differentiate H under the
// integral: -log(s) H for d/db; -g z s^-a log(s) H / (1 - z s^-a) for d/da (order g + 1 at
// s_j); -log(1 - z s^-a) H for d/dg, whose log(s - s_j) part integrates to (1/Gamma)'(g - m).
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <complex>
#include <numbers>

#include "gamma.h"
#include "part.h"
#include "prabhakar_series.h"
#include "wide_float.h"

namespace nonlin::ml::prabhakar_detail {

// a and b - a g integers: s^{a g - b} and s^a are single-valued, the transform has no cut
// along the negative axis, and the value's algebraic part is a finite sum (the arguments
// b - a (g + k) are integers, 1/Gamma vanishes at every one <= 0)
inline bool algebraic_terminates(double a, double b, double g, PPart part) {
  return part == PPart::value && a == std::nearbyint(a) && b - a * g == std::nearbyint(b - a * g);
}

// The algebraic part for z < 0 or complex z (Z = double or cplx), principal (-z)^{-(g+k)}. An
// asymptotic series: each term is bounded by the envelope of 1/Gamma (gamma.h; also where the
// term happens to vanish at a pole of Gamma), the sum is accepted once a bound falls below the
// rounding of the sum, and abandoned once the bounds grow again (error: the smallest bound),
// as asymptotic.h does for g = 1. all_terms: exactly max_terms terms, no test (the residues a
// Mellin-Barnes line has passed).
template <class Z>
inline SumT<Z> algebraic(Z z, double a, double b, double g, PPart part, int max_terms, bool all_terms = false) {
  SumT<Z> r;
  const Z lw = std::log(-z);
  double min_bound = INFINITY;
  double p = 1, q = 0, harmonic = 0;  // (g)_k / k!, its g-derivative, sum_{j<k} 1/(g + j)
  const bool terminates = algebraic_terminates(a, b, g, part);
  for (int k = 0; k < max_terms; ++k) {
    const double arg = b - a * (g + k);
    if (terminates && arg <= 0 && !all_terms) {
      r.converged = true;
      r.error = 0x1p-53 * r.abs_sum;
      return r;
    }
    const Z lc = -(g + k) * lw;  // log of w^-(g+k), w = -z
    double s0, s1;
    const double l0 = log_abs_rgamma(arg, s0), l1 = log_abs_rgamma_deriv(arg, s1);
    const Z R = s0 == 0.0 ? Z(0) : s0 * std::exp(lc + l0);  // w^-(g+k) / Gamma(arg)
    const Z D = s1 == 0.0 ? Z(0) : s1 * std::exp(lc + l1);  // w^-(g+k) (1/Gamma)'(arg)
    Z t = 0;
    switch (part) {
      case PPart::value: t = p * R; break;
      case PPart::d_beta: t = p * D; break;
      case PPart::d_alpha: t = -(g + k) * p * D; break;
      case PPart::d_gamma: t = q * R - p * (lw * R + a * D); break;
    }
    if (k & 1) t = -t;
    r.sum += t;
    r.abs_sum += std::abs(t);
    // bound of the term also where it happens to vanish (envelope of 1/Gamma and of its
    // derivative, which carries at most a log factor more)
    const double lenv = std::real(lc) + log_rgamma_envelope(arg) + std::log(std::max(std::fabs(p), std::fabs(q)) + 1e-300);
    const double widen = part == PPart::value ? 1.0
                         : (4.0 + std::log1p(std::fabs(arg))) * (1.0 + g + k + std::abs(lw) + a + harmonic);
    const double bound = std::exp(lenv) * widen;
    if (all_terms) {
      r.converged = k + 1 == max_terms;
    } else if (k > 0 && bound <= 0x1p-56 * std::abs(r.sum)) {
      r.converged = true;
      r.error = bound;
      return r;
    } else if (bound > 16 * min_bound) {
      r.error = min_bound;
      return r;
    }
    min_bound = std::min(min_bound, bound);
    q = (q * (g + k) + p) / (k + 1.0);
    p *= (g + k) / (k + 1.0);
    harmonic += 1.0 / (g + k);
  }
  r.error = min_bound;
  return r;
}

// Power series in u, truncated to watson_terms coefficients
constexpr int watson_terms = 64;
using Series = std::array<double, watson_terms>;

// (1 + u)^p
inline Series binomial_series(double p) {
  Series c{};
  c[0] = 1;
  for (int m = 1; m < watson_terms; ++m) c[m] = c[m - 1] * (p - m + 1) / m;
  return c;
}

// f^p for f(0) > 0 (J. C. P. Miller's recurrence, from f' f^p = f (f^p)' / p)
inline Series series_power(const Series& f, double p) {
  Series c{};
  c[0] = std::pow(f[0], p);
  for (int m = 1; m < watson_terms; ++m) {
    double s = 0;
    for (int k = 1; k <= m; ++k) s += ((p + 1) * k - m) * f[k] * c[m - k];
    c[m] = s / (m * f[0]);
  }
  return c;
}

// log f for f(0) > 0 (from f (log f)' = f')
inline Series series_log(const Series& f) {
  Series c{};
  c[0] = std::log(f[0]);
  for (int m = 1; m < watson_terms; ++m) {
    double s = m * f[m];
    for (int k = 1; k < m; ++k) s -= k * c[k] * f[m - k];
    c[m] = s / (m * f[0]);
  }
  return c;
}

inline Series series_product(const Series& f, const Series& h) {
  Series c{};
  for (int m = 0; m < watson_terms; ++m)
    for (int k = 0; k <= m; ++k) c[m] += f[k] * h[m - k];
  return c;
}

// k_j: the continuation of log W, W(u) = 1 - (1 + u)^-a, along u = rho e^{-i theta}, rho from
// infinity to 0, equals Log u + Log Q(u) + 2 pi i k near u = 0. Where |theta| <= pi / 2,
// |1 + u| >= 1 on the whole ray, so Re W >= 0 and k = 0; else W is followed (its argument
// unwrapped in steps of 2^(1/16) in rho, from rho = 2 where |1 + u| >= 1 again).
inline int branch_winding(double a, double theta) {
  using std::numbers::pi;
  if (std::fabs(theta) <= pi / 2) return 0;
  const cplx dir = std::polar(1.0, -theta);
  auto W = [&](double rho) { return 1.0 - std::exp(-a * std::log(1.0 + rho * dir)); };
  double rho = 2.0;
  cplx w = W(rho);
  double arg = std::arg(w);
  const double step = std::exp2(-1.0 / 16);
  for (int i = 0; i < 16 * 12; ++i) {  // down to 2^-11
    // a step the argument turns by more than pi/4 is halved (near u = -1, |theta| ~ pi)
    const double end = rho * step;
    for (int depth = 0; rho > end;) {
      const double r = std::max(end, rho * std::exp2(-1.0 / (16 << depth)));
      const cplx next = W(r);
      const double turn = std::arg(next / w);
      if (std::fabs(turn) > pi / 4 && depth < 12) {
        ++depth;
        continue;
      }
      arg += turn;
      w = next;
      rho = r;
    }
  }
  const double principal = -theta + std::arg(w / (a * rho * dir));  // Log u + Log Q(u)
  return int(std::lround((arg - principal) / (2 * pi)));
}

// The factor e^{s_j} s_j^{G-b} e^{-2 pi i G k} of the branch point s_j = |z|^{1/a} e^{i theta},
// theta = (arg z + 2 pi j) / a, with its phase x sin(theta) + (G - b) theta - 2 pi G k reduced
// and its log-modulus x cos(theta) + (G - b) log x formed in wide::Float (113 bits where
// available): in double the phase alone, ~ x, carries x ulp, which the parts' cancellation
// (the real part of a conjugate pair, E near a zero of its envelope) would lift to ~ x eps of
// the envelope. Also returns x and theta in double.
struct BranchPoint {
  double x, theta;
  cplx front;
};

inline BranchPoint branch_point(cplx z, double a, double G, double b, int j, int k) {
  using F = wide::Float;
  const F two_pi = 2 * wide::pi<F>();
  const F theta = (wide::atan2(F(z.imag()), F(z.real())) + two_pi * j) / F(a);
  const F lx = wide::log(wide::hypot(F(z.real()), F(z.imag()))) / F(a), x = wide::exp(lx);
  F phase = x * wide::sin(theta) + F(G - b) * theta - two_pi * F(G) * k;
  phase -= two_pi * wide::nearbyint(phase / two_pi);
  const F log_modulus = x * wide::cos(theta) + F(G - b) * lx;
  const double lm = double(log_modulus);
  // e^{log_modulus} = e^{lm} (1 + (log_modulus - lm)) to first order: the rounding of lm, ~ x ulp
  const double modulus = std::exp(lm) * (1 + double(log_modulus - F(lm)));
  return {double(x), double(theta), std::polar(modulus, double(phase))};
}

// The contribution of the branch point j (theta_j = (arg z + 2 pi j) / a) to the part.
inline SumT<cplx> branch_point_part(cplx z, double a, double b, double g, PPart part, int j) {
  using std::numbers::pi;
  const double G = part == PPart::d_alpha ? g + 1 : g;  // the order of the branch point
  const double theta = (std::arg(z) + 2 * pi * j) / a;
  const int k = branch_winding(a, theta);
  const BranchPoint point = branch_point(z, a, G, b, j, k);
  const double x = point.x;
  const cplx s = std::polar(x, point.theta), ls(std::log(x), point.theta);
  const Series pa = binomial_series(-a);
  Series q{};  // Q(u) = (1 - (1 + u)^-a) / u: q_m = -binom(-a, m + 1)
  for (int m = 0; m + 1 < watson_terms; ++m) q[m] = -pa[m + 1];
  q[watson_terms - 1] = -pa[watson_terms - 1] * (-a - watson_terms + 1) / watson_terms;
  const Series psi = series_product(binomial_series(-b), series_power(q, -G));
  // phi = psi F with F(u) = f0 + f1(u) (a complex constant and a real series)
  cplx f0 = 1.0;
  Series f1{};
  switch (part) {
    case PPart::value: break;
    case PPart::d_beta: {  // -log s = -(ls + log(1 + u))
      f0 = -ls;
      for (int m = 1; m < watson_terms; ++m) f1[m] = (m & 1 ? -1.0 : 1.0) / m;
      break;
    }
    case PPart::d_alpha: {  // -g (1 + u)^-a log s
      f0 = -g * ls;
      Series l1{};
      for (int m = 1; m < watson_terms; ++m) l1[m] = (m & 1 ? 1.0 : -1.0) / m;
      f1 = series_product(pa, l1);  // (1 + u)^-a log(1 + u); the f0 part times (1 + u)^-a below
      for (double& c : f1) c *= -g;
      break;
    }
    case PPart::d_gamma: {  // -(log Q(u) - ls + 2 pi i k), the -log(s - s_j) part separate
      f0 = ls - cplx(0, 2 * pi * k);
      f1 = series_log(q);
      for (double& c : f1) c = -c;
      break;
    }
  }
  const Series f0_series = part == PPart::d_alpha ? series_product(psi, pa) : psi;
  const Series f1_psi = series_product(psi, f1);
  const cplx front = point.front;
  const bool terminates = G == std::nearbyint(G) && part != PPart::d_gamma;
  SumT<cplx> r;
  cplx acc = 0.0, sm = 1.0;  // sm = s_j^-m
  double min_bound = INFINITY;
  const double lx = ls.real();
  for (int m = 0; m < watson_terms; ++m) {
    const double arg = G - m;
    if (terminates && arg <= 0) {  // 1/Gamma(G - m) = 0 from here on: the residue, exact
      r.converged = true;
      r.error = 0x1p-52 * r.abs_sum;
      break;
    }
    const cplx phi = f0 * f0_series[m] + f1_psi[m];
    cplx t = phi * rgamma(arg);
    if (part == PPart::d_gamma) t += psi[m] * rgamma_deriv(arg);
    t *= sm;
    acc += t;
    r.abs_sum += std::abs(t);
    // the term's bound: 1/Gamma's envelope, the coefficients' largest in m - 1 .. m + 1 (one
    // can vanish by accident: a = 3, b = 1, g = 3/2 at m = 4)
    double coef = 0;
    for (int i = std::max(m - 1, 0); i <= std::min(m + 1, watson_terms - 1); ++i)
      coef = std::max(coef, std::abs(f0 * f0_series[i] + f1_psi[i]) +
                                (part == PPart::d_gamma ? std::fabs(psi[i]) * (4 + std::log1p(std::fabs(arg))) : 0.0));
    const double bound = std::exp(log_rgamma_envelope(arg) - m * lx) * coef;
    r.terms = m + 1;
    if (m > 0 && bound <= 0x1p-56 * std::abs(acc)) {
      r.converged = true;
      r.error = bound;
      break;
    }
    if (bound > 16 * min_bound) {
      r.error = min_bound;
      break;
    }
    min_bound = std::min(min_bound, bound);
    r.error = min_bound;
    sm /= s;
  }
  const double scale = std::abs(front);
  r.sum = front * acc;
  r.abs_sum *= scale;
  r.error *= scale;
  return r;
}

// E^g_{a,b}(z) (or a derivative part) for complex z, or real z < 0 (as z + 0i), with
// |z|^{1/a} large: the algebraic part plus every branch point's, the error the sum of theirs.
// Branch points whose part lies below 2^-60 of the rest (e^{Re s_j} s_j^{g-b}, generously)
// are left out. abs_sum: the scale of the parts (E's size away from its zeros).
inline SumT<cplx> large_argument(cplx z, double a, double b, double g, PPart part) {
  using std::numbers::pi;
  const double theta = std::arg(z), x = pole_modulus(std::abs(z), a), lx = std::log(x);
  // an asymptotic series stopped at its smallest term is off by up to ~ sqrt(2 pi x) of it
  // (the width of its terms' minimum: the remainder of an optimally truncated expansion)
  const double remainder = 2 + std::sqrt(2 * pi * x);
  SumT<cplx> r = algebraic(z, a, b, g, part, 400);
  if (!r.converged) r.error *= remainder;
  const auto [jmin, jmax] = principal_sheet(theta, a);
  if (jmax - jmin + 1 > 64) return SumT<cplx>{};  // a > ~128: not attempted
  std::array<int, 64> js;  // the branch points of the principal sheet, largest e^{Re s_j} first
  int n = 0;
  auto angle = [&](int j) { return (theta + 2 * pi * j) / a; };
  for (int j = jmin; j <= jmax; ++j)
    if (std::fabs(angle(j)) < pi - 1e-9) js[n++] = j;
  std::sort(js.begin(), js.begin() + n, [&](int u, int v) { return std::cos(angle(u)) > std::cos(angle(v)); });
  const double G = part == PPart::d_alpha ? g + 1 : g;
  auto negligible = [&](double th) {
    const double log_size = x * std::cos(th) + (G - b) * lx + 8 + std::log1p(std::fabs(lx));
    return log_size < std::log(0x1p-60 * r.abs_sum);
  };
  for (int i = 0; i < n; ++i) {
    if (negligible(angle(js[i]))) continue;
    const SumT<cplx> p = branch_point_part(z, a, b, g, part, js[i]);
    r.sum += p.sum;
    r.abs_sum += p.abs_sum;
    r.error += p.converged ? p.error : p.error * remainder;
  }
  // a branch point on the negative axis (|theta| = pi: z < 0 and a an odd integer, or its
  // rotations) lies on the cut of s^-b, where neither side's decomposition holds: not
  // attempted unless its part is negligible
  for (int j = jmin - 1; j <= jmax + 1; ++j) {
    const double th = (theta + 2 * pi * j) / a;
    if (std::fabs(std::fabs(th) - pi) <= 1e-9 && !negligible(pi)) return SumT<cplx>{};
  }
  // Near the Stokes line of a branch point (|theta_j| ~ pi: on the negative axis its
  // exponential is smallest against the algebraic part) the optimally truncated algebraic
  // series and the switched-on (or -off) exponential differ from E by ~ erfc(sigma) of that
  // exponential, sigma = (pi - |theta_j|) sqrt(x / 2) (Berry 1989, Proc. R. Soc. A 422:7, the
  // smoothed Stokes multiplier): added to the error for the branch points on either side, from
  // their leading term e^{x cos theta} x^{G-b} / (a^G Gamma(G)) (times the log factors of the
  // parameter derivatives). No cut along the axis, no Stokes line: the algebraic part is exact.
  if (!algebraic_terminates(a, b, g, part)) {
    int unused_sign;
    const double lead = (G - b) * lx - G * std::log(a) - ::lgamma_r(G, &unused_sign) +
                        (part == PPart::value ? 0.0 : std::log(2 + std::fabs(lx) + pi + g));
    for (int j = jmin - 1; j <= jmax + 1; ++j) {
      const double th = std::fabs(theta + 2 * pi * j) / a;
      if (th > pi / 2 && th < 3 * pi / 2)
        r.error += std::exp(x * std::cos(th) + lead) * std::erfc(std::fabs(pi - th) * std::sqrt(x / 2));
    }
  }
  // rounding: the parts carry ~ 32 ulp of their size (x 2^-(digits - 53) more from the phases,
  // ~ x, in wide::Float); where they cancel (near E's zeros, or the real part of a conjugate
  // pair) that joins the error
  const double ulps = 32 + x * std::ldexp(1.0, 53 - digits_of<wide::Float>());
  r.error += 0x1p-53 * ulps * (r.abs_sum - std::abs(r.sum));
  r.converged = true;
  return r;
}

}  // namespace nonlin::ml::prabhakar_detail
