// SIMD evaluation of a Mittag-Leffler plan (plan_kernel.h), compiled once per ISA: each lane finds its piece by a branch-free binary search over the upper
// ends and runs the Chebyshev (Clenshaw) recurrence on its own coefficients (gathers); the
// power series near 0 and the tail's power sum share their coefficients across lanes. Lanes
// the vector path does not cover go through the plan's scalar evaluator.
#include <Eigen/Core>
#include <algorithm>
#include <cstddef>
#include <limits>

#include "nonlin/mittag_leffler/plan_kernel.h"
#include "nonlin/simd/vmath.h"

#if defined(__AVX512F__)
#include <immintrin.h>
#endif

namespace nonlin {
inline namespace NONLIN_ISA {
namespace {

namespace ei = Eigen::internal;
using P = ei::packet_traits<double>::type;
using V = Vec<P>;
constexpr int L = V::size;

bool all(Mask<P> m) { return !any(~m); }

// base[idx] per lane; idx holds small non-negative integers
V gather(const double* base, V idx) {
#if defined(__AVX512F__)
  static_assert(L == 8);
  return V(_mm512_i32gather_pd(_mm512_cvttpd_epi32(idx.v), base, 8));
#else  // AVX2's vgatherdpd measured 2x slower than lane loads (microcode mitigations)
  alignas(64) double i[L], r[L];
  ei::pstore(i, idx.v);
  for (int l = 0; l < L; ++l) r[l] = base[int(i[l])];
  return V(ei::pload<P>(r));
#endif
}

// The plan for B packets at once (independent chains hide the latency of the loads and the
// recurrences); `fast` marks the lanes covered here.
constexpr int B = 4;

void block(const ml::PlanView& pv, const V* z, const V* shift, bool shifted, V* v, Mask<P>* fast) {
  Mask<P> scaled[B];
  bool any_piece = false;
  Mask<P> near[B], far[B], farpos[B];
  for (int j = 0; j < B; ++j) {
    near[j] = abs(z[j]) <= pv.series_radius;
    far[j] = z[j] < pv.tail_z;
    farpos[j] = z[j] > pv.tail_pos_z;
    fast[j] = near[j] | far[j] | farpos[j];
    any_piece = any_piece || !all(fast[j]);
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
    const double first = ei::pfirst(idx[0].v);
    bool one = true;
    for (int j = 0; j < B; ++j) one = one && all(idx[j] == V(first));
    const double* rec0 = pv.data + std::ptrdiff_t(first) * pv.stride;
    V rec[B], t2[B], b1[B], b2[B];
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
    if (any(near[j])) {  // the power series
      V s(0.0);
      for (int k = pv.series_terms - 1; k >= 0; --k) s = fma(s, z[j], V(pv.series[k]));
      v[j] = select(near[j], s, v[j]);
    }
    if (any(far[j])) {  // the tail's power sum
      const V w = V(1.0) / select(far[j], z[j], V(-1.0));
      V s(0.0);
      for (int k = pv.tail_terms; k >= 1; --k) s = fma(s, w, V(pv.tail[k]));
      s = s * w;
      if (pv.tail_extra_w) s = s * w;
      v[j] = select(far[j], s, v[j]);
    }
    // z > 0 with exponential growth, s = z^{1/a}: pieces of E e^{-s} (times e^{s}) and the
    // tail (the residue e^{s} s^{1-b} / a plus the power sum); one log and one exp for both
    const Mask<P> pos = scaled[j] | farpos[j];
    V exponent = shifted ? -shift[j] : V(0.0), power(0.0);
    if (any(pos)) {
      const V zp = select(pos, z[j], V(1.0));
      const V ls = vm::log(zp) * pv.inv_alpha;
      exponent = exponent + select(pos, vm::exp(ls), V(0.0)) +
                 select(farpos[j], fma(V(pv.one_minus_beta), ls, V(-pv.log_alpha)), V(0.0));
      if (any(farpos[j])) {
        const V w = V(1.0) / zp;
        for (int k = pv.tail_pos_terms; k >= 1; --k) power = fma(power, w, V(pv.tail[k]));
        power = power * w;
        if (shifted) power = power * vm::exp(-shift[j]);
      }
    }
    if (shifted || any(pos)) {
      const V e = vm::exp(exponent);
      v[j] = select(farpos[j], e + power, v[j] * e);
    }
    // 0, +-inf, NaN (and NaN shifts): the exact special values
    fast[j] = fast[j] & ~(z[j] == V(0.0)) & (abs(z[j]) < V(std::numeric_limits<double>::infinity()));
    if (shifted) fast[j] = fast[j] & ~isnan(shift[j]);
  }
}

void evaluate(const ml::PlanView& pv, const double* z, const double* shift, double* out,
              std::ptrdiff_t n) {
  constexpr int N = B * L;
  for (std::ptrdiff_t i = 0; i < n; i += N) {
    // a short last block repeats its last element
    alignas(64) double zb[N], sb[N], ob[N], ok[N];
    const int m = int(std::min<std::ptrdiff_t>(N, n - i));
    for (int l = 0; l < N; ++l) {
      zb[l] = z[i + std::min(l, m - 1)];
      sb[l] = shift ? shift[i + std::min(l, m - 1)] : 0.0;
    }
    V zv[B], sv[B], v[B];
    Mask<P> fast[B];
    for (int j = 0; j < B; ++j) {
      zv[j] = V(ei::pload<P>(zb + j * L));
      sv[j] = V(ei::pload<P>(sb + j * L));
    }
    block(pv, zv, sv, shift != nullptr, v, fast);
    for (int j = 0; j < B; ++j) {
      ei::pstore(ob + j * L, v[j].v);
      ei::pstore(ok + j * L, select(fast[j], V(1.0), V(0.0)).v);
    }
    for (int l = 0; l < m; ++l) out[i + l] = ok[l] != 0 ? ob[l] : pv.fallback(pv.plan, zb[l], sb[l]);
  }
}

}  // namespace
}  // namespace NONLIN_ISA

ml::PlanKernel ml::NONLIN_CAT(plan_kernel_, NONLIN_ISA)() { return &evaluate; }

}  // namespace nonlin
