#include "dispatch.h"

#include <atomic>
#include <cstring>

namespace nonlin {
namespace {

bool cpu_has(int level) {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_cpu_init();
  switch (level) {
    case simd_baseline: return true;
    case simd_avx2: return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    case simd_avx512:
      return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") &&
             __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl") &&
             __builtin_cpu_supports("fma");
  }
  return false;
#else
  return level == simd_baseline;
#endif
}

// The parts of one ISA's kernel table joined in for_each_op order (built once, thread-safe).
std::vector<KernelPair> joined(std::vector<KernelPair> (*part0)(), std::vector<KernelPair> (*part1)()) {
  std::vector<KernelPair> table = part0();
  const std::vector<KernelPair> rest = part1();
  table.insert(table.end(), rest.begin(), rest.end());
  return table;
}

const KernelPair* table_for(int level) {
  switch (level) {
#if defined(NONLIN_HAVE_AVX2)
    case simd_avx2: {
      static const std::vector<KernelPair> t = joined(kernel_table_avx2_part0, kernel_table_avx2_part1);
      return t.data();
    }
#endif
#if defined(NONLIN_HAVE_AVX512)
    case simd_avx512: {
      static const std::vector<KernelPair> t = joined(kernel_table_avx512_part0, kernel_table_avx512_part1);
      return t.data();
    }
#endif
    case simd_baseline: {
      static const std::vector<KernelPair> t = joined(kernel_table_baseline_part0, kernel_table_baseline_part1);
      return t.data();
    }
  }
  return nullptr;
}

const HalfConverters* converters_for(int level) {
  switch (level) {
#if defined(NONLIN_HAVE_AVX2)
    case simd_avx2: return half_converters_avx2();
#endif
#if defined(NONLIN_HAVE_AVX512)
    case simd_avx512: return half_converters_avx512();
#endif
    case simd_baseline: return half_converters_baseline();
  }
  return nullptr;
}

ml::PlanKernel ml_plan_kernel_for(int level) {
  switch (level) {
#if defined(NONLIN_HAVE_AVX2)
    case simd_avx2: return ml::plan_kernel_avx2();
#endif
#if defined(NONLIN_HAVE_AVX512)
    case simd_avx512: return ml::plan_kernel_avx512();
#endif
    case simd_baseline: return ml::plan_kernel_baseline();
  }
  return nullptr;
}

int best_level() {
  for (int l = simd_count - 1; l > 0; --l)
    if (simd_level_supported(l)) return l;
  return simd_baseline;
}

std::atomic<int>& current() {
  static std::atomic<int> level{best_level()};
  return level;
}

}  // namespace

const char* simd_level_name(int level) {
  static const char* const names[] = {"baseline", "avx2", "avx512"};
  return level >= 0 && level < simd_count ? names[level] : "unknown";
}

int simd_level_from_name(const char* name) {
  for (int l = 0; l < simd_count; ++l)
    if (std::strcmp(name, simd_level_name(l)) == 0) return l;
  return -1;
}

bool simd_level_supported(int level) {
  return level >= 0 && level < simd_count && table_for(level) != nullptr && cpu_has(level);
}

int simd_level() { return current().load(std::memory_order_relaxed); }

bool set_simd_level(int level) {
  if (!simd_level_supported(level)) return false;
  current().store(level);
  return true;
}

const KernelPair* active_kernels() { return table_for(simd_level()); }

const HalfConverters* active_half_converters() { return converters_for(simd_level()); }

ml::PlanKernel active_ml_plan_kernel() { return ml_plan_kernel_for(simd_level()); }

}  // namespace nonlin
