// log Gamma and digamma of a complex argument, for the Mellin-Barnes integrand
// Gamma(s) Gamma(g - s) / Gamma(b - a s) (mellin_barnes.h). log_gamma is determined only up to a
// multiple of 2 pi i: its callers exponentiate sums of them, so no branch bookkeeping is needed.
// Both use the recurrence up to |w| >= 12, then Stirling's series (8 terms: relative
// remainder < 1e-17 there, also along the imaginary axis), and the reflection formulas for
// Re w < 1/2 unless |w| >= 25 and |arg w| <= 3 pi / 4 (there the series' remainder, at most
// sec^18(3 pi / 8) ~ 3e7 times its next term, is still < 1e-17), with sin(pi w) and
// cot(pi w) taken from e^{2 pi i w} where |Im w| >= 1 (no overflow of cosh, sinh) and from the
// exact sinpi / cospi near the real axis.
#pragma once

#include <cmath>
#include <complex>
#include <numbers>

#include "gamma.h"

namespace nonlin::ml {

namespace complex_gamma_detail {

using cplx = std::complex<double>;
constexpr double pi = std::numbers::pi;

// log w and 1/w for the moderate |w| here (|w|^2 neither overflows nor underflows): without the
// scaling of std::log's hypot and of the library's complex division, the bulk of the cost
inline cplx log_moderate(cplx w) { return {0.5 * std::log(std::norm(w)), std::atan2(w.imag(), w.real())}; }
inline cplx recip_moderate(cplx w) { return std::conj(w) / std::norm(w); }

// e^{2 pi i w} for Im w >= 1 (modulus e^{-2 pi Im w} <= 0.002)
inline cplx exp_2pi_i(cplx w) {
  return std::exp(-2 * pi * w.imag()) * cplx(cospi(2 * w.real()), sinpi(2 * w.real()));
}

// log sin(pi w) (mod 2 pi i)
inline cplx log_sin_pi(cplx w) {
  const double x = w.real(), y = std::fabs(w.imag());
  if (y < 1) return std::log(cplx(sinpi(x) * std::cosh(pi * w.imag()), cospi(x) * std::sinh(pi * w.imag())));
  // sin(pi v) = e^{-i pi v} (e^{2 pi i v} - 1) / (2i), v = x + i y; conjugate for Im w < 0
  const cplx u = cplx(cospi(x), -sinpi(x)) * (exp_2pi_i(cplx(x, y)) - 1.0) / cplx(0, 2);
  const cplx r = pi * y + std::log(u);
  return w.imag() >= 0 ? r : std::conj(r);
}

// cot(pi w)
inline cplx cot_pi(cplx w) {
  const double x = w.real(), y = std::fabs(w.imag());
  if (y < 1) {
    const double ch = std::cosh(pi * w.imag()), sh = std::sinh(pi * w.imag());
    return cplx(cospi(x) * ch, -sinpi(x) * sh) / cplx(sinpi(x) * ch, cospi(x) * sh);
  }
  const cplx e = exp_2pi_i(cplx(x, y));
  const cplx r = cplx(0, 1) * (e + 1.0) / (e - 1.0);
  return w.imag() >= 0 ? r : std::conj(r);
}

// Stirling's series applies to w itself (no reflection) off the negative real axis
inline bool stirling_direct(cplx w) {
  return std::fabs(w.imag()) >= std::fabs(w.real()) && std::norm(w) >= 625;
}

}  // namespace complex_gamma_detail

inline std::complex<double> log_gamma(std::complex<double> w) {
  using namespace complex_gamma_detail;
  if (w.real() < 0.5 && !stirling_direct(w)) return std::log(pi) - log_sin_pi(w) - log_gamma(1.0 - w);
  cplx product = 1.0;
  for (int n = 0; n < 12 && std::norm(w) < 144; ++n) {  // Re w >= 1/2: at most 12 steps
    product *= w;
    w += 1.0;
  }
  const cplx r = recip_moderate(w), r2 = r * r;
  // sum_k B_2k / (2k (2k - 1) w^{2k-1}), k = 1..8
  const cplx tail = r * (1.0 / 12 + r2 * (-1.0 / 360 + r2 * (1.0 / 1260 + r2 * (-1.0 / 1680 +
                    r2 * (1.0 / 1188 + r2 * (-691.0 / 360360 + r2 * (1.0 / 156 + r2 * (-3617.0 / 122400))))))));
  return (w - 0.5) * log_moderate(w) - w + 0.5 * std::log(2 * pi) + tail - log_moderate(product);
}

inline std::complex<double> digamma(std::complex<double> w) {
  using namespace complex_gamma_detail;
  if (w.real() < 0.5 && !stirling_direct(w)) return digamma(1.0 - w) - pi * cot_pi(w);
  cplx acc = 0.0;
  for (int n = 0; n < 12 && std::norm(w) < 144; ++n) {
    acc -= recip_moderate(w);
    w += 1.0;
  }
  const cplx r = recip_moderate(w);
  return acc + log_moderate(w) - 0.5 * r - digamma_stirling_tail<cplx, double>(r * r, 7);
}

}  // namespace nonlin::ml
