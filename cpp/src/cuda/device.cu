// The CUDA entry points of device.h: the launch table of every elementwise op (both registry
// parts, in the CPU kernel tables' order), the device query and the small host <-> device
// copies of parameters.
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

const char* device_values(const void* src, DType dtype, std::size_t count, std::vector<double>& out,
                          void* stream) {
  if (dtype != DType::f32 && dtype != DType::f64) return "dtype: parameters must be float32 or float64";
  const auto s = static_cast<cudaStream_t>(stream);
  const std::size_t width = dtype == DType::f32 ? 4 : 8;
  std::vector<unsigned char> raw(count * width);
  cudaError_t e = cudaMemcpyAsync(raw.data(), src, raw.size(), cudaMemcpyDeviceToHost, s);
  if (e == cudaSuccess) e = cudaStreamSynchronize(s);
  if (e != cudaSuccess) return cudaGetErrorString(e);
  out.resize(count);
  for (std::size_t q = 0; q < count; ++q)
    out[q] = dtype == DType::f32 ? double(reinterpret_cast<const float*>(raw.data())[q])
                                 : reinterpret_cast<const double*>(raw.data())[q];
  return nullptr;
}

const char* to_device_values(const std::vector<double>& v, DType dtype, void* dst, void* stream) {
  if (dtype != DType::f32 && dtype != DType::f64) return "dtype: parameters must be float32 or float64";
  const std::size_t width = dtype == DType::f32 ? 4 : 8;
  std::vector<unsigned char> raw(v.size() * width);
  for (std::size_t q = 0; q < v.size(); ++q) {
    if (dtype == DType::f32) reinterpret_cast<float*>(raw.data())[q] = float(v[q]);
    else reinterpret_cast<double*>(raw.data())[q] = v[q];
  }
  // pageable host memory: the copy has read raw before cudaMemcpyAsync returns
  const cudaError_t e = cudaMemcpyAsync(dst, raw.data(), raw.size(), cudaMemcpyHostToDevice,
                                        static_cast<cudaStream_t>(stream));
  return e == cudaSuccess ? nullptr : cudaGetErrorString(e);
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
