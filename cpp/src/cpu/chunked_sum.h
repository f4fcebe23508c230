// Sums of per-element gradient terms over a whole array, identical for any number of threads:
// the array is cut into fixed chunks (independent of the thread count), each chunk adds its
// terms into its own row of `width` float64 sums, and the rows are combined pairwise in chunk
// order (pairwise summation also keeps the rounding error of the combination ~log2(chunks)).
#pragma once

#include <algorithm>
#include <cstddef>
#include <vector>

#include "thread_pool.h"

namespace nonlin {

inline constexpr std::ptrdiff_t kSumChunk = 4096;

// chunk(begin, end, row) adds the terms of elements [begin, end) into row[0..width);
// `threaded` allows the pool. Returns the width sums.
template <class F>
std::vector<double> chunked_sum(std::ptrdiff_t size, std::size_t width, bool threaded, F chunk) {
  const std::ptrdiff_t n = std::max<std::ptrdiff_t>(1, (size + kSumChunk - 1) / kSumChunk);
  std::vector<double> part(std::size_t(n) * width, 0.0);
  auto chunks = [&](std::ptrdiff_t cb, std::ptrdiff_t ce) {
    for (std::ptrdiff_t c = cb; c < ce; ++c)
      chunk(c * kSumChunk, std::min(size, (c + 1) * kSumChunk), &part[std::size_t(c) * width]);
  };
  if (n == 1 || !threaded || get_num_threads() <= 1) chunks(0, n);
  else parallel_for(n, 1, chunks);
  for (std::ptrdiff_t stride = 1; stride < n; stride *= 2)
    for (std::ptrdiff_t i = 0; i + stride < n; i += 2 * stride)
      for (std::size_t j = 0; j < width; ++j) part[i * width + j] += part[(i + stride) * width + j];
  part.resize(width);
  return part;
}

}  // namespace nonlin
