// The packet loops of the fused Mittag-Leffler gated activations (gated.h), compiled once per
// ISA: the argument maps and the common shift before the factors are evaluated, the vector
// closed forms of the factors, and the final combination after. float64 packets; chunks are
// padded to a whole number of packets by the driver.
#include <Eigen/Core>
#include <cmath>
#include <numbers>

#include "nonlin/mittag_leffler/gated.h"
#include "nonlin/simd/vmath.h"

namespace nonlin {
inline namespace NONLIN_ISA {
namespace {

namespace ei = Eigen::internal;
using P = ei::packet_traits<double>::type;
using V = Vec<P>;
using M = Mask<P>;
constexpr int L = V::size;
using ml::GatedChunk;
using ml::GatedClosed;
using ml::GatedForm;
using ml::GatedMode;
using ml::GateInner;
using ml::GateMap;

V load(const double* p) { return V(ei::pload<P>(p)); }
void store(double* p, V v) { ei::pstore(p, v.v); }
int padded(int n) { return (n + L - 1) / L * L; }
bool all(M m) { return !any(~m); }

// z = f(u) and df/du
void map(GateMap m, double c, V u, V& z, V& dz) {
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
V growth(V z, double a) {
  if (!(a > 0)) return V(0.0);
  const M pos = z > 0.0;
  if (!any(pos)) return V(0.0);
  V r;
  if (a == 1) r = z;
  else if (a == 2) r = sqrt(select(pos, z, V(0.0)));
  else if (a == 0.5) r = z * z;
  else r = vm::exp(vm::log(select(pos, z, V(1.0))) * (1 / a));
  return select(pos, r, V(0.0));
}

void prepare(const GatedForm& form, double a1, double a2, GatedChunk& c) {
  for (int i = 0; i < padded(c.n); i += L) {
    const V x = load(c.x + i);
    V u = x, dh(1.0), fz, dfz, gz, dgz;
    if (form.inner == GateInner::softplus) {
      u = vm::softplus(x);
      dh = vm::sigmoid(x);
    }
    map(form.f, form.c, u, fz, dfz);
    map(form.g, form.c, u, gz, dgz);
    const V ga = growth(fz, a1), gb = growth(gz, a2);
    store(c.u + i, u);
    store(c.dh + i, dh);
    store(c.fz + i, fz);
    store(c.dfz + i, dfz);
    store(c.gz + i, gz);
    store(c.dgz + i, dgz);
    store(c.shift + i, select(ga > gb, ga, gb));
  }
}

void closed(GatedClosed kind, double c0, const double* zp, const double* sp, double* out, int n) {
  for (int i = 0; i < padded(n); i += L) {
    const V z = load(zp + i), shift = load(sp + i);
    V r;
    switch (kind) {
      case GatedClosed::constant: r = c0 * vm::exp(-shift); break;
      case GatedClosed::alpha_zero: r = (c0 * (1.0 / (1.0 - z))) * vm::exp(-shift); break;
      case GatedClosed::alpha_zero_dz: {
        const V w = 1.0 / (1.0 - z);
        r = (c0 * w * w) * vm::exp(-shift);
        break;
      }
      case GatedClosed::alpha_zero_da: {  // sum_k k z^k / Gamma(b) (0 at z = -inf)
        const V w = 1.0 / (1.0 - z);
        r = select(abs(z) == V(INFINITY), V(0.0), (c0 * z * w * w) * vm::exp(-shift));
        break;
      }
      case GatedClosed::exp: r = vm::exp(z - shift); break;
      case GatedClosed::expm1_over_z: {  // E_{1,2}(0) = 1
        const V e = vm::exp(-shift);
        const M small = z < 1.0;
        V q = any(small) ? vm::expm1(select(small, z, V(0.0))) * e : V(0.0);
        if (!all(small)) q = select(small, q, vm::exp(z - shift) - e);
        r = select(z == 0.0, e, q / z);
        break;
      }
      // z >= 0, r = sqrt z: cosh r e^{-shift} = e^{r - shift} (1 + e^{-2r}) / 2 and
      // sinh r e^{-shift} = -e^{r - shift} expm1(-2r) / 2 (no cancellation, no overflow: two
      // exponentials for either); z < 0: cos r e^{-shift}, sin r / r e^{-shift}
      case GatedClosed::cosh_sqrt:
      case GatedClosed::sinhc_sqrt: {
        const V r2 = sqrt(abs(z));
        const V grow = vm::exp(r2 - shift), m = vm::expm1(-2.0 * r2);
        const bool cosh = kind == GatedClosed::cosh_sqrt;
        r = cosh ? 0.5 * grow * (m + 2.0) : -grow * m / (r2 + r2);
        const M neg = z < 0.0;
        if (any(neg)) {
          const V e = vm::exp(-shift);
          r = select(neg, (cosh ? vm::cos(r2) : vm::sin(r2) / r2) * e, r);
        }
        if (!cosh) r = c0 * select(z == 0.0, vm::exp(-shift), r);
        break;
      }
    }
    store(out + i, r);
  }
}

// a * b with 0 * inf = 0 (a vanishing factor kills an overflowing chain-rule factor)
V prod(V a, V b) { return select((a == 0.0) | (b == 0.0), V(0.0), a * b); }

void combine(const GatedForm& form, GatedMode mode, const GatedChunk& c, const double* g,
             double* out, double* sums) {
  V acc[4] = {V(0.0), V(0.0), V(0.0), V(0.0)};
  for (int i = 0; i < padded(c.n); i += L) {
    const V x = load(c.x + i), u = load(c.u + i), dh = load(c.dh + i);
    // the prefactor x u^{gamma-1} (x^gamma for u = x) and its x-derivative
    V pre, dpre;
    if (form.inner == GateInner::identity) {
      pre = form.gamma == 0 ? V(1.0) : form.gamma == 1 ? x : x * x;
      dpre = form.gamma == 0 ? V(0.0) : form.gamma == 1 ? V(1.0) : 2.0 * x;
    } else {
      pre = form.gamma == 0 ? x / u : form.gamma == 1 ? x : x * u;
      dpre = form.gamma == 0 ? 1.0 / u - x * dh / (u * u) : form.gamma == 1 ? V(1.0) : fma(x, dh, u);
    }
    const V eb = load(c.eb + i), ratio = load(c.ea + i) / eb;
    if (mode == GatedMode::value) {
      store(out + i, pre * ratio);
    } else if (mode != GatedMode::params && mode != GatedMode::param_parts) {
      const V dA = prod(load(c.dfz + i), load(c.da + i)), dB = prod(load(c.dgz + i), load(c.db + i));
      const V dratio = dA / eb - ratio * dB / eb;
      V d = dpre * ratio + prod(pre * dh, dratio);
      if (mode == GatedMode::backward) d = load(g + i) * d;
      store(out + i, d);
    } else {
      const V q = pre * ratio;
      const V part[4] = {pre * load(c.pa1 + i) / eb, pre * load(c.pb1 + i) / eb,
                         -q * load(c.pa2 + i) / eb, -q * load(c.pb2 + i) / eb};
      if (mode == GatedMode::param_parts) {
        for (int k = 0; k < 4; ++k) store(out + k * ml::kGatedChunk + i, part[k]);
        continue;
      }
      const M real = V(ei::plset<P>(double(i))) < double(c.n);  // not the padding
      const V gi = load(g + i);
      for (int k = 0; k < 4; ++k) acc[k] = select(real, fma(gi, part[k], acc[k]), acc[k]);
    }
  }
  if (mode == GatedMode::params)
    for (int k = 0; k < 4; ++k) sums[k] += ei::predux(acc[k].v);
}

constexpr ml::GatedKernels kKernels = {&prepare, &closed, &combine};

}  // namespace
}  // namespace NONLIN_ISA

const ml::GatedKernels* ml::NONLIN_CAT(gated_kernels_, NONLIN_ISA)() { return &kKernels; }

}  // namespace nonlin
