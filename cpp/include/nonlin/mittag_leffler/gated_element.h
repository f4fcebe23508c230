// The per-element arithmetic of the fused Mittag-Leffler gated activations (gated.h) on Vec<P>
// in float64: the argument maps and the common shift before the factors are evaluated, the
// factors' vector closed forms, and the final combination after. The CPU's packet loops
// (cpp/src/cpu/ml_gated_isa.cpp) and the CUDA kernel (cpp/src/cuda/ml_gated.cu, scalar Vec)
// both run these.
#pragma once

#include <cmath>
#include <numbers>

#include "nonlin/mittag_leffler/gated.h"
#include "nonlin/simd/vmath.h"

namespace nonlin {
inline namespace NONLIN_ISA {
namespace ml_element {

using ml::GatedClosed;
using ml::GatedForm;
using ml::GateInner;
using ml::GateMap;

template <class V>
NONLIN_HD inline bool all_of(Mask<typename V::Packet> m) {
  return !any(~m);
}

// z = f(u) and df/du
template <class V>
NONLIN_HD inline void map(GateMap m, double c, V u, V& z, V& dz) {
  switch (m) {
    case GateMap::zero: z = dz = V(0.0); return;
    case GateMap::square: z = u * u; dz = u + u; return;
    case GateMap::neg_exp: {
      const V e = vm::exp(-c * u);
      z = -e;
      dz = c * e;
      return;
    }
    case GateMap::neg_abs:  // -|u| and -sign(u) (sign(0) = 0, NaN stays NaN)
      z = -abs(u);
      dz = select(u > 0.0, V(-1.0), select(u < 0.0, V(1.0), u * 0.0));
      return;
    case GateMap::scaled: z = u * std::numbers::sqrt2 * 0.5; dz = V(std::numbers::sqrt2 * 0.5); return;
    case GateMap::half_square_ln2: z = fma(0.5 * u, u, V(std::numbers::ln2)); dz = u; return;
    case GateMap::min0:  // NaN propagates like numpy.minimum
      z = select(u > 0.0, V(0.0), u);
      dz = select(u < 0.0, V(1.0), V(0.0));
      return;
  }
}

// z^{1/a} for z > 0 and a > 0 (the growth rate of E_{a,b}(z)), else 0
template <class V>
NONLIN_HD inline V growth(V z, double a) {
  if (!(a > 0)) return V(0.0);
  const auto pos = z > 0.0;
  if (!any(pos)) return V(0.0);
  V r;
  if (a == 1) r = z;
  else if (a == 2) r = sqrt(select(pos, z, V(0.0)));
  else if (a == 0.5) r = z * z;
  else r = vm::exp(vm::log(select(pos, z, V(1.0))) * (1 / a));
  return select(pos, r, V(0.0));
}

// u = h(x), h'(x), the two factors' arguments and their u-derivatives, and the common shift
template <class V>
struct Point {
  V u, dh, fz, dfz, gz, dgz, shift;
};

template <class V>
NONLIN_HD inline Point<V> point(const GatedForm& form, double a1, double a2, V x) {
  Point<V> p;
  p.u = x;
  p.dh = V(1.0);
  if (form.inner == GateInner::softplus) {
    p.u = vm::softplus(x);
    p.dh = vm::sigmoid(x);
  }
  map(form.f, form.c, p.u, p.fz, p.dfz);
  map(form.g, form.c, p.u, p.gz, p.dgz);
  const V ga = growth(p.fz, a1), gb = growth(p.gz, a2);
  p.shift = select(ga > gb, ga, gb);
  return p;
}

// A factor's closed form (the constant c0 from the driver) at z, times e^{-shift}
template <class V>
NONLIN_HD inline V closed(GatedClosed kind, double c0, V z, V shift) {
  switch (kind) {
    case GatedClosed::constant: return c0 * vm::exp(-shift);
    case GatedClosed::alpha_zero: return (c0 * (1.0 / (1.0 - z))) * vm::exp(-shift);
    case GatedClosed::alpha_zero_dz: {
      const V w = 1.0 / (1.0 - z);
      return (c0 * w * w) * vm::exp(-shift);
    }
    case GatedClosed::alpha_zero_da: {  // sum_k k z^k / Gamma(b) (0 at z = -inf)
      const V w = 1.0 / (1.0 - z);
      return select(abs(z) == V(INFINITY), V(0.0), (c0 * z * w * w) * vm::exp(-shift));
    }
    case GatedClosed::exp: return vm::exp(z - shift);
    case GatedClosed::expm1_over_z: {  // E_{1,2}(0) = 1
      const V e = vm::exp(-shift);
      const auto small = z < 1.0;
      V q = any(small) ? vm::expm1(select(small, z, V(0.0))) * e : V(0.0);
      if (!all_of<V>(small)) q = select(small, q, vm::exp(z - shift) - e);
      return select(z == 0.0, e, q / z);
    }
    // z >= 0, r = sqrt z: cosh r e^{-shift} = e^{r - shift} (1 + e^{-2r}) / 2 and
    // sinh r e^{-shift} = -e^{r - shift} expm1(-2r) / 2 (no cancellation, no overflow: two
    // exponentials for either); z < 0: cos r e^{-shift}, sin r / r e^{-shift}
    case GatedClosed::cosh_sqrt:
    case GatedClosed::sinhc_sqrt: {
      const V r2 = sqrt(abs(z));
      const V grow = vm::exp(r2 - shift), m = vm::expm1(-2.0 * r2);
      const bool cosh = kind == GatedClosed::cosh_sqrt;
      V r = cosh ? 0.5 * grow * (m + 2.0) : -grow * m / (r2 + r2);
      const auto neg = z < 0.0;
      if (any(neg)) {
        const V e = vm::exp(-shift);
        r = select(neg, (cosh ? vm::cos(r2) : vm::sin(r2) / r2) * e, r);
      }
      return cosh ? r : c0 * select(z == 0.0, vm::exp(-shift), r);
    }
  }
  return V(NAN);
}

// a * b with 0 * inf = 0 (a vanishing factor kills an overflowing chain-rule factor)
template <class V>
NONLIN_HD inline V prod(V a, V b) {
  return select((a == 0.0) | (b == 0.0), V(0.0), a * b);
}

// the prefactor x u^{gamma-1} (x^gamma for u = x) and its x-derivative
template <class V>
NONLIN_HD inline void prefactor(const GatedForm& form, V x, V u, V dh, V& pre, V& dpre) {
  if (form.inner == GateInner::identity) {
    pre = form.gamma == 0 ? V(1.0) : form.gamma == 1 ? x : x * x;
    dpre = form.gamma == 0 ? V(0.0) : form.gamma == 1 ? V(1.0) : 2.0 * x;
  } else {
    pre = form.gamma == 0 ? x / u : form.gamma == 1 ? x : x * u;
    dpre = form.gamma == 0 ? 1.0 / u - x * dh / (u * u) : form.gamma == 1 ? V(1.0) : fma(x, dh, u);
  }
}

// The factor parts at one point (times e^{-shift}): E_A, E_B, dE_A/dz, dE_B/dz,
// dE_A/da1, dE_A/db1, dE_B/da2, dE_B/db2 (those a mode does not use are left alone)
template <class V>
struct Factors {
  V ea, eb, da, db, pa1, pb1, pa2, pb2;
};

template <class V>
NONLIN_HD inline V value(const GatedForm& form, V x, const Point<V>& p, const Factors<V>& e) {
  V pre, dpre;
  prefactor(form, x, p.u, p.dh, pre, dpre);
  return pre * (e.ea / e.eb);
}

template <class V>
NONLIN_HD inline V derivative(const GatedForm& form, V x, const Point<V>& p, const Factors<V>& e) {
  V pre, dpre;
  prefactor(form, x, p.u, p.dh, pre, dpre);
  const V ratio = e.ea / e.eb;
  const V dA = prod(p.dfz, e.da), dB = prod(p.dgz, e.db);
  const V dratio = dA / e.eb - ratio * dB / e.eb;
  return dpre * ratio + prod(pre * p.dh, dratio);
}

// d act / d (a1, b1, a2, b2)
template <class V>
NONLIN_HD inline void param_parts(const GatedForm& form, V x, const Point<V>& p, const Factors<V>& e, V* part) {
  V pre, dpre;
  prefactor(form, x, p.u, p.dh, pre, dpre);
  const V q = pre * (e.ea / e.eb);
  part[0] = pre * e.pa1 / e.eb;
  part[1] = pre * e.pb1 / e.eb;
  part[2] = -q * e.pa2 / e.eb;
  part[3] = -q * e.pb2 / e.eb;
}

}  // namespace ml_element
}  // namespace NONLIN_ISA
}  // namespace nonlin
