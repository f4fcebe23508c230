// The CUDA kernels' operand indexing (src/cuda/device.h): broadcast_of's (div, mod) must read,
// for every result element, the same input element as NumPy broadcasting does. Checked against
// an explicit multi-index walk over a set of shapes; shapes it refuses must be the ones whose
// non-1 dimensions are not one contiguous run. Exit 1 on a mismatch.
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

bool one_run(const Shape& in) {
  int first = -1, last = -1;
  for (int k = 0; k < int(in.size()); ++k)
    if (in[k] != 1) {
      if (first >= 0 && last != k - 1) return false;
      if (first < 0) first = k;
      last = k;
    }
  return true;
}

}  // namespace

int main() {
  const Shape res = {2, 3, 4, 5};
  const std::vector<Shape> inputs = {{}, {1}, {5}, {4, 5}, {4, 1}, {3, 1, 1}, {2, 3, 4, 5}, {2, 1, 1, 1},
                                     {1, 3, 4, 1}, {3, 1, 5}, {2, 1, 4, 1}, {1, 1}, {2, 3, 1, 1}};
  int failures = 0, checked = 0;
  for (const Shape& in : inputs) {
    Broadcast b{};
    const bool ok = nonlin::cuda::broadcast_of(int(in.size()), in.data(), int(res.size()), res.data(), b);
    if (ok != one_run(in)) {
      std::printf("FAIL shape of rank %zu: accepted = %d\n", in.size(), int(ok));
      ++failures;
      continue;
    }
    if (!ok) continue;
    for (std::int64_t i = 0; i < 2 * 3 * 4 * 5; ++i, ++checked)
      if ((i / b.div) % b.mod != numpy_index(in, res, i)) {
        std::printf("FAIL rank %zu, element %lld\n", in.size(), (long long)i);
        ++failures;
        break;
      }
  }
  Broadcast b{};
  const Shape bad = {3, 5};  // does not broadcast against (.., 4, 5)
  if (nonlin::cuda::broadcast_of(2, bad.data(), int(res.size()), res.data(), b)) ++failures;
  std::printf("broadcast_of: %d elements checked, %d failures\n", checked, failures);
  return failures ? 1 : 0;
}
