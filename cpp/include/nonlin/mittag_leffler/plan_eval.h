// The evaluation of a Mittag-Leffler plan's pieces (plan_kernel.h) on Vec<P>, B packets at once
// (independent chains hide the latency of the loads and the recurrences): each lane finds its
// piece through its bucket and a short search over the upper ends and runs the Chebyshev
// (Clenshaw) recurrence on its own coefficients (gathers); the power series near 0 and the
// tails' power sums share their coefficients across lanes. The CPU's SIMD kernel
// (cpp/src/cpu/mittag_leffler_isa.cpp) runs it on packets, the CUDA kernel of the gated
// activations (cpp/src/cuda/ml_gated.cu) on one scalar element per thread; the lanes it does
// not cover (`fast` false: special values, unfitted pieces) are left to the plan's evaluator.
#pragma once

#include <limits>

#include "nonlin/mittag_leffler/plan_kernel.h"
#include "nonlin/simd/vmath.h"

#if defined(__AVX512F__) && !defined(__CUDACC__)
#include <immintrin.h>
#endif

namespace nonlin {
inline namespace NONLIN_ISA {
namespace ml_plan {

template <class V>
using MaskOf = Mask<typename V::Packet>;

template <class V>
NONLIN_HD inline bool all(MaskOf<V> m) {
  return !any(~m);
}

// the first lane's value
template <class V>
NONLIN_HD inline double first_lane(V v) {
  if constexpr (V::scalar) return v.v;
  else return Eigen::internal::pfirst(v.v);
}

// base[idx] per lane; idx holds small non-negative integers
template <class V>
NONLIN_HD inline V gather(const double* base, V idx) {
  if constexpr (V::scalar) {
    return V(base[int(idx.v)]);
  } else {
    namespace ei = Eigen::internal;
    constexpr int L = V::size;
#if defined(__AVX512F__) && !defined(__CUDACC__)
    if constexpr (L == 8) return V(_mm512_i32gather_pd(_mm512_cvttpd_epi32(idx.v), base, 8));
#endif
    // AVX2's vgatherdpd measured 2x slower than lane loads (microcode mitigations)
    alignas(64) double i[L], r[L];
    ei::pstore(i, idx.v);
    for (int l = 0; l < L; ++l) r[l] = base[int(i[l])];
    return V(ei::pload<typename V::Packet>(r));
  }
}

// |z| <= series_radius: the power series (shared coefficients)
template <class V>
NONLIN_HD inline V power_series(const ml::PlanView& pv, V z) {
  V s(0.0);
  for (int k = pv.series_terms - 1; k >= 0; --k) s = fma(s, z, V(pv.series[k]));
  return s;
}

// z < tail_z (lanes `far`): the tail's power sum
template <class V>
NONLIN_HD inline V negative_tail(const ml::PlanView& pv, V z, MaskOf<V> far) {
  const V w = V(1.0) / select(far, z, V(-1.0));
  V s(0.0);
  for (int k = pv.tail_terms; k >= 1; --k) s = fma(s, w, V(pv.tail[k]));
  s = s * w;
  return pv.tail_extra_w ? s * w : s;
}

// The exponential factors, s = z^{1/a}: lanes `scaled` (pieces or cells of E e^{-s}) are
// multiplied by e^{s}, lanes `farpos` (z > tail_pos_z) become the residue e^{s} s^{1-b} / a
// plus the power sum; everything times e^{-shift}. One log and one exp for all of it.
template <class V>
NONLIN_HD inline V exponential_factors(const ml::PlanView& pv, V z, V shift, bool shifted, MaskOf<V> scaled,
                                      MaskOf<V> farpos, V v) {
  const MaskOf<V> pos = scaled | farpos;
  if (!shifted && !any(pos)) return v;
  V exponent = shifted ? -shift : V(0.0), power(0.0);
  if (any(pos)) {
    const V zp = select(pos, z, V(1.0));
    const V ls = vm::log(zp) * pv.inv_alpha;
    exponent = exponent + select(pos, vm::exp(ls), V(0.0)) +
               select(farpos, fma(V(pv.one_minus_beta), ls, V(-pv.log_alpha)), V(0.0));
    if (any(farpos)) {
      const V w = V(1.0) / zp;
      for (int k = pv.tail_pos_terms; k >= 1; --k) power = fma(power, w, V(pv.tail[k]));
      power = power * w;
      if (shifted) power = power * vm::exp(-shift);
    }
  }
  const V e = vm::exp(exponent);
  return select(farpos, e + power, v * e);
}

// +-inf, NaN, NaN shifts and, without the power series, z = 0 take the exact special values
template <class V>
NONLIN_HD inline MaskOf<V> ordinary(const ml::PlanView& pv, V z, V shift, bool shifted) {
  MaskOf<V> m = abs(z) < V(std::numeric_limits<double>::infinity());
  if (pv.series_terms == 0) m = m & ~(z == V(0.0));
  return shifted ? m & ~isnan(shift) : m;
}

// B packets z (shifts `shift` if shifted): v = the plan, fast = the lanes covered
template <int B, class V>
NONLIN_HD inline void block(const ml::PlanView& pv, const V* z, const V* shift, bool shifted, V* v, MaskOf<V>* fast) {
  MaskOf<V> scaled[B];
  bool any_piece = false;
  MaskOf<V> near[B], far[B], farpos[B];
  for (int j = 0; j < B; ++j) {
    near[j] = abs(z[j]) <= pv.series_radius;
    far[j] = z[j] < pv.tail_z;
    farpos[j] = z[j] > pv.tail_pos_z;
    fast[j] = near[j] | far[j] | farpos[j];
    any_piece = any_piece || !all<V>(fast[j]);
    v[j] = V(0.0);
    scaled[j] = V(1.0) < V(0.0);  // none
  }
  if (any_piece && pv.pieces > 0) {
    // piece: the first with upper end >= z (the last for z beyond), from z's bucket on
    V idx[B];
    for (int j = 0; j < B; ++j) {
      const V b = floor((z[j] - pv.lo) * pv.bucket_scale);
      idx[j] = gather(pv.bucket_first, select(b <= double(pv.buckets - 1), select(b >= 0.0, b, V(0.0)),
                                              V(double(pv.buckets - 1))));
    }
    for (int step = 0; step < pv.bucket_steps; ++step)
      for (int j = 0; j < B; ++j)
        idx[j] = select((gather(pv.hi, idx[j]) < z[j]) & (idx[j] < double(pv.pieces - 1)), idx[j] + 1.0, idx[j]);
    // the piece's record {centre, 1/half-width, mode, c_0..}: gathered per lane, or loaded
    // once when all lanes fall in one piece (sorted or smooth inputs)
    const double first = first_lane(idx[0]);
    bool one = true;
    for (int j = 0; j < B; ++j) one = one && all<V>(idx[j] == V(first));
    const double* rec0 = pv.data + std::ptrdiff_t(first) * pv.stride;
    V rec[B]{}, t2[B], b1[B], b2[B];  // rec zeroed: nvcc cannot see that field() reads it after
    auto field = [&](int j, int f) { return one ? V(rec0[f]) : gather(pv.data, rec[j] + double(f)); };
    for (int j = 0; j < B; ++j) {
      rec[j] = idx[j] * double(pv.stride);
      t2[j] = (z[j] - field(j, 0)) * field(j, 1);
      t2[j] = t2[j] + t2[j];
      b1[j] = b2[j] = V(0.0);
    }
    for (int k = pv.degree; k >= 1; --k)
      for (int j = 0; j < B; ++j) {
        const V b0 = fma(t2[j], b1[j], field(j, 3 + k) - b2[j]);
        b2[j] = b1[j];
        b1[j] = b0;
      }
    for (int j = 0; j < B; ++j) {
      v[j] = fma(t2[j] * 0.5, b1[j], field(j, 3) - b2[j]);
      const V mode = field(j, 2);
      scaled[j] = (mode == V(2.0)) & ~(near[j] | far[j] | farpos[j]);
      fast[j] = fast[j] | ((z[j] >= pv.lo) & (z[j] <= pv.hi[pv.pieces - 1]) & (mode > 0.0));
    }
  }
  for (int j = 0; j < B; ++j) {
    if (any(near[j])) v[j] = select(near[j], power_series(pv, z[j]), v[j]);
    if (any(far[j])) v[j] = select(far[j], negative_tail(pv, z[j], far[j]), v[j]);
    v[j] = exponential_factors(pv, z[j], shift[j], shifted, scaled[j], farpos[j], v[j]);
    fast[j] = fast[j] & ordinary(pv, z[j], shift[j], shifted);
  }
}

}  // namespace ml_plan
}  // namespace NONLIN_ISA
}  // namespace nonlin
