#include "rational.h"

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <limits>
#include <vector>

#include "chunked_sum.h"
#include "dispatch.h"
#include "rational_prepare.h"
#include "thread_pool.h"

namespace nonlin::rational {
namespace {

const Kernels* active() { return NONLIN_ACTIVE_TABLE(kernels); }

template <class T>
Kernel<T> kernel_of(const Kernels* k) {
  if constexpr (sizeof(T) == 4) return k->f32;
  else return k->f64;
}

double cost_ns(const Problem& p) { return 0.1 * (p.m + p.n + 2); }

template <class T>
void elementwise(const Problem& p, Mode mode, const T* x, const T* num, const T* den, T* out) {
  if (p.size <= 0) return;
  Prepared<T> prep(p, num, den);
  prep.args.x = x;
  prep.args.out = out;
  const Kernel<T> k = kernel_of<T>(active());
  const Args<T>& args = prep.args;
  if (double(p.size) * cost_ns(p) < 60000.0 || get_num_threads() <= 1) {
    k(args, mode, 0, p.size, nullptr);
    return;
  }
  parallel_for(p.size, 64, [&](std::ptrdiff_t b, std::ptrdiff_t e) { k(args, mode, b, e, nullptr); });
}

}  // namespace

double noise_factor(std::uint64_t seed, std::uint64_t index) {
  // splitmix64 of (seed, index): a fixed, platform-independent stream.
  std::uint64_t z = seed + 0x9e3779b97f4a7c15ull * (index + 1);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  z ^= z >> 31;
  return 0.9 + 0.2 * double(z >> 11) * 0x1.0p-53;
}

const char* check(const Problem& p) {
  if (int(p.version) < 0 || int(p.version) > int(Version::N)) return "version: must be A, B, C, D or N";
  if (p.m < 0 || p.m > kMaxDegree) return "numerator: degree must be in [0, 32]";
  if (p.n < 0 || p.n > kMaxDegree || (p.version == Version::C && p.n < 0))
    return "denominator: degree must be in [0, 32]";
  if (p.size < 0) return "x: negative size";
  if (p.groups < 1) return "groups: must be >= 1";
  if (p.run < 0 || (p.groups > 1 && p.run == 0)) return "groups: run length must be >= 1";
  return nullptr;
}

template <class T>
void forward(const Problem& p, const T* x, const T* num, const T* den, T* y) {
  elementwise(p, Mode::forward, x, num, den, y);
}

template <class T>
void derivative(const Problem& p, const T* x, const T* num, const T* den, T* dydx) {
  elementwise(p, Mode::derivative, x, num, den, dydx);
}

template <class T>
void backward(const Problem& p, const T* g, const T* x, const T* num, const T* den, T* grad_x,
              double* grad_num, double* grad_den) {
  const std::ptrdiff_t per = p.m + p.n + 2;
  Prepared<T> prep(p, num, den);
  prep.args.x = x;
  prep.args.g = g;
  prep.args.out = grad_x;
  const Kernel<T> k = kernel_of<T>(active());
  const Args<T>& args = prep.args;
  const std::vector<double> part = chunked_sum(
      p.size, std::size_t(p.groups * per), double(p.size) * cost_ns(p) >= 60000.0,
      [&](std::ptrdiff_t b, std::ptrdiff_t e, double* row) { k(args, Mode::backward, b, e, row); });
  coefficient_gradients(p, prep, den, part.data(), grad_num, grad_den);
}

#define NONLIN_RATIONAL_INSTANTIATE(T)                                                       \
  template void forward<T>(const Problem&, const T*, const T*, const T*, T*);                \
  template void derivative<T>(const Problem&, const T*, const T*, const T*, T*);             \
  template void backward<T>(const Problem&, const T*, const T*, const T*, const T*, T*,      \
                            double*, double*);
NONLIN_RATIONAL_INSTANTIATE(float)
NONLIN_RATIONAL_INSTANTIATE(double)
#undef NONLIN_RATIONAL_INSTANTIATE

}  // namespace nonlin::rational
