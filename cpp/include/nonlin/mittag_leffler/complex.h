// E_{a,b}(z) for complex z: the power series for small |z|^{1/a}, the asymptotic expansion
// with the residues of every pole of the principal sheet for large |z|^{1/a}, Garrappa's
// Laplace inversion (inversion.h, all nodes) in between. Real z takes the real evaluator.
#pragma once

#include <cmath>
#include <complex>
#include <numbers>

#include "evaluate.h"
#include "gamma.h"
#include "inversion.h"
#include "residues.h"

namespace nonlin::ml {

namespace detail {

inline bool complex_series(cplx z, double a, double b, double x, cplx& out) {
  const int max_terms = int(std::min(series_terms_estimate(std::abs(z), a, x) * 1.5 + 20, 1000.0));
  cplx sum = 0.0, zk = 1.0;
  double abs_sum = 0.0;
  for (int k = 0; k < max_terms; ++k) {
    const double arg = a * k + b;
    const cplx t = zk * rgamma(arg);
    sum += t;
    abs_sum += std::abs(t);
    if (arg > 2.0 && arg > x && k > 0 && std::abs(t) <= 0x1p-56 * abs_sum) {
      out = sum;
      return abs_sum <= 64 * std::abs(sum);
    }
    zk *= z;
  }
  return false;
}

inline bool complex_asymptotic(cplx z, double a, double b, double x, cplx& out) {
  const double theta = std::arg(z);
  const double lx = std::log(x);
  cplx res = 0.0;
  // poles s_j = x e^{i (theta + 2 pi j)/a} with |theta + 2 pi j| < a pi
  const int jmin = int(std::ceil((-a * std::numbers::pi - theta) / (2 * std::numbers::pi)));
  for (int j = jmin, n = 0; n < 130; ++j, ++n) {
    const double phase = theta + 2 * std::numbers::pi * j;
    if (phase >= a * std::numbers::pi) break;
    if (phase <= -a * std::numbers::pi) continue;
    const cplx ls(lx, phase / a);
    res += residue_term(x * cplx(std::cos(phase / a), std::sin(phase / a)), ls, z, a, b, Part::value, 0.0);
  }
  const double lz = std::log(std::abs(z));
  const cplx iz = 1.0 / z;
  cplx zk = 1.0, power = 0.0;
  double prev = INFINITY;
  for (int k = 1; k <= 400; ++k) {
    zk *= iz;
    const double arg = b - a * k;
    power -= zk * rgamma(arg);
    const double bound = std::exp(-k * lz + log_rgamma_envelope(arg));
    if (bound <= 0x1p-56 * (std::abs(res) + std::abs(power))) {
      out = res + power;
      return true;
    }
    if (bound > prev) return false;
    prev = bound;
  }
  return false;
}

}  // namespace detail

inline cplx mittag_leffler(cplx z, double a, double b) {
  using namespace detail;
  if (z.imag() == 0 && !std::isnan(z.real())) return mittag_leffler(z.real(), a, b);
  if (std::isnan(z.real()) || std::isnan(z.imag()) || !(a >= 0) || !std::isfinite(a) ||
      !std::isfinite(b))
    return cplx(NAN, NAN);
  if (a == 0) return rgamma(b) / (1.0 - z);
  if (!std::isfinite(std::abs(z))) return cplx(NAN, NAN);
  if (a == 1 && b == 1) return std::exp(z);
  const double x = pole_modulus(std::abs(z), a);
  cplx out;
  if (x <= 4.0 && complex_series(z, a, b, x, out)) return out;
  if (x >= 20.0 && complex_asymptotic(z, a, b, x, out)) return out;
  return laplace_inversion(z, a, b, Part::value, 0.0, false);
}

}  // namespace nonlin::ml
