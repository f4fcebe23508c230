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

bool all_lanes(const Mask<P>* m) {
  bool r = true;
  for (int j = 0; j < B; ++j) r = r && all(m[j]);
  return r;
}

// |z| <= series_radius: the power series (shared coefficients)
V power_series(const ml::PlanView& pv, V z) {
  V s(0.0);
  for (int k = pv.series_terms - 1; k >= 0; --k) s = fma(s, z, V(pv.series[k]));
  return s;
}

// z < tail_z (lanes `far`): the tail's power sum
V negative_tail(const ml::PlanView& pv, V z, Mask<P> far) {
  const V w = V(1.0) / select(far, z, V(-1.0));
  V s(0.0);
  for (int k = pv.tail_terms; k >= 1; --k) s = fma(s, w, V(pv.tail[k]));
  s = s * w;
  return pv.tail_extra_w ? s * w : s;
}

// The exponential factors, s = z^{1/a}: lanes `scaled` (pieces or cells of E e^{-s}) are
// multiplied by e^{s}, lanes `farpos` (z > tail_pos_z) become the residue e^{s} s^{1-b} / a
// plus the power sum; everything times e^{-shift}. One log and one exp for all of it.
NONLIN_HD inline V exponential_factors(const ml::PlanView& pv, V z, V shift, bool shifted, Mask<P> scaled, Mask<P> farpos, V v) {
  const Mask<P> pos = scaled | farpos;
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
Mask<P> ordinary(const ml::PlanView& pv, V z, V shift, bool shifted) {
  Mask<P> m = abs(z) < V(std::numeric_limits<double>::infinity());
  if (pv.series_terms == 0) m = m & ~(z == V(0.0));
  return shifted ? m & ~isnan(shift) : m;
}

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
    if (any(near[j])) v[j] = select(near[j], power_series(pv, z[j]), v[j]);
    if (any(far[j])) v[j] = select(far[j], negative_tail(pv, z[j], far[j]), v[j]);
    v[j] = exponential_factors(pv, z[j], shift[j], shifted, scaled[j], farpos[j], v[j]);
    fast[j] = fast[j] & ordinary(pv, z[j], shift[j], shifted);
  }
}

// Each lane's cell record (grid_degree + 1 <= max_record coefficients) as coefficient vectors.
constexpr int max_record = 8;
void cell_coefficients(const ml::PlanView& pv, V cell, V* c) {
#if defined(__AVX512F__)
  // the 64-byte records loaded whole (8 loads) and transposed: cheaper than 7 gathers
  alignas(32) int idx[L];
  _mm256_store_si256(reinterpret_cast<__m256i*>(idx), _mm512_cvttpd_epi32(cell.v));
  __m512d r[L], lo[4], hi[4];
  for (int l = 0; l < L; ++l) r[l] = _mm512_load_pd(pv.grid + std::ptrdiff_t(idx[l]) * pv.grid_stride);
  for (int k = 0; k < 4; ++k) {  // lane pairs: lo[k] = (r_2k[i], r_2k+1[i]) for even i, hi odd i
    lo[k] = _mm512_unpacklo_pd(r[2 * k], r[2 * k + 1]);
    hi[k] = _mm512_unpackhi_pd(r[2 * k], r[2 * k + 1]);
  }
  // 128-bit blocks: 0x88 takes blocks 0, 2 of each operand, 0xDD blocks 1, 3
  for (int odd = 0; odd < 2; ++odd) {
    const __m512d* p = odd ? hi : lo;
    const __m512d a0 = _mm512_shuffle_f64x2(p[0], p[1], 0x88), a1 = _mm512_shuffle_f64x2(p[0], p[1], 0xDD);
    const __m512d b0 = _mm512_shuffle_f64x2(p[2], p[3], 0x88), b1 = _mm512_shuffle_f64x2(p[2], p[3], 0xDD);
    c[odd + 0] = V(_mm512_shuffle_f64x2(a0, b0, 0x88));
    c[odd + 4] = V(_mm512_shuffle_f64x2(a0, b0, 0xDD));
    c[odd + 2] = V(_mm512_shuffle_f64x2(a1, b1, 0x88));
    c[odd + 6] = V(_mm512_shuffle_f64x2(a1, b1, 0xDD));
  }
#else
  const V rec = cell * double(pv.grid_stride);
  for (int m = 0; m <= pv.grid_degree; ++m) c[m] = gather(pv.grid, rec + double(m));
#endif
}

// The float32 grid (plan_kernel.h), the series near 0 and the tails for B packets; `ok` marks
// the lanes covered (in a fitted cell, the series' disc or a tail; not a special value).
void grid_block(const ml::PlanView& pv, const V* z, const V* shift, bool shifted, V* v, Mask<P>* ok) {
  V cell[B], t[B];
  for (int j = 0; j < B; ++j) {
    const V u = (z[j] - pv.grid_origin) * pv.grid_scale;
    ok[j] = (u >= 0.0) & (u < double(pv.grid_cells));  // false for NaN
    cell[j] = floor(select(ok[j], u, V(0.0)));
    t[j] = (u - cell[j]) * 2.0 - 1.0;
  }
  // one cell for all lanes (sorted or smooth inputs): its coefficients loaded once
  const double first = ei::pfirst(cell[0].v);
  bool one = true;
  for (int j = 0; j < B; ++j) one = one && all(cell[j] == V(first));
  if (one) {
    const double* c = pv.grid + std::ptrdiff_t(first) * pv.grid_stride;
    for (int j = 0; j < B; ++j) v[j] = V(c[pv.grid_degree]);
    for (int m = pv.grid_degree - 1; m >= 0; --m)
      for (int j = 0; j < B; ++j) v[j] = fma(v[j], t[j], V(c[m]));
  } else {
    for (int j = 0; j < B; ++j) {
      V c[max_record];
      cell_coefficients(pv, cell[j], c);
      v[j] = c[pv.grid_degree];
      for (int m = pv.grid_degree - 1; m >= 0; --m) v[j] = fma(v[j], t[j], c[m]);
    }
  }
  for (int j = 0; j < B; ++j) {
    ok[j] = ok[j] & ~isnan(v[j]);  // unfitted cells hold NaN
    const Mask<P> far = (z[j] < pv.tail_z) & ~ok[j];
    const Mask<P> farpos = (z[j] > pv.tail_pos_z) & ~ok[j];
    if (any(far)) v[j] = select(far, negative_tail(pv, z[j], far), v[j]);
    const Mask<P> near = abs(z[j]) <= pv.series_radius;  // the cell around 0 may leave them
    if (any(near)) v[j] = select(near, power_series(pv, z[j]), v[j]);
    // from the first scaled cell on (z >= 32^a): times e^{z^{1/a}}
    const Mask<P> scaled = ok[j] & (cell[j] >= pv.grid_first_scaled);
    v[j] = exponential_factors(pv, z[j], shift[j], shifted, scaled, farpos, v[j]);
    ok[j] = (ok[j] | far | farpos | near) & ordinary(pv, z[j], shift[j], shifted);
  }
}

void evaluate(const ml::PlanView& pv, const double* z, const double* shift, double* out,
              std::ptrdiff_t n) {
  constexpr int N = B * L;
  for (std::ptrdiff_t i = 0; i < n; i += N) {
    // full blocks straight from the arrays; a short last block repeats its last element
    alignas(64) double zb[N], sb[N];
    const int m = int(std::min<std::ptrdiff_t>(N, n - i));
    const double *zp = z + i, *sp = shift ? shift + i : nullptr;
    if (m < N) {
      for (int l = 0; l < N; ++l) {
        zb[l] = z[i + std::min(l, m - 1)];
        sb[l] = shift ? shift[i + std::min(l, m - 1)] : 0.0;
      }
      zp = zb;
      sp = shift ? sb : nullptr;
    }
    V zv[B], sv[B], v[B];
    Mask<P> fast[B];
    for (int j = 0; j < B; ++j) {
      zv[j] = V(ei::ploadu<P>(zp + j * L));
      sv[j] = sp ? V(ei::ploadu<P>(sp + j * L)) : V(0.0);
    }
    if (pv.use_grid) {
      grid_block(pv, zv, sv, shift != nullptr, v, fast);
      if (!all_lanes(fast)) {  // the pieces for the lanes the grid leaves
        V vp[B];
        Mask<P> fp[B];
        block(pv, zv, sv, shift != nullptr, vp, fp);
        for (int j = 0; j < B; ++j) {
          v[j] = select(fast[j], v[j], vp[j]);
          fast[j] = fast[j] | fp[j];
        }
      }
    } else {
      block(pv, zv, sv, shift != nullptr, v, fast);
    }
    if (m == N && all_lanes(fast)) {
      for (int j = 0; j < B; ++j) ei::pstoreu(out + i + j * L, v[j].v);
      continue;
    }
    alignas(64) double ob[N], ok[N];
    for (int j = 0; j < B; ++j) {
      ei::pstore(ob + j * L, v[j].v);
      ei::pstore(ok + j * L, select(fast[j], V(1.0), V(0.0)).v);
    }
    for (int l = 0; l < m; ++l) out[i + l] = ok[l] != 0 ? ob[l] : pv.fallback(pv.plan, zp[l], sp ? sp[l] : 0.0);
  }
}

}  // namespace
}  // namespace NONLIN_ISA

ml::PlanKernel ml::NONLIN_CAT(plan_kernel_, NONLIN_ISA)() { return &evaluate; }

}  // namespace nonlin
