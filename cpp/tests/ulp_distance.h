// Distance between two results in units in the last place of the larger, for tests that compare
// two evaluations of the same formula: NaN matches NaN, infinities match only themselves.
#pragma once

#include <algorithm>
#include <cmath>
#include <limits>

template <class T>
double ulp_distance(T a, T b) {
  if (std::isnan(a) || std::isnan(b)) return std::isnan(a) && std::isnan(b) ? 0 : 1e30;
  if (a == b) return 0;
  if (std::isinf(a) || std::isinf(b)) return 1e30;
  const T m = std::max(std::fabs(a), std::fabs(b));
  const T ulp = std::max(std::nextafter(m, std::numeric_limits<T>::infinity()) - m,
                         std::numeric_limits<T>::denorm_min());
  return double(std::fabs(a - b)) / double(ulp);
}
