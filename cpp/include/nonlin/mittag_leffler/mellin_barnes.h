// The Mellin-Barnes integral of the three-parameter Mittag-Leffler function, for z < 0,
// 0 < a < 2, g > 0 (w = -z):
//   E^g_{a,b}(z) = 1 / (2 pi i Gamma(g)) int_{c - i inf}^{c + i inf} Gamma(s) Gamma(g - s) w^-s / Gamma(b - a s) ds,
// 0 < c < g separating the poles of Gamma(s) from those of Gamma(g - s) (E^g_{a,b} is the Fox
// H-function H^{1,1}_{1,2}: Mathai, Saxena & Haubold 2010, "The H-Function", eq. 1.137 / 5.4;
// Garra & Garrappa 2018, Sec. 4). By Stirling the integrand decays like t^p e^{-pi (1 - a/2) t}
// along s = c + i t, so it converges for every a < 2 -- unlike the algebraic expansion (the
// residues at s = g + k), it also carries the singularities' part e^{w^(1/a) cos(pi/a)}, and
// unlike the Laplace inversion it needs no contour right of them. The caller moves the line to
// c = g + K - 1/2 and adds the K residues it passed, which shrinks the integrand to ~ w^-c.
// Trapezoidal rule in t (F(conj s) = conj F(s): t >= 0 only), step h: the nearest poles lie 1/2
// off the line, so the discretisation error is ~ e^{-pi / h} of the integrand's size.
#pragma once

#include <cmath>
#include <complex>
#include <numbers>
#include <type_traits>

#include "complex_gamma.h"
#include "gamma.h"
#include "part.h"

namespace nonlin::ml {

template <class Z>
struct MellinBarnesLine {
  Z value = NAN;             // the integral's contribution to the part (NaN: did not converge)
  double magnitude = NAN;    // the same sum over |integrand|: the scale of its rounding
  double rounding = NAN;     // the bound of its rounding (below)
};

// The line Re s = c (c > 0, c - g not an integer) for the part's integrand: the value's, times
// -psi(b - a s) for d/db, s psi(b - a s) for d/da, psi(g - s) - psi(g) for d/dg (the 1/Gamma(g)
// in front), for real w > 0 (Z = double: F(conj s) = conj F(s), t >= 0 only) or complex w
// (|arg w| < pi (1 - a/2): the integrand decays like e^{-(pi (1 - a/2) -+ arg w) |t|} on
// either side). At most max_nodes nodes on each side.
template <class Z>
inline MellinBarnesLine<Z> mellin_barnes_line(Z w, double a, double b, double g, double c, PPart part,
                                              double h, int max_nodes) {
  using cplx = std::complex<double>;
  constexpr bool real_w = std::is_same_v<Z, double>;
  int unused_sign;  // lgamma_r: reentrant (std::lgamma writes the global signgam)
  const Z lw = std::log(w);
  const double lg = ::lgamma_r(g, &unused_sign), psi_g = digamma(g);
  const double rate = std::numbers::pi * (1 - a / 2) - std::fabs(std::imag(lw));
  if (!(rate > 0)) return {};
  // t = 0, 1/Gamma and its derivative in real arithmetic (finite at the poles of Gamma)
  const double x = b - a * c;
  int sign_c, sign_gc;
  const double l0 = ::lgamma_r(c, &sign_c) + ::lgamma_r(g - c, &sign_gc) - lg;
  double m0 = rgamma(x);
  switch (part) {
    case PPart::value: break;
    case PPart::d_beta: m0 = rgamma_deriv(x); break;
    case PPart::d_alpha: m0 = -c * rgamma_deriv(x); break;
    case PPart::d_gamma: m0 *= digamma(g - c) - psi_g; break;
  }
  const Z f0 = 0.5 * sign_c * sign_gc * std::exp(l0 - c * lw) * m0;
  Z sum = f0;
  double abs_sum = std::abs(f0);
  // each node's rounding: ~16 ulp of it, plus its phase's, ~ t (|log w| + (2 + a) log t) (the
  // log-gammas' and w^-s's imaginary parts) in ulps of that phase
  const double phase_rate = std::abs(lw) + (2 + a) * std::log(2 + std::fabs(c) + g + std::fabs(b));
  double rounding = 16 * abs_sum;
  auto term = [&](double t) {
    const cplx s(c, t), y = b - a * s;
    const cplx f = std::exp(log_gamma(s) + log_gamma(g - s) - log_gamma(y) - s * lw - lg);
    switch (part) {
      case PPart::value: return f;
      case PPart::d_beta: return -f * digamma(y);
      case PPart::d_alpha: return s * f * digamma(y);
      case PPart::d_gamma: return f * (digamma(g - s) - psi_g);
    }
    return f;
  };
  const double t_peak = std::max(1.0, (g - b + a * c) / rate);  // the envelope's maximum
  for (int k = 1; k < max_nodes; ++k) {
    // real w: the pair t, -t sums to 2 Re F(t) (the factor 2 in front of the sum below)
    const cplx up = term(k * h), down = real_w ? std::conj(up) : term(-k * h);
    if constexpr (real_w) sum += up.real();
    else sum += 0.5 * (up + down);
    const double size = 0.5 * (std::abs(up) + std::abs(down));
    abs_sum += size;
    const double t = k * h;
    rounding += size * (16 + t * (phase_rate + (2 + a) * std::log1p(t)));
    // the tail beyond t is below |term| / (1 - e^{-rate h})
    if (t > t_peak && size <= 0x1p-56 * rate * h * abs_sum)
      return {Z(sum * h / std::numbers::pi), abs_sum * h / std::numbers::pi, 0x1p-53 * rounding * h / std::numbers::pi};
  }
  return {};
}

}  // namespace nonlin::ml
