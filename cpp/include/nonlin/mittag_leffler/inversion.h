// Numerical inversion of the Laplace transform of E_{a,b}(t^a z) at t = 1 on an optimal
// parabolic contour s(u) = mu (1 + i u)^2 with the trapezoidal rule, plus the residues of the
// poles left of the contour (Garrappa 2015, SIAM J. Numer. Anal. 53:1350, Sections 3-4;
// the parameter choice follows his reference code ml.m, functions OptimalParam_RB/RU).
// The derivative parts integrate the differentiated transform along the same contour:
//   d/dz: s^{a-b}/(s^a - z)^2,  d/db: -log(s) s^{a-b}/(s^a - z),  d/da: -z log(s) s^{a-b}/(s^a - z)^2
// and add the differentiated residues (residues.h). Every loop is bounded.
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <complex>
#include <numbers>

#include "gamma.h"
#include "part.h"
#include "residues.h"

namespace nonlin::ml {

namespace detail {

constexpr double log_eps = -36.043653389117154;  // log(2^-52)

struct ContourParams {
  double mu = 0, h = 0, n = INFINITY;
};

// Parameters for a region bounded by two singularities (Garrappa's OptimalParam_RB).
inline ContourParams optimal_bounded(double phi_j, double phi_j1, double pj, double qj,
                                     double log_epsilon) {
  constexpr double fac = 1.01;
  const double f_max = std::exp(log_epsilon - log_eps);
  const double sq_j = std::sqrt(phi_j);
  const double threshold = 2 * std::sqrt(log_epsilon - log_eps);
  const double sq_j1 = std::min(std::sqrt(phi_j1), threshold - sq_j);
  double sqb_j = sq_j, sqb_j1 = sq_j1, f_bar = 1.0;
  if (pj < 1e-14 && qj < 1e-14) {
    // both ends harmless
  } else if (pj < 1e-14) {
    const double f_min = sq_j > 0 ? fac * std::pow(sq_j / (sq_j1 - sq_j), qj) : fac;
    if (!(f_min < f_max)) return {};
    f_bar = f_min + f_min / f_max * (f_max - f_min);
    const double fq = std::pow(f_bar, -1 / qj);
    sqb_j1 = (2 * sq_j1 - fq * sq_j) / (2 + fq);
  } else if (qj < 1e-14) {
    const double f_min = fac * std::pow(sq_j1 / (sq_j1 - sq_j), pj);
    if (!(f_min < f_max)) return {};
    f_bar = f_min + f_min / f_max * (f_max - f_min);
    const double fp = std::pow(f_bar, -1 / pj);
    sqb_j = (2 * sq_j + fp * sq_j1) / (2 - fp);
  } else {
    double f_min = fac * (sq_j + sq_j1) / std::pow(sq_j1 - sq_j, std::max(pj, qj));
    if (!(f_min < f_max)) return {};
    f_min = std::max(f_min, 1.5);
    f_bar = f_min + f_min / f_max * (f_max - f_min);
    const double fp = std::pow(f_bar, -1 / pj), fq = std::pow(f_bar, -1 / qj);
    const double w = -phi_j1 / log_epsilon;
    const double den = 2 + w - (1 + w) * fp + fq;
    sqb_j = ((2 + w + fq) * sq_j + fp * sq_j1) / den;
    sqb_j1 = (-(1 + w) * fq * sq_j + (2 + w - (1 + w) * fp) * sq_j1) / den;
  }
  const double le = log_epsilon - std::log(f_bar);
  const double w = -sqb_j1 * sqb_j1 / le;
  ContourParams c;
  c.mu = std::pow(((1 + w) * sqb_j + sqb_j1) / (2 + w), 2);
  c.h = -2 * std::numbers::pi / le * (sqb_j1 - sqb_j) / ((1 + w) * sqb_j + sqb_j1);
  c.n = std::ceil(std::sqrt(1 - le / c.mu) / c.h);
  if (!(c.h > 0) || !(c.mu > 0)) return {};
  return c;
}

// Parameters for the unbounded region right of the last singularity (OptimalParam_RU).
inline ContourParams optimal_unbounded(double phi_j, double pj, double log_epsilon) {
  const double sq_phi = std::sqrt(phi_j);
  double phib = phi_j > 0 ? phi_j * 1.01 : 0.01;
  double sqb = std::sqrt(phib);
  constexpr double f_min = 1, f_max = 10, f_tar = 5;
  double nj = 0, a_ = 0, sq_mu = 0;
  for (int it = 0; it < 64; ++it) {
    const double le_phi = log_epsilon / phib;
    nj = std::ceil(phib / std::numbers::pi * (1 - 1.5 * le_phi + std::sqrt(1 - 2 * le_phi)));
    a_ = std::numbers::pi * nj / phib;
    sq_mu = sqb * std::fabs(4 - a_) / std::fabs(7 - std::sqrt(1 + 12 * a_));
    const double fbar = std::pow((sqb - sq_phi) / sq_mu, -pj);
    if (pj < 1e-14 || (f_min < fbar && fbar < f_max)) break;
    sqb = std::pow(f_tar, -1 / pj) * sq_mu + sq_phi;
    phib = sqb * sqb;
  }
  ContourParams c;
  c.mu = sq_mu * sq_mu;
  c.h = (-3 * a_ - 2 + 2 * std::sqrt(1 + 12 * a_)) / (4 - a_) / nj;
  c.n = nj;
  const double threshold = log_epsilon - log_eps;
  if (c.mu > threshold) {
    const double q = std::fabs(pj) < 1e-14 ? 0 : std::pow(f_tar, -1 / pj) * std::sqrt(c.mu);
    phib = std::pow(q + sq_phi, 2);
    if (phib < threshold) {
      const double w = std::sqrt(log_eps / (log_eps - log_epsilon));
      const double u = std::sqrt(-phib / log_eps);
      c.mu = threshold;
      c.n = std::ceil(w * log_epsilon / 2 / std::numbers::pi / (u * w - 1));
      c.h = w / c.n;
    } else {
      return {};
    }
  }
  if (!(c.h > 0) || !(c.n > 0)) return {};
  return c;
}

struct Pole {
  cplx s, ls;  // s and log s
  double phi;  // (Re s + |s|)/2
};

// d/dpart of the transform at s (see the header comment), given log s.
inline cplx transform(cplx s, cplx ls, cplx z, double a, double b, Part part) {
  const cplx sa = std::exp(a * ls);
  const cplx w = 1.0 / (sa - z);
  const cplx base = std::exp(s + (a - b) * ls) * w;  // e^s s^{a-b}/(s^a - z)
  switch (part) {
    case Part::value: return base;
    case Part::d_z: return base * w;
    case Part::d_beta: return -ls * base;
    case Part::d_alpha: return -z * ls * base * w;
  }
  return 0.0;
}

// The trapezoidal rule on the contour, (h / 2 pi i) sum_k F_k for the nodes F_k = node(k)
// (the integrand times ds/du at u = h k), and (h / 2 pi) sum |F_k|, the scale of its rounding.
// Garrappa's n bounds the truncation error by e^{Re s} alone; the transform's own growth
// (|s|^{a-b} for b < a) can need a few more nodes: it continues past n while the terms matter.
// real_z: F_{-k} = -conj(F_k), so the pair sums to 2 i Im F_k and only k >= 0 is evaluated.
struct ContourSum {
  cplx value;
  double magnitude;
};

template <class Node>
ContourSum trapezoid_sum(const Node& node, int n, double h, bool real_z) {
  const cplx f0 = node(0);
  cplx sum = real_z ? cplx(0, f0.imag()) : f0;
  double magnitude = std::abs(f0);
  for (int k = 1; k <= n + 256; ++k) {
    const cplx fk = node(k), t = real_z ? cplx(0, 2 * fk.imag()) : fk + node(-k);
    sum += t;
    magnitude += std::abs(t);
    if (k >= n && std::abs(t) <= 0x1p-60 * std::abs(sum)) break;
  }
  const double scale = h / (2 * std::numbers::pi);
  return {cplx(sum.imag(), -sum.real()) * scale, magnitude * scale};  // / i: exact
}

}  // namespace detail

// E_{a,b}(z) (or a derivative part) by Laplace inversion; `shift` scales the result by e^{-shift}.
// For real z only half of the symmetric nodes are summed.
inline cplx laplace_inversion(cplx z, double a, double b, Part part, double shift,
                              bool real_z, double tolerance = 1e-15) {
  using namespace detail;
  // poles of the principal sheet, sorted by phi, those on the cut (phi ~ 0) dropped
  const double theta = std::arg(z);
  const double x = pole_modulus(std::abs(z), a);
  const double lx = std::log(x);
  std::array<Pole, 130> poles;
  int np = 0;
  const SheetIndices sheet = principal_sheet(theta, a);
  for (int j = sheet.first; j <= sheet.last && np < 128; ++j) {
    const double th = (theta + 2 * std::numbers::pi * j) / a;
    const cplx ls(lx, th);
    const cplx s = x * cplx(std::cos(th), std::sin(th));
    const double phi = 0.5 * (s.real() + std::abs(s));
    if (phi > 1e-15) poles[np++] = {s, ls, phi};
  }
  std::sort(poles.begin(), poles.begin() + np, [](const Pole& p, const Pole& q) { return p.phi < q.phi; });
  // singularities: origin (strength p0) then the poles (strength gamma). The squared
  // denominators are Prabhakar transforms s^{a gamma - b'}/(s^a - z)^gamma with gamma = 2,
  // b' = a + b (E' = E^2_{a,a+b}); Garrappa's p0 = max(0, -2(a gamma - b' + 1)).
  const bool squared = part == Part::d_z || part == Part::d_alpha;
  const double gamma = squared ? 2.0 : 1.0;
  const double bp = squared ? a + b : b;
  const int ns = np + 1;
  std::array<double, 132> phi{}, pp{}, qq{};
  phi[0] = 0;
  for (int i = 0; i < np; ++i) phi[i + 1] = poles[i].phi;
  phi[ns] = INFINITY;
  pp[0] = std::max(0.0, -2 * (a * gamma - bp + 1));
  for (int i = 1; i < ns; ++i) pp[i] = gamma;
  for (int i = 0; i < ns - 1; ++i) qq[i] = gamma;
  qq[ns - 1] = INFINITY;

  double log_epsilon = std::log(tolerance);
  ContourParams best;
  int best_region = -1;
  for (int attempt = 0; attempt < 12; ++attempt) {
    best = {};
    best_region = -1;
    for (int j = 0; j < ns; ++j) {
      if (!(phi[j] < (log_epsilon - log_eps) && phi[j] < phi[j + 1])) continue;
      const ContourParams c = j < ns - 1 ? optimal_bounded(phi[j], phi[j + 1], pp[j], qq[j], log_epsilon)
                                         : optimal_unbounded(phi[j], pp[j], log_epsilon);
      if (c.n < best.n) { best = c; best_region = j; }
    }
    if (best.n <= 200) break;
    log_epsilon += std::log(10.0);
  }
  if (best_region < 0 || !(best.n <= 400)) return NAN;

  const int n = int(best.n);
  auto node = [&](int k) {
    const double u = best.h * k;
    const cplx s = best.mu * cplx(1 - u * u, 2 * u);  // mu (1 + i u)^2
    const cplx ds = cplx(-2 * best.mu * u, 2 * best.mu);
    return transform(s, std::log(s), z, a, b, part) * ds;
  };
  cplx acc = trapezoid_sum(node, n, best.h, real_z).value;
  acc *= std::exp(-shift);
  // residues of the poles to the right of the chosen region
  for (int i = best_region; i < np; ++i)
    acc += residue_term(poles[i].s, poles[i].ls, z, a, b, part, shift);
  return acc;
}

}  // namespace nonlin::ml
