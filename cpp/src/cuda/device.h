// The CUDA side of nonlin as plain C++ (no CUDA headers): what the bindings and the C API call.
// Every entry takes device pointers and a cudaStream_t passed as void*; it returns nullptr on
// success or a message (a launch error, or "no CUDA device").
#pragma once

#include <cstddef>

namespace nonlin::cuda {

// Element types of device arrays; float16 and bfloat16 compute in float32.
enum class DType : int { f16 = 0, bf16 = 1, f32 = 2, f64 = 3 };

// Elementwise op `op` (a row of the kernel table, ops.h for_each_op order) over n elements:
// in[k] advances by in_step[k] elements per element (1, or 0 for a broadcast value); the
// outputs are contiguous and may alias an input exactly (in place).
const char* run_elementwise(int op, DType dtype, std::ptrdiff_t n, const void* const* in,
                            const std::ptrdiff_t* in_step, void* const* out, void* stream);

int device_count();  // 0 without a driver or a device

}  // namespace nonlin::cuda
