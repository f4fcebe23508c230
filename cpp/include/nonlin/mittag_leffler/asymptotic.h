// Asymptotic expansion for large |z| (Gorenflo-Kilbas-Mainardi-Rogosin 2014, Thm 4.3/4.4):
//   E_{a,b}(z) = sum_{poles} (1/a) s^{1-b} e^{s}  -  sum_{k>=1} z^{-k} / Gamma(b - a k)
// with the poles s of the principal sheet (residues.h). The power sum is divergent: it is
// truncated before its smallest term, and accepted only if that term's bound
// |z|^{-k} Gamma(a k - b + 2) (reflection formula) is below 2^-56 of the result's scale.
// a = 1, z < 0: the pole s = z sits on the branch cut; its contribution e^z |z|^{1-b}
// cos(pi (1-b)) is exact for integer b (no cut) and exponentially small otherwise.
#pragma once

#include <cmath>
#include <complex>
#include <type_traits>

#include "gamma.h"
#include "part.h"
#include "residues.h"

namespace nonlin::ml {

template <class Z>
struct AsymptoticSumT {
  Z sum = 0.0;
  bool converged = false;
};
using AsymptoticSum = AsymptoticSumT<double>;

inline double stokes_term_a1(double z, double b, Part part, double shift) {
  const double m = -z, c = cospi(1.0 - b);
  const double r = std::exp((z - shift) + (1.0 - b) * std::log(m)) * c;
  switch (part) {
    case Part::value: return r;
    case Part::d_z: return r * (1.0 - (1.0 - b) / m);
    case Part::d_beta:
      return -std::log(m) * r + std::exp((z - shift) + (1.0 - b) * std::log(m)) *
                                    std::numbers::pi * sinpi(1.0 - b);
    case Part::d_alpha: return 0.0;  // exponentially small against the power terms
  }
  return 0.0;
}

// `shift`: every exponential e^{s} is returned as e^{s - shift} and the power terms are
// multiplied by e^{-shift} (scaled evaluation). Z = double or std::complex<double>.
template <class Z>
AsymptoticSumT<Z> asymptotic(Z z, double a, double b, Part part, double shift, int max_terms,
                             int* terms_used = nullptr) {
  AsymptoticSumT<Z> r;
  Z res = residue_sum(z, a, b, part, shift);
  if constexpr (std::is_same_v<Z, double>)
    if (a == 1.0 && z < 0) res += stokes_term_a1(z, b, part, shift);
  const double scale = std::exp(-shift);
  const double lz = std::log(std::abs(z));
  const Z iz = 1.0 / z;
  Z zk = 1.0;  // z^{-k}
  Z power = 0.0;
  double min_bound = INFINITY;
  RgammaSequence rg(a, b, -1);
  for (int k = 1; k <= max_terms; ++k) {
    zk *= iz;
    const double arg = b - a * k;
    Z t;
    double g = 0;
    switch (part) {
      case Part::value: t = -zk * (g = rg(k)); break;
      case Part::d_z: t = double(k) * zk * iz * (g = rg(k)); break;
      case Part::d_beta: t = -zk * rgamma_deriv(arg); break;
      case Part::d_alpha: t = double(k) * zk * rgamma_deriv(arg); break;
    }
    // bound of this term, also where it happens to vanish (1/Gamma at its zeros): from the
    // term itself away from them (|1/Gamma(x)| >= envelope/4 where |sin(pi x)| >= 1/4),
    // otherwise from the envelope (log), with room for the factors k and psi of derivatives
    double bound;
    const bool plain = part == Part::value || part == Part::d_z;
    if (plain && g != 0 && (arg >= 1 || std::fabs(sinpi(arg)) >= 0.25)) {
      bound = 4 * std::abs(t);
    } else {
      const double lbound = -(k + (part == Part::d_z)) * lz + log_rgamma_envelope(arg) +
                            (part == Part::value || part == Part::d_beta ? 0.0 : std::log(k + 1.0)) +
                            (plain ? 0.0 : std::log(4.0 + std::log1p(std::fabs(arg))));
      bound = std::exp(lbound);
    }
    power += t;
    const double total = std::abs(res) + std::abs(power * scale);
    if (bound * scale <= 0x1p-56 * total) {
      r.sum = res + power * scale;
      r.converged = true;
      if (terms_used) *terms_used = k;
      return r;
    }
    // past the smallest term: the expansion cannot reach the tolerance (the bounds from the
    // terms themselves sit within 4x of the unimodal envelope, hence the factor 16)
    if (bound > 16 * min_bound) return r;
    min_bound = std::min(min_bound, bound);
  }
  return r;
}

}  // namespace nonlin::ml
