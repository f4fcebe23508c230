// float16 <-> float32 conversion for the float16 loops (computed in float32), compiled per ISA:
// F16C instructions on AVX2/AVX-512, Eigen's bit-exact software conversion on the baseline.
#include <Eigen/Core>
#include <cstdint>

#include "nonlin/kernels.h"
#include "nonlin/simd/isa.h"

#if defined(__F16C__)
#include <immintrin.h>
#endif

namespace nonlin {
namespace {

float to_float(std::uint16_t h) {
  Eigen::half v;
  v.x = h;
  return static_cast<float>(v);
}
std::uint16_t to_half(float f) { return Eigen::half(f).x; }

void half_to_float(const char* src, std::ptrdiff_t stride, float* dst, std::ptrdiff_t n) {
  std::ptrdiff_t i = 0;
#if defined(__F16C__)
  if (stride == 2)
    for (; i + 8 <= n; i += 8)
      _mm256_storeu_ps(dst + i, _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(src + 2 * i))));
#endif
  for (; i < n; ++i) dst[i] = to_float(*reinterpret_cast<const std::uint16_t*>(src + i * stride));
}

void float_to_half(const float* src, char* dst, std::ptrdiff_t stride, std::ptrdiff_t n) {
  std::ptrdiff_t i = 0;
#if defined(__F16C__)
  if (stride == 2)
    for (; i + 8 <= n; i += 8)
      _mm_storeu_si128(reinterpret_cast<__m128i*>(dst + 2 * i),
                       _mm256_cvtps_ph(_mm256_loadu_ps(src + i), _MM_FROUND_TO_NEAREST_INT));
#endif
  for (; i < n; ++i) *reinterpret_cast<std::uint16_t*>(dst + i * stride) = to_half(src[i]);
}

}  // namespace

const HalfConverters* NONLIN_CAT(half_converters_, NONLIN_ISA)() {
  static const HalfConverters c{&half_to_float, &float_to_half};
  return &c;
}

}  // namespace nonlin
