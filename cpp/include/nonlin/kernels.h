// The contract between the per-ISA kernel libraries and everything that calls them.
#pragma once

#include <cstddef>
#include <vector>

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

// Per ISA, the kernels of each registry part (ops.h for_each_op_in, in its visiting order) and
// the half converters; dispatch.cpp joins the parts into one table indexed like for_each_op.
#define NONLIN_DECLARE_ISA(isa)                            \
  std::vector<KernelPair> kernel_table_##isa##_part0();    \
  std::vector<KernelPair> kernel_table_##isa##_part1();    \
  const HalfConverters* half_converters_##isa();
NONLIN_DECLARE_ISA(baseline)
#if defined(NONLIN_HAVE_AVX2)
NONLIN_DECLARE_ISA(avx2)
#endif
#if defined(NONLIN_HAVE_AVX512)
NONLIN_DECLARE_ISA(avx512)
#endif
#undef NONLIN_DECLARE_ISA

}  // namespace nonlin
