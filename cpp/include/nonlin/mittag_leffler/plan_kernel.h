// The contract between a Mittag-Leffler evaluation plan (plan.h) and its SIMD kernels
// (cpp/src/cpu/mittag_leffler_isa.cpp, compiled once per ISA, chosen at run time by
// dispatch.h). Plain data only: the kernels never include the evaluator, whose inline
// functions would otherwise be compiled with several instruction sets under one name.
#pragma once

#include <cstddef>
#include <limits>

namespace nonlin::ml {

struct PlanView {
  // Chebyshev pieces, contiguous on [lo, hi[pieces - 1]], upper ends ascending. Record p at
  // data + p * stride: {centre, 1 / half-width, mode (0: not fitted, 1: the part,
  // 2: the part times e^{-z^{1/a}}), c_0 .. c_degree}.
  int pieces = 0, degree = 0, stride = 0;
  // the degree that suffices for float32 results: every piece's dropped coefficients sum to
  // at most 2^-30 of its largest (float32 callers evaluate with degree = degree_f32)
  int degree_f32 = 0;
  double lo = 0;
  const double* hi = nullptr;
  // piece search: bucket j = floor((z - lo) * bucket_scale) of `buckets` equal ones holds the
  // first piece that reaches into it; at most `bucket_steps` more pieces start inside it
  int buckets = 0, bucket_steps = 0;
  double bucket_scale = 0;
  const double* bucket_first = nullptr;  // piece indices (as doubles, for the gathers)
  const double* data = nullptr;
  double inv_alpha = 1;
  // |z| <= series_radius (negative if unused): sum_k series[k] z^k, k < series_terms
  double series_radius = -1;
  int series_terms = 0;
  const double* series = nullptr;
  // z < tail_z (-inf if unused): w sum_{k=1}^{tail_terms} tail[k] w^{k-1}, w = 1/z, times w
  // again for dE/dz (tail_extra_w); no exponential residues there (alpha < 1)
  double tail_z = -std::numeric_limits<double>::infinity();
  int tail_terms = 0;
  bool tail_extra_w = false;
  const double* tail = nullptr;
  // z > tail_pos_z (+inf if unused; the value for a < 2): the one pole s = z^{1/a} on the
  // principal sheet, e^{s} s^{1-b} / a, plus the power sum with the same coefficients
  double tail_pos_z = std::numeric_limits<double>::infinity();
  int tail_pos_terms = 0;
  double log_alpha = 0, one_minus_beta = 0;
  // For float32 results (use_grid): a uniform grid of cells over [origin, origin + grid_cells /
  // grid_scale], cell k at grid + k * grid_stride (64-byte aligned): the monomial coefficients in
  // t = 2 (u - k) - 1 in [-1, 1], u = (z - origin) * grid_scale, of the part (the part times
  // e^{-z^{1/a}} from cell grid_first_scaled on), NaN for cells left to the pieces.
  // Index by arithmetic and grid_degree + 1 loads per element, against a bucket search and
  // ~3 + degree_f32 for the pieces.
  bool use_grid = false;
  int grid_cells = 0, grid_degree = 0, grid_stride = 0;
  double grid_origin = 0, grid_scale = 0;
  double grid_first_scaled = 0;
  const double* grid = nullptr;
  // the settings for float32 results (the values still computed in float64 arithmetic)
  void float32_results() {
    degree = degree_f32;
    use_grid = grid_cells > 0;
  }
  // everything else (special values, other tails, unfitted pieces): one element at a time
  const void* plan = nullptr;
  double (*fallback)(const void* plan, double z, double shift) = nullptr;
};

// out[i] = the plan at z[i], times e^{-shift[i]} (shift may be null); the arrays do not overlap.
using PlanKernel = void (*)(const PlanView& v, const double* z, const double* shift, double* out,
                            std::ptrdiff_t n);

// one per compiled ISA (dispatch.h picks)
PlanKernel plan_kernel_baseline();
PlanKernel plan_kernel_avx2();
PlanKernel plan_kernel_avx512();

}  // namespace nonlin::ml
