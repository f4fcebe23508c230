// The strided Mittag-Leffler loop (ml_loop.h).
#include "ml_loop.h"

#include <algorithm>
#include <cfenv>
#include <cmath>
#include <cstdint>
#include <memory>
#include <type_traits>

#include "../cpu/dispatch.h"
#include "../cpu/thread_pool.h"
#include "nonlin/mittag_leffler/evaluate.h"
#include "nonlin/mittag_leffler/plan_cache.h"

namespace nonlin::ml {

template <class T>
void ml_run(const MlKernel& k, std::ptrdiff_t n, char* const* args, const std::ptrdiff_t* steps) {
  const int nin = k.fourth == Fourth::none ? 3 : 4;
  // one (alpha, beta) for the whole call: a precomputed plan (cached across calls)
  std::shared_ptr<const Plan> plan;
  if (k.fourth != Fourth::order && steps[1] == 0 && steps[2] == 0 && n > 0) {
    double zlo = INFINITY, zhi = -INFINITY;  // z's range (NaNs fail both comparisons)
    for (std::ptrdiff_t i = 0; i < n; ++i) {
      const double z = double(*reinterpret_cast<const T*>(args[0] + i * steps[0]));
      zlo = z < zlo ? z : zlo;
      zhi = z > zhi ? z : zhi;
    }
    plan = PlanCache::instance().get(*reinterpret_cast<const T*>(args[1]),
                                     *reinterpret_cast<const T*>(args[2]), k.part, n,
                                     std::min(zlo, 0.0), std::max(zhi, 0.0));
  }
  // the plan's SIMD kernel (dispatch.h) on contiguous float64 chunks
  auto planned = [&](std::ptrdiff_t begin, std::ptrdiff_t end) {
    constexpr std::ptrdiff_t chunk = 256;
    alignas(64) double z[chunk], shift[chunk], out[chunk];
    const bool shifted = k.fourth == Fourth::shift;
    const PlanKernel kernel = nonlin::active_ml_plan_kernel();
    PlanView view = plan->view();
    if constexpr (std::is_same_v<T, float>) view.degree = view.degree_f32;  // still float64 arithmetic
    for (std::ptrdiff_t i0 = begin; i0 < end; i0 += chunk) {
      const std::ptrdiff_t n = std::min(chunk, end - i0);
      for (std::ptrdiff_t j = 0; j < n; ++j) {
        z[j] = double(*reinterpret_cast<const T*>(args[0] + (i0 + j) * steps[0]));
        if (shifted) shift[j] = double(*reinterpret_cast<const T*>(args[3] + (i0 + j) * steps[3]));
      }
      kernel(view, z, shifted ? shift : nullptr, out, n);
      for (std::ptrdiff_t j = 0; j < n; ++j) *reinterpret_cast<T*>(args[nin] + (i0 + j) * steps[nin]) = T(out[j]);
    }
  };
  auto body = [&](std::ptrdiff_t begin, std::ptrdiff_t end) {
    if (plan) return planned(begin, end);
    for (std::ptrdiff_t i = begin; i < end; ++i) {
      auto in = [&](int j) { return double(*reinterpret_cast<const T*>(args[j] + i * steps[j])); };
      double r;
      if (k.fourth == Fourth::order) {
        const auto order = *reinterpret_cast<const std::int64_t*>(args[3] + i * steps[3]);
        r = order > 12 || order < 0 ? NAN : mittag_leffler_derivative(in(0), in(1), in(2), int(order));
      } else {
        r = mittag_leffler_part(in(0), in(1), in(2), k.part, k.fourth == Fourth::shift ? in(3) : 0.0);
      }
      *reinterpret_cast<T*>(args[nin] + i * steps[nin]) = T(r);
    }
  };
  if (n >= 32) nonlin::parallel_for(n, 64, body);
  else body(0, n);
  std::feclearexcept(FE_ALL_EXCEPT);
}

template void ml_run<float>(const MlKernel&, std::ptrdiff_t, char* const*, const std::ptrdiff_t*);
template void ml_run<double>(const MlKernel&, std::ptrdiff_t, char* const*, const std::ptrdiff_t*);

}  // namespace nonlin::ml
