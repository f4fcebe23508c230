// SIMD evaluation of a Mittag-Leffler plan (plan_kernel.h), compiled once per ISA: the pieces
// by plan_eval.h on packets, or the float32 grid's cells; lanes the vector path does not cover
// go through the plan's scalar evaluator.
#include <Eigen/Core>
#include <algorithm>
#include <cstddef>
#include <limits>

#include "nonlin/mittag_leffler/plan_eval.h"

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

// B packets at once (plan_eval.h)
constexpr int B = 4;
using ml_plan::exponential_factors;
using ml_plan::gather;
using ml_plan::negative_tail;
using ml_plan::ordinary;
using ml_plan::power_series;

bool all(Mask<P> m) { return ml_plan::all<V>(m); }

bool all_lanes(const Mask<P>* m) {
  bool r = true;
  for (int j = 0; j < B; ++j) r = r && all(m[j]);
  return r;
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
        ml_plan::block<B>(pv, zv, sv, shift != nullptr, vp, fp);
        for (int j = 0; j < B; ++j) {
          v[j] = select(fast[j], v[j], vp[j]);
          fast[j] = fast[j] | fp[j];
        }
      }
    } else {
      ml_plan::block<B>(pv, zv, sv, shift != nullptr, v, fast);
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
