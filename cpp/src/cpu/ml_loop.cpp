// The strided Mittag-Leffler loop (ml_loop.h).
#include "ml_loop.h"

#include <algorithm>
#include <cfenv>
#include <cmath>
#include <cstdint>
#include <memory>
#include <type_traits>

#include "array_range.h"
#include "dispatch.h"
#include "thread_pool.h"
#include "nonlin/mittag_leffler/evaluate.h"
#include "nonlin/mittag_leffler/plan_cache.h"

namespace nonlin::ml {

namespace {

// The strided operand's elements i0 .. i0 + n - 1 as float64 (and back). Strides and pointers
// held in locals, contiguous runs as plain loops: the compiler vectorises the conversions.
template <class T>
void to_double(const char* base, std::ptrdiff_t step, std::ptrdiff_t i0, std::ptrdiff_t n, double* out) {
  if (step == std::ptrdiff_t(sizeof(T))) {
    const T* p = reinterpret_cast<const T*>(base) + i0;
    for (std::ptrdiff_t j = 0; j < n; ++j) out[j] = double(p[j]);
  } else {
    for (std::ptrdiff_t j = 0; j < n; ++j) out[j] = double(*reinterpret_cast<const T*>(base + (i0 + j) * step));
  }
}

template <class T>
void from_double(const double* in, std::ptrdiff_t i0, std::ptrdiff_t n, char* base, std::ptrdiff_t step) {
  if (step == std::ptrdiff_t(sizeof(T))) {
    T* p = reinterpret_cast<T*>(base) + i0;
    for (std::ptrdiff_t j = 0; j < n; ++j) p[j] = T(in[j]);
  } else {
    for (std::ptrdiff_t j = 0; j < n; ++j) *reinterpret_cast<T*>(base + (i0 + j) * step) = T(in[j]);
  }
}

}  // namespace

template <class T>
void ml_run(const MlKernel& k, std::ptrdiff_t n, char* const* args, const std::ptrdiff_t* steps) {
  const int nin = k.fourth == Fourth::none ? 3 : 4;
  // one (alpha, beta) for the whole call: a precomputed plan (cached across calls)
  std::shared_ptr<const Plan> plan;
  const char* const z_base = args[0];
  const std::ptrdiff_t z_step = steps[0];
  if (k.fourth != Fourth::order && steps[1] == 0 && steps[2] == 0 && n > 0) {
    plan = PlanCache::instance().get(*reinterpret_cast<const T*>(args[1]), *reinterpret_cast<const T*>(args[2]),
                                     k.part, n, std::min(nonlin::range_end<T, true>(z_base, z_step, n), 0.0),
                                     std::max(nonlin::range_end<T, false>(z_base, z_step, n), 0.0));
  }
  // the plan's SIMD kernel (dispatch.h) on contiguous float64 chunks
  auto planned = [&](std::ptrdiff_t begin, std::ptrdiff_t end) {
    constexpr std::ptrdiff_t chunk = 256;
    alignas(64) double z[chunk], shift[chunk], out[chunk];
    const bool shifted = k.fourth == Fourth::shift;
    const PlanKernel kernel = nonlin::active_ml_plan_kernel();
    PlanView view = plan->view();
    if constexpr (std::is_same_v<T, float>) view.float32_results();
    const char* const shift_base = shifted ? args[3] : nullptr;
    const std::ptrdiff_t shift_step = shifted ? steps[3] : 0;
    char* const out_base = args[nin];
    const std::ptrdiff_t out_step = steps[nin];
    for (std::ptrdiff_t i0 = begin; i0 < end; i0 += chunk) {
      const std::ptrdiff_t n = std::min(chunk, end - i0);
      to_double<T>(z_base, z_step, i0, n, z);
      if (shifted) to_double<T>(shift_base, shift_step, i0, n, shift);
      kernel(view, z, shifted ? shift : nullptr, out, n);
      from_double<T>(out, i0, n, out_base, out_step);
    }
  };
  auto body = [&](std::ptrdiff_t begin, std::ptrdiff_t end) {
    if (plan) return planned(begin, end);
    for (std::ptrdiff_t i = begin; i < end; ++i) {
      auto in = [&](int j) { return double(*reinterpret_cast<const T*>(args[j] + i * steps[j])); };
      const bool ordered = k.fourth == Fourth::order, shifted = k.fourth == Fourth::shift;
      const std::int64_t order = ordered ? *reinterpret_cast<const std::int64_t*>(args[3] + i * steps[3]) : 0;
      *reinterpret_cast<T*>(args[nin] + i * steps[nin]) =
          T(ml_element(k, in(0), in(1), in(2), order, shifted ? in(3) : 0.0));
    }
  };
  if (n >= 32) nonlin::parallel_for(n, 64, body);
  else body(0, n);
  std::feclearexcept(FE_ALL_EXCEPT);
}

template void ml_run<float>(const MlKernel&, std::ptrdiff_t, char* const*, const std::ptrdiff_t*);
template void ml_run<double>(const MlKernel&, std::ptrdiff_t, char* const*, const std::ptrdiff_t*);

}  // namespace nonlin::ml
