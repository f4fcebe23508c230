// The C API of the rational activations (nonlin.h) over the driver in cpu/rational.h.
#include <new>
#include <stdexcept>

#include "cpu/rational.h"
#include "nonlin/nonlin.h"

using namespace nonlin::rational;

namespace {

bool problem(const nonlin_rational* r, ptrdiff_t n, Problem& p) {
  if (!r || n < 0) return false;
  switch (r->version) {
    case 'A': p.version = Version::A; break;
    case 'B': p.version = Version::B; break;
    case 'C': p.version = Version::C; break;
    case 'D': p.version = Version::D; break;
    case 'N': p.version = Version::N; break;
    default: return false;
  }
  p.m = r->num_degree;
  p.n = r->den_degree;
  p.size = n;
  p.groups = r->groups;
  p.run = r->groups > 1 ? r->run : 0;
  p.training = r->training != 0;
  p.seed = r->seed;
  return check(p) == nullptr;
}

// f() -> NONLIN_OK, or the error code of what it threw: no C++ exception crosses the C API
// (a huge `groups` makes the coefficient tables unallocatable).
template <class F>
int guarded(F&& f) {
  try {
    f();
    return NONLIN_OK;
  } catch (const std::bad_alloc&) {
    return NONLIN_ENOMEM;
  } catch (const std::length_error&) {
    return NONLIN_ENOMEM;
  } catch (...) {
    return NONLIN_EINVAL;
  }
}

template <class T>
int elementwise(bool deriv, const nonlin_rational* r, ptrdiff_t n, const T* x, const T* num,
                const T* den, T* out) {
  Problem p;
  if (!problem(r, n, p) || (n > 0 && (!x || !num || !den || !out))) return NONLIN_EINVAL;
  return guarded([&] {
    if (deriv) derivative(p, x, num, den, out);
    else forward(p, x, num, den, out);
  });
}

template <class T>
int back(const nonlin_rational* r, ptrdiff_t n, const T* g, const T* x, const T* num, const T* den,
         T* gx, double* gnum, double* gden) {
  Problem p;
  if (!problem(r, n, p) || !num || !den || !gnum || !gden || (n > 0 && (!g || !x || !gx)))
    return NONLIN_EINVAL;
  return guarded([&] { backward(p, g, x, num, den, gx, gnum, gden); });
}

}  // namespace

extern "C" {

// One set of entry points per dtype (the names differ only by the suffix).
#define NONLIN_RATIONAL_CAPI(sfx, T)                                                          \
  int nonlin_rational_forward_##sfx(const nonlin_rational* r, ptrdiff_t n, const T* x,       \
                                    const T* num, const T* den, T* y) {                      \
    return elementwise(false, r, n, x, num, den, y);                                         \
  }                                                                                          \
  int nonlin_rational_derivative_##sfx(const nonlin_rational* r, ptrdiff_t n, const T* x,    \
                                       const T* num, const T* den, T* dydx) {                \
    return elementwise(true, r, n, x, num, den, dydx);                                       \
  }                                                                                          \
  int nonlin_rational_backward_##sfx(const nonlin_rational* r, ptrdiff_t n, const T* grad_out, \
                                     const T* x, const T* num, const T* den, T* grad_x,      \
                                     double* grad_num, double* grad_den) {                   \
    return back(r, n, grad_out, x, num, den, grad_x, grad_num, grad_den);                    \
  }
NONLIN_RATIONAL_CAPI(f32, float)
NONLIN_RATIONAL_CAPI(f64, double)
#undef NONLIN_RATIONAL_CAPI

}  // extern "C"
