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

#include "complex_gamma.h"
#include "gamma.h"
#include "part.h"

namespace nonlin::ml {

struct MellinBarnesLine {
  double value = NAN;        // the integral's contribution to the part (NaN: did not converge)
  double magnitude = NAN;    // the same sum over |integrand|: the scale of its rounding
};

// The line Re s = c (c > 0, c - g not an integer) for the part's integrand: the value's, times
// -psi(b - a s) for d/db, s psi(b - a s) for d/da, psi(g - s) - psi(g) for d/dg (the 1/Gamma(g)
// in front). At most max_nodes nodes.
inline MellinBarnesLine mellin_barnes_line(double w, double a, double b, double g, double c, PPart part,
                                           double h, int max_nodes) {
  using cplx = std::complex<double>;
  int unused_sign;  // lgamma_r: reentrant (std::lgamma writes the global signgam)
  const double lw = std::log(w), lg = ::lgamma_r(g, &unused_sign), psi_g = digamma(g);
  // t = 0, in real arithmetic (1/Gamma and its derivative are finite at the poles of Gamma)
  const double x = b - a * c;
  int sign_c, sign_gc;
  const double l0 = ::lgamma_r(c, &sign_c) + ::lgamma_r(g - c, &sign_gc) - lg - c * lw;
  double m0 = rgamma(x);
  switch (part) {
    case PPart::value: break;
    case PPart::d_beta: m0 = rgamma_deriv(x); break;
    case PPart::d_alpha: m0 = -c * rgamma_deriv(x); break;
    case PPart::d_gamma: m0 *= digamma(g - c) - psi_g; break;
  }
  const double f0 = 0.5 * sign_c * sign_gc * std::exp(l0) * m0;
  double sum = f0, abs_sum = std::fabs(f0);
  const double rate = std::numbers::pi * (1 - a / 2);
  const double t_peak = std::max(1.0, (g - b + a * c) / rate);  // the envelope's maximum
  for (int k = 1; k < max_nodes; ++k) {
    const cplx s(c, k * h), y = b - a * s;
    const cplx f = std::exp(log_gamma(s) + log_gamma(g - s) - log_gamma(y) - s * lw - lg);
    cplx t = f;
    switch (part) {
      case PPart::value: break;
      case PPart::d_beta: t = -f * digamma(y); break;
      case PPart::d_alpha: t = s * f * digamma(y); break;
      case PPart::d_gamma: t = f * (digamma(g - s) - psi_g); break;
    }
    sum += t.real();
    abs_sum += std::sqrt(std::norm(t));
    // the tail beyond t is below |term| / (1 - e^{-rate h})
    if (k * h > t_peak && std::sqrt(std::norm(t)) <= 0x1p-56 * rate * h * abs_sum)
      return {sum * h / std::numbers::pi, abs_sum * h / std::numbers::pi};
  }
  return {};
}

}  // namespace nonlin::ml
