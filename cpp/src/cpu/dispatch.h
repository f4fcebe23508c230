// Runtime choice of the kernel table: the best ISA this CPU supports, or one forced by
// set_simd_level (the Python package applies NONLIN_SIMD at import).
#pragma once

#include <type_traits>

#include "nonlin/kernels.h"
#include "nonlin/mittag_leffler/plan_kernel.h"

namespace nonlin {

enum SimdLevel : int { simd_baseline = 0, simd_avx2 = 1, simd_avx512 = 2, simd_count = 3 };

const char* simd_level_name(int level);
int simd_level_from_name(const char* name);  // -1 if unknown
bool simd_level_supported(int level);        // compiled in and supported by this CPU
int simd_level();
bool set_simd_level(int level);  // false if unsupported
const KernelPair* active_kernels();
const HalfConverters* active_half_converters();
ml::PlanKernel active_ml_plan_kernel();

// The active level's table among a kernel family's per-ISA tables (nullptr: not compiled in;
// the baseline then serves). Use through NONLIN_ACTIVE_TABLE(ns::kernels). T is deduced from
// the baseline alone: the others may be nullptr (a build without that ISA, e.g. arm64).
template <class T>
const T* table_for_level(const T* (*baseline)(), std::type_identity_t<const T* (*)()> avx2,
                         std::type_identity_t<const T* (*)()> avx512) {
  const int level = simd_level();
  if (level == simd_avx512 && avx512) return avx512();
  if (level == simd_avx2 && avx2) return avx2();
  return baseline();
}

}  // namespace nonlin

#if defined(NONLIN_HAVE_AVX2)
#define NONLIN_IF_AVX2(f) &f
#else
#define NONLIN_IF_AVX2(f) nullptr
#endif
#if defined(NONLIN_HAVE_AVX512)
#define NONLIN_IF_AVX512(f) &f
#else
#define NONLIN_IF_AVX512(f) nullptr
#endif
// prefix_baseline / prefix_avx2 / prefix_avx512 -> the active one
#define NONLIN_ACTIVE_TABLE(prefix) \
  ::nonlin::table_for_level(&prefix##_baseline, NONLIN_IF_AVX2(prefix##_avx2), NONLIN_IF_AVX512(prefix##_avx512))
