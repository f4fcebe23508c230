// The poles of the Laplace transform s^{a-b}/(s^a - z) of E_{a,b}(t^a z) on the principal sheet,
// s_j = |z|^{1/a} exp(i (arg z + 2 pi j)/a) with |arg s_j| < pi, and their residues
// (1/a) s^{1-b} e^{s} (Garrappa 2015, SIAM J. Numer. Anal. 53:1350, eq. 2.5). For real z the
// poles come in conjugate pairs, so only Im s >= 0 is summed (doubled) and the result is real.
#pragma once

#include <algorithm>
#include <cmath>
#include <complex>
#include <numbers>

#include "gamma.h"
#include "part.h"

namespace nonlin::ml {

using cplx = std::complex<double>;

// |s| = |z|^{1/a}; pow is correctly rounded for a = 1/2, 1, 2, ..., so a caller's scaling
// shift computed the same way cancels the dominant exponential exactly.
inline double pole_modulus(double z, double a) { return std::pow(std::fabs(z), 1.0 / a); }

// The j of the singularities s_j = |z|^{1/a} e^{i theta_j}, theta_j = (arg z + 2 pi j) / a,
// with |theta_j| <= pi: the principal sheet, its ends included (callers drop |theta_j| = pi
// where the cut lies).
struct SheetIndices {
  int first, last;
};
inline SheetIndices principal_sheet(double arg_z, double a) {
  const double turn = arg_z / (2 * std::numbers::pi);
  return {int(std::ceil(-a / 2 - turn)), int(std::floor(a / 2 - turn))};
}

// One residue term (or its derivative in z, a, b) with e^{s - shift}; `ls` = log s.
inline cplx residue_term(cplx s, cplx ls, cplx z, double a, double b, Part part, double shift) {
  const cplx logr = (s - shift) + (-std::log(a) + (1.0 - b) * ls);  // s - shift first: exact
  if (logr.real() < -745.0) return 0.0;
  const cplx r = std::exp(logr);
  switch (part) {
    case Part::value: return r;
    case Part::d_z: return r * ((1.0 - b) + s) / (a * z);         // ds/dz = s/(a z)
    case Part::d_beta: return -ls * r;
    case Part::d_alpha: return r * (-1.0 / a - ((1.0 - b) + s) * ls / a);  // ds/da = -s log(s)/a
  }
  return 0.0;
}

// Angles arg(s_j) in [0, pi) of the poles with Im s >= 0 for real z != 0, and whether each
// is real (counted once) or one of a conjugate pair (counted twice).
template <class F>
void for_each_pole(double z, double a, F&& f) {
  const double base = z > 0 ? 0.0 : 1.0;  // arg z / pi
  // theta_j = pi (base + 2 j)/a < pi  <=>  base + 2 j < a
  for (int j = 0; base + 2.0 * j < a && j < 64; ++j) {
    const double turns = (base + 2.0 * j) / a;  // theta/pi
    f(turns, turns == 0.0 ? 1.0 : 2.0);
  }
}

// Sum of the residues at the poles of the principal sheet (real z), each scaled by e^{-shift}.
inline double residue_sum(double z, double a, double b, Part part, double shift) {
  if (z < 0 && a <= 1) return 0.0;  // no pole on the principal sheet
  const double x = pole_modulus(z, a);
  const double lx = std::isfinite(x) ? std::log(x) : std::log(std::fabs(z)) / a;  // log |s|
  double total = 0.0;
  for_each_pole(z, a, [&](double turns, double weight) {
    const cplx s = x * cplx(cospi(turns), sinpi(turns));  // exact 0 real part at a = 2
    const cplx ls(lx, std::numbers::pi * turns);
    total += weight * residue_term(s, ls, z, a, b, part, shift).real();
  });
  return total;
}

// Complex z: every pole s_j = |z|^{1/a} e^{i (arg z + 2 pi j)/a} with |arg z + 2 pi j| < a pi.
inline cplx residue_sum(cplx z, double a, double b, Part part, double shift) {
  const double theta = std::arg(z), x = pole_modulus(std::abs(z), a), lx = std::log(x);
  cplx total = 0.0;
  const SheetIndices sheet = principal_sheet(theta, a);
  for (int j = sheet.first; j <= std::min(sheet.last, sheet.first + 129); ++j) {
    const double phase = theta + 2 * std::numbers::pi * j;
    if (std::fabs(phase) >= a * std::numbers::pi) continue;
    const cplx ls(lx, phase / a);
    total += residue_term(x * cplx(std::cos(phase / a), std::sin(phase / a)), ls, z, a, b, part, shift);
  }
  return total;
}

}  // namespace nonlin::ml
