#include "series.h"

#include <algorithm>
#include <vector>

#include "chunked_sum.h"
#include "dispatch.h"
#include "series_prepare.h"
#include "thread_pool.h"

namespace nonlin::series {
namespace {

const Kernels* active() { return NONLIN_ACTIVE_TABLE(kernels); }

// Runs elements [b, e) of x (and g): float64 and the native float32 families directly, the
// other float32 families in blocks converted to float64 and back.
template <class T>
struct Runner {
  std::vector<double> p64;
  Args<double> a64;
  Args<T> native;
  bool direct;

  // prepares only the arguments this run uses (the monomial conversion is not free)
  Runner(const Problem& p, const T* params)
      : p64(params, params + param_count(p.family, p.degree)), a64{}, native{},
        direct(sizeof(T) == 8 || native_float(p.family)) {
    if (sizeof(T) == 8 || !direct) a64 = prepare<double>(p, p64.data(), p64.data());
    else native = prepare<T>(p, params, p64.data());
  }

  int count() const { return int(p64.size()); }

  void operator()(Mode mode, const T* x, const T* g, T* out, std::ptrdiff_t b, std::ptrdiff_t e,
                  double* acc) const {
    if constexpr (sizeof(T) == 8) {
      run_direct(a64, active()->f64, mode, x, g, out, b, e, acc);
    } else if (direct) {
      run_direct(native, active()->f32, mode, x, g, out, b, e, acc);
    } else {
      constexpr std::ptrdiff_t B = 512;
      alignas(64) double xb[B], gb[B], ob[B];
      Args<double> a = a64;
      a.x = xb;
      a.g = gb;
      a.out = ob;
      for (std::ptrdiff_t i = b; i < e; i += B) {
        const std::ptrdiff_t m = std::min(B, e - i);
        std::copy(x + i, x + i + m, xb);
        if (g) std::copy(g + i, g + i + m, gb);
        active()->f64(a, mode, 0, m, acc);
        std::copy(ob, ob + m, out + i);
      }
    }
  }

  template <class U>
  static void run_direct(Args<U> a, Kernel<U> k, Mode mode, const U* x, const U* g, U* out,
                         std::ptrdiff_t b, std::ptrdiff_t e, double* acc) {
    a.x = x;
    a.g = g;
    a.out = out;
    k(a, mode, b, e, acc);
  }
};

// A cost per element and parameter that makes arrays worth splitting over the pool.
double cost_ns(const Problem& p) { return 0.3 * param_count(p.family, p.degree); }

template <class T>
void elementwise(const Problem& p, Mode mode, const T* x, const T* params, T* out) {
  if (p.size <= 0) return;
  const Runner<T> run(p, params);
  if (double(p.size) * cost_ns(p) < 60000.0 || get_num_threads() <= 1) {
    run(mode, x, nullptr, out, 0, p.size, nullptr);
    return;
  }
  parallel_for(p.size, 64, [&](std::ptrdiff_t b, std::ptrdiff_t e) {
    run(mode, x, nullptr, out, b, e, nullptr);
  });
}

}  // namespace

int param_count(Family family, int d) {
  switch (family) {
    case Family::hermite: return d + 1;
    case Family::fourier: return 3 * d + 1;
    case Family::tropical: return d + 1;
    case Family::tropical_rational: return 4 * (d + 1);
    case Family::polyrelu: return d + 1;
  }
  return -1;
}

const char* check(const Problem& p) {
  const int f = int(p.family);
  if (f < 0 || f > int(Family::polyrelu)) return "family: unknown";
  const int lo = p.family == Family::hermite || p.family == Family::tropical_rational ? 0 : 1;
  if (p.degree < lo || p.degree > kMaxDegree[f]) return "degree: out of range for this family";
  if (p.size < 0) return "x: negative size";
  return nullptr;
}

template <class T>
void forward(const Problem& p, const T* x, const T* params, T* y) {
  elementwise(p, Mode::forward, x, params, y);
}

template <class T>
void derivative(const Problem& p, const T* x, const T* params, T* dydx) {
  elementwise(p, Mode::derivative, x, params, dydx);
}

template <class T>
void backward(const Problem& p, const T* g, const T* x, const T* params, T* grad_x,
              double* grad_params) {
  const Runner<T> run(p, params);
  const std::vector<double> sums = chunked_sum(
      p.size, std::size_t(run.count()), double(p.size) * cost_ns(p) >= 60000.0,
      [&](std::ptrdiff_t b, std::ptrdiff_t e, double* row) {
        run(Mode::backward, x, g, grad_x, b, e, row);
      });
  for (int q = 0; q < run.count(); ++q) grad_params[q] = sums[std::size_t(q)];
}

#define NONLIN_SERIES_INSTANTIATE(T)                                            \
  template void forward<T>(const Problem&, const T*, const T*, T*);             \
  template void derivative<T>(const Problem&, const T*, const T*, T*);          \
  template void backward<T>(const Problem&, const T*, const T*, const T*, T*, double*);
NONLIN_SERIES_INSTANTIATE(float)
NONLIN_SERIES_INSTANTIATE(double)
#undef NONLIN_SERIES_INSTANTIATE

}  // namespace nonlin::series
