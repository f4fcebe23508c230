// The packet loops of the fused Mittag-Leffler gated activations (gated.h), compiled once per
// ISA, over the per-element arithmetic of gated_element.h: the argument maps and the common
// shift before the factors are evaluated, the vector closed forms of the factors, and the final
// combination after. float64 packets; chunks are padded to a whole number of packets by the
// driver.
#include <Eigen/Core>

#include "nonlin/mittag_leffler/gated_element.h"

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

V load(const double* p) { return V(ei::pload<P>(p)); }
void store(double* p, V v) { ei::pstore(p, v.v); }
int padded(int n) { return (n + L - 1) / L * L; }

void prepare(const GatedForm& form, double a1, double a2, GatedChunk& c) {
  for (int i = 0; i < padded(c.n); i += L) {
    const ml_element::Point<V> p = ml_element::point(form, a1, a2, load(c.x + i));
    store(c.u + i, p.u);
    store(c.dh + i, p.dh);
    store(c.fz + i, p.fz);
    store(c.dfz + i, p.dfz);
    store(c.gz + i, p.gz);
    store(c.dgz + i, p.dgz);
    store(c.shift + i, p.shift);
  }
}

void closed(GatedClosed kind, double c0, const double* zp, const double* sp, double* out, int n) {
  for (int i = 0; i < padded(n); i += L) store(out + i, ml_element::closed(kind, c0, load(zp + i), load(sp + i)));
}

void combine(const GatedForm& form, GatedMode mode, const GatedChunk& c, const double* g,
             double* out, double* sums) {
  V acc[4] = {V(0.0), V(0.0), V(0.0), V(0.0)};
  for (int i = 0; i < padded(c.n); i += L) {
    const V x = load(c.x + i);
    const ml_element::Point<V> p{load(c.u + i), load(c.dh + i), load(c.fz + i), load(c.dfz + i),
                                 load(c.gz + i), load(c.dgz + i), load(c.shift + i)};
    ml_element::Factors<V> e{load(c.ea + i), load(c.eb + i)};
    if (mode == GatedMode::value) {
      store(out + i, ml_element::value(form, x, p, e));
    } else if (mode != GatedMode::params && mode != GatedMode::param_parts) {
      e.da = load(c.da + i);
      e.db = load(c.db + i);
      const V d = ml_element::derivative(form, x, p, e);
      store(out + i, mode == GatedMode::backward ? load(g + i) * d : d);
    } else {
      e.pa1 = load(c.pa1 + i);
      e.pb1 = load(c.pb1 + i);
      e.pa2 = load(c.pa2 + i);
      e.pb2 = load(c.pb2 + i);
      V part[4];
      ml_element::param_parts(form, x, p, e, part);
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
