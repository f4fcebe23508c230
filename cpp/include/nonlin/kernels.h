// The contract between the per-ISA kernel libraries and everything that calls them.
#pragma once

#include <cstddef>

namespace nonlin {

// Contiguous kernel: n elements; in[i] advances by in_step[i] (1, or 0 for a broadcast scalar);
// outputs are contiguous. Elementwise: an output may alias an input exactly (in place).
template <class T>
using Kernel = void (*)(std::ptrdiff_t n, const T* const* in, const std::ptrdiff_t* in_step,
                        T* const* out);

struct KernelPair {
  Kernel<float> f32;
  Kernel<double> f64;
};

// float16 <-> float32 with a byte stride on the float16 side (bit-exact, round to nearest even).
struct HalfConverters {
  void (*to_float)(const char* src, std::ptrdiff_t stride, float* dst, std::ptrdiff_t n);
  void (*from_float)(const float* src, char* dst, std::ptrdiff_t stride, std::ptrdiff_t n);
};

// One table per ISA, indexed like for_each_op's visiting order, and its converters.
const KernelPair* kernel_table_baseline();
const HalfConverters* half_converters_baseline();
#if defined(NONLIN_HAVE_AVX2)
const KernelPair* kernel_table_avx2();
const HalfConverters* half_converters_avx2();
#endif
#if defined(NONLIN_HAVE_AVX512)
const KernelPair* kernel_table_avx512();
const HalfConverters* half_converters_avx512();
#endif

}  // namespace nonlin
