// One element of a coefficient-vector activation on scalar Vec<C>: the CUDA kernels' per-thread
// step (src/cuda/series.cu), also run on the CPU against the SIMD loops (cpp/tests/
// test_series_scalar.cpp). The same rules as the loops (series_isa.cpp): NaN in x gives NaN
// outputs and NaN gradient terms; backward adds g * df/dp_q to sums[q] in float64.
#pragma once

#include "nonlin/series/families.h"

namespace nonlin {
namespace series {
inline namespace NONLIN_ISA {

template <class Fam, Mode Md, class C>
NONLIN_HD inline C element(const Args<C>& a, C x, C g, double* sums) {
  using V = Vec<C>;
  const bool nan = x != x;
  if constexpr (Md == Mode::forward) return nan ? x : Fam::value(V(x), a).v;
  else if constexpr (Md == Mode::derivative) return nan ? x : Fam::derivative(V(x), a).v;
  else {
    V t[kMaxParams];
    const C d = nan ? x : Fam::gradients(V(x), a, t).v;
    for (int q = 0; q < a.count; ++q) sums[q] += double(g) * double(nan ? x : t[q].v);
    return g * d;
  }
}

}  // namespace NONLIN_ISA
}  // namespace series
}  // namespace nonlin
