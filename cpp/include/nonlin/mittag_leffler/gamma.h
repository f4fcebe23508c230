// Reciprocal gamma function, its derivative and the digamma function in double, as needed by the
// Mittag-Leffler series and asymptotic expansions (terms z^k / Gamma(alpha k + beta) and their
// derivatives in alpha and beta). 1/Gamma is entire: it is exactly 0 at the poles of Gamma, and
// its derivative there is (-1)^n n! (both handled without 0 * inf).
#pragma once

#include <cmath>
#include <numbers>

namespace nonlin::ml {

// sin(pi x) and cos(pi x) with exact argument reduction (exact zeros at the integers / half
// integers).
inline double sinpi(double x) {
  if (!std::isfinite(x)) return NAN;
  double r = x - 2.0 * std::nearbyint(0.5 * x);  // exact, in [-1, 1]
  const double sign = r < 0 ? -1.0 : 1.0;
  r = std::fabs(r);
  if (r > 0.5) r = 1.0 - r;  // exact (Sterbenz)
  return sign * std::sin(std::numbers::pi * r);
}

inline double cospi(double x) {
  if (!std::isfinite(x)) return NAN;
  double r = std::fabs(x - 2.0 * std::nearbyint(0.5 * x));  // in [0, 1]
  if (r == 0.5) return 0.0;
  return r < 0.5 ? std::cos(std::numbers::pi * r) : -std::cos(std::numbers::pi * (1.0 - r));
}

inline bool is_nonpositive_integer(double x) { return x <= 0 && x == std::nearbyint(x); }

// 1/Gamma(x).  glibc's tgamma is within ~2 ULP on the whole line (checked against mpmath).
inline double rgamma(double x) {
  if (std::isnan(x)) return x;
  if (is_nonpositive_integer(x)) return 0.0;
  if (x > 171.5) return std::exp(-std::lgamma(x));  // Gamma overflows; the result may underflow
  if (x < -170.0) {                                  // Gamma underflows: 1/Gamma is huge
    // 1/Gamma(x) = sin(pi x) Gamma(1 - x) / pi
    const double s = sinpi(x);
    return std::copysign(std::exp(std::lgamma(1.0 - x) + std::log(std::fabs(s) / std::numbers::pi)), s);
  }
  return 1.0 / std::tgamma(x);
}

// The tail of Stirling's series for the digamma function,
//   psi(x) ~ ln x - 1/(2x) - sum_{k=1}^{terms} B_2k / (2k x^2k),
// as the sum, with r2 = 1/x^2, in any real or complex type T (terms <= 12); R is T's real type.
template <class T, class R = T>
T digamma_stirling_tail(T r2, int terms) {
  static const R b[12] = {R(1) / R(12),      R(-1) / R(120),     R(1) / R(252),        R(-1) / R(240),
                          R(1) / R(132),     R(-691) / R(32760), R(1) / R(12),         R(-3617) / R(8160),
                          R(43867) / R(14364), R(-174611) / R(6600), R(77683) / R(276), R(-236364091) / R(65520)};
  T tail = T(0);
  for (int k = terms - 1; k >= 0; --k) tail = (tail + b[k]) * r2;
  return tail;
}

// psi(x) = Gamma'(x)/Gamma(x) for x >= 0.5 (recurrence up to 10, then 7 terms of the series).
inline double digamma_right(double x) {
  double acc = 0.0;
  int n = 0;
  while (x < 10.0 && n < 20) { acc -= 1.0 / x; x += 1.0; ++n; }
  return acc + std::log(x) - 0.5 / x - digamma_stirling_tail(1.0 / (x * x), 7);
}

inline double digamma(double x) {
  if (std::isnan(x)) return x;
  if (is_nonpositive_integer(x)) return NAN;
  if (x >= 0.5) return digamma_right(x);
  // psi(x) = psi(1 - x) - pi cot(pi x)
  return digamma_right(1.0 - x) - std::numbers::pi * cospi(x) / sinpi(x);
}

// d/dx [1/Gamma(x)] = -psi(x)/Gamma(x); finite everywhere ((-1)^n n! at x = -n).
inline double rgamma_deriv(double x) {
  if (std::isnan(x)) return x;
  if (x >= 0.5) return -digamma_right(x) * rgamma(x);
  // reflection: 1/Gamma(x) = Gamma(1-x) sin(pi x)/pi, so
  // d/dx = Gamma(1-x) [cos(pi x) - psi(1-x) sin(pi x)/pi]
  const double y = 1.0 - x;
  const double bracket = cospi(x) - digamma_right(y) * sinpi(x) / std::numbers::pi;
  if (y > 171.5) {
    const double lg = std::lgamma(y) + std::log(std::fabs(bracket));
    return std::copysign(std::exp(lg), bracket);
  }
  return std::tgamma(y) * bracket;
}

// A bound of log|1/Gamma(x)|, tight for |x| large, that does not vanish at the poles (used to
// bound the terms of the asymptotic expansion whether or not they happen to be zero):
// |1/Gamma(x)| = |sin(pi x)| Gamma(1-x)/pi <= Gamma(1-x)/pi for x <= 0, <= 1 on (0, 1).
inline double log_rgamma_envelope(double x) {
  if (x >= 1.0) return -std::lgamma(x);
  if (x > 0.0) return 0.0;
  return std::lgamma(1.0 - x) - std::log(std::numbers::pi);
}

// 1/Gamma(b + s a k) for k = 0, 1, 2, ... (s = +1 or -1), the coefficients of the series and of
// the asymptotic expansion. For a dyadic a = p/q (q <= 8, p <= 16, exactly: a q - p == 0) the
// value q steps back gives the next by Gamma(x + p) = Gamma(x) x (x+1)...(x+p-1) (a few
// multiplications instead of a tgamma call); direct evaluation every 8 q steps, and after a
// zero going up (0/0 at the poles), bounds the growth of rounding errors.
class RgammaSequence {
 public:
  // recur = false: always direct (where the sum cancels, the terms' own accuracy matters)
  RgammaSequence(double a, double b, int sign, bool recur = true) : a_(a), b_(b), sign_(sign) {
    for (int q = 1; recur && q <= 8; ++q) {
      const double p = std::nearbyint(a * q);
      if (p >= 1 && p <= 16 && std::fma(a, q, -p) == 0) {
        q_ = q;
        p_ = int(p);
        break;
      }
    }
  }

  // call with k = k0, k0 + 1, k0 + 2, ... in order
  double operator()(int k) {
    const double x = b_ + sign_ * a_ * k;
    double r;
    if (first_ < 0) first_ = k;
    const bool have_prev = q_ && k - q_ >= first_;  // the value q steps back was computed
    const double prev = have_prev ? ring_[k % q_] : 0.0;
    if (!have_prev || (k / q_) % 8 == 0 || (sign_ > 0 && prev == 0)) {
      r = rgamma(x);
    } else if (sign_ > 0) {  // 1/Gamma(y + p) = 1/Gamma(y) / (y (y+1) ... (y+p-1)), y = x - p
      double d = 1;
      for (int j = p_; j >= 1; --j) d *= x - j;
      r = prev / d;
    } else {  // 1/Gamma(y - p) = 1/Gamma(y) (y-1)(y-2)...(y-p), y = x + p
      double m = 1;
      for (int j = 1; j <= p_; ++j) m *= x + p_ - j;
      r = prev * m;
    }
    if (q_) ring_[k % q_] = r;
    return r;
  }

 private:
  double a_, b_;
  int sign_, q_ = 0, p_ = 0, first_ = -1;
  double ring_[8] = {};
};

}  // namespace nonlin::ml
