// The CUDA entry points of device.h: the launch table of every elementwise op (both registry
// parts, in the CPU kernel tables' order) and the device query.
#include <cuda_runtime.h>

#include "elementwise.cuh"

namespace nonlin::cuda {

std::vector<LaunchRow> launch_table_part0();
std::vector<LaunchRow> launch_table_part1();

namespace {
const std::vector<LaunchRow>& launchers() {
  static const std::vector<LaunchRow> table = [] {  // built once, thread-safe (magic static)
    auto t = launch_table_part0();
    const auto t1 = launch_table_part1();
    t.insert(t.end(), t1.begin(), t1.end());
    return t;
  }();
  return table;
}
}  // namespace

int device_count() {
  int n = 0;
  return cudaGetDeviceCount(&n) == cudaSuccess ? n : 0;
}

const char* run_elementwise(int op, DType dtype, std::ptrdiff_t n, const void* const* in,
                            const Broadcast* in_bcast, void* const* out, void* stream) {
  const auto& table = launchers();
  if (op < 0 || std::size_t(op) >= table.size() || int(dtype) < 0 || int(dtype) > 3)
    return "nonlin CUDA: no such kernel";
  if (n <= 0) return nullptr;  // in_bcast: checked by the callers (bindings, C API, broadcast_of)
  const cudaError_t e =
      table[op].by_dtype[int(dtype)](n, in, in_bcast, out, static_cast<cudaStream_t>(stream));
  return e == cudaSuccess ? nullptr : cudaGetErrorString(e);
}

}  // namespace nonlin::cuda
