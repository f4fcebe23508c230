// The CUDA kernels' operand indexing (src/cuda/device.h): broadcast_of's Broadcast::index must
// read, for every result element, the same input element as NumPy broadcasting does. Checked
// against an explicit multi-index walk over a set of shapes; shapes it refuses must be the
// ones whose non-1 dimensions form more than two contiguous runs. Exit 1 on a mismatch.
#include <cstdio>
#include <vector>

#include "../src/cuda/device.h"

using nonlin::cuda::Broadcast;
using Shape = std::vector<std::int64_t>;

namespace {

// NumPy: the flat input index read by result element i
std::int64_t numpy_index(const Shape& in, const Shape& res, std::int64_t i) {
  std::int64_t idx = 0, stride = 1;
  for (int r = int(res.size()) - 1, k = int(in.size()) - 1; r >= 0; --r, --k) {
    const std::int64_t coord = i % res[r];
    i /= res[r];
    if (k >= 0) {
      if (in[k] != 1) idx += coord * stride;
      stride *= in[k];
    }
  }
  return idx;
}

// the number of contiguous runs of non-1 dimensions of `in`
int runs(const Shape& in) {
  int n = 0, last = -2;
  for (int k = 0; k < int(in.size()); ++k)
    if (in[k] != 1) {
      if (last != k - 1) ++n;
      last = k;
    }
  return n;
}

int check(const Shape& res, const std::vector<Shape>& inputs, int& checked) {
  std::int64_t n = 1;
  for (std::int64_t d : res) n *= d;
  int failures = 0;
  for (const Shape& in : inputs) {
    Broadcast b{};
    const bool ok = nonlin::cuda::broadcast_of(int(in.size()), in.data(), int(res.size()), res.data(), b);
    if (ok != (runs(in) <= 2)) {
      std::printf("FAIL shape of rank %zu: accepted = %d\n", in.size(), int(ok));
      ++failures;
      continue;
    }
    if (!ok) continue;
    for (std::int64_t i = 0; i < n; ++i, ++checked)
      if (b.index(i) != numpy_index(in, res, i)) {
        std::printf("FAIL rank %zu, element %lld\n", in.size(), (long long)i);
        ++failures;
        break;
      }
  }
  return failures;
}

}  // namespace

int main() {
  int checked = 0;
  int failures = check({2, 3, 4, 5}, {{}, {1}, {5}, {4, 5}, {4, 1}, {3, 1, 1}, {2, 3, 4, 5}, {2, 1, 1, 1},
                                      {1, 3, 4, 1}, {3, 1, 5}, {2, 1, 4, 1}, {1, 1}, {2, 3, 1, 1},
                                      {2, 1, 1, 5}, {2, 3, 1, 5}},
                       checked);
  // vmap-style batched parameters: (B, 1, C, 1, 1) against (B, N, C, H, W); three runs refused
  failures += check({2, 3, 4, 2, 3}, {{2, 1, 4, 1, 1}, {2, 1, 4, 2, 3}, {2, 1, 4, 1, 3}, {2, 3, 1, 2, 1}},
                    checked);
  // a size-1 result dimension between the runs
  failures += check({2, 1, 5}, {{2, 1, 5}, {2, 1, 1}, {1, 1, 5}}, checked);
  Broadcast b{};
  const Shape bad = {3, 5}, res = {2, 3, 4, 5};  // does not broadcast against (.., 4, 5)
  if (nonlin::cuda::broadcast_of(2, bad.data(), int(res.size()), res.data(), b)) ++failures;
  std::printf("broadcast_of: %d elements checked, %d failures\n", checked, failures);
  return failures ? 1 : 0;
}
