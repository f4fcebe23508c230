// The smallest or largest element of a strided array (NaNs ignored: they fail the
// comparisons; +-inf if there are no numbers), for the callers that fit a plan to their data's
// range. Contiguous runs go in eight independent lanes: no chain of dependent comparisons,
// and the compiler vectorises them.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>

namespace nonlin {

template <class T, bool low>
double range_end(const char* base, std::ptrdiff_t step, std::ptrdiff_t n) {
  auto pick = [](T v, T r) { return low ? (v < r ? v : r) : (v > r ? v : r); };
  constexpr int lanes = 8;
  T r[lanes];
  std::fill(r, r + lanes, low ? T(INFINITY) : T(-INFINITY));
  std::ptrdiff_t i = 0;
  if (step == std::ptrdiff_t(sizeof(T))) {
    const T* p = reinterpret_cast<const T*>(base);
    for (; i + lanes <= n; i += lanes)
      for (int l = 0; l < lanes; ++l) r[l] = pick(p[i + l], r[l]);
  }
  for (; i < n; ++i) r[0] = pick(*reinterpret_cast<const T*>(base + i * step), r[0]);
  for (int l = 1; l < lanes; ++l) r[0] = pick(r[l], r[0]);
  return double(r[0]);
}

}  // namespace nonlin
