// The arithmetic of a row's sums on a CUDA thread block (src/cuda/normalizing.cu DeviceRow),
// shared with the CPU test that replays it (cpp/tests/test_normalizing_scalar.cpp): each of
// kRowThreads threads keeps a compensated partial sum of the elements i = t, t + kRowThreads,
// ..., and the partials are combined by a fixed tree: at width w = kRowThreads / 2, ..., 1,
// pair t < w absorbs pair t + w. The order depends on the row length only.
#pragma once

#include "nonlin/simd/isa.h"

namespace nonlin::norm_rows {

inline constexpr int kRowThreads = 256;

// s + c += x, the rounding error of the addition kept in c (Knuth's TwoSum).
NONLIN_HD inline void compensated_add(double& s, double& c, double x) {
  const double t = s + x, bp = t - s;
  c += (s - (t - bp)) + (x - bp);
  s = t;
}

// One step of the tree: (hi, lo)[t] += (hi, lo)[t + w], compensated.
NONLIN_HD inline void tree_step(double* hi, double* lo, int t, int w) {
  const double b = hi[t + w];
  compensated_add(hi[t], lo[t], b);
  lo[t] += lo[t + w];
}

}  // namespace nonlin::norm_rows
