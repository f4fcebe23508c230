// Runtime choice of the kernel table: the best ISA this CPU supports, or one forced by
// set_simd_level (the Python package applies NONLIN_SIMD at import).
#pragma once

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

}  // namespace nonlin
