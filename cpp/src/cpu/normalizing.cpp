// Runtime side of the normalising activations: the SIMD level's table, rows split over the
// thread pool (each row is independent, so the result does not depend on the split).
#include "nonlin/normalizing/kernels.h"

#include "dispatch.h"
#include "thread_pool.h"

namespace nonlin::normalizing {
namespace {

const Table* active_table() { return NONLIN_ACTIVE_TABLE(table); }

constexpr std::ptrdiff_t kParallelElements = 1 << 15;

template <class F>
void over_rows(std::ptrdiff_t rows, std::ptrdiff_t n, F&& f) {
  if (n <= 0) return;  // empty rows: nothing to do however many (outputs and sums stay as given)
  if (rows < 2 || rows * n < kParallelElements) return f(std::ptrdiff_t(0), rows);
  parallel_for(rows, 1, f);
}

}  // namespace

int param_grad_count(Op op, Params p) { return active_table()->grads[int(op)](p); }

template <class T>
void forward(Op op, std::ptrdiff_t rows, std::ptrdiff_t n, const T* x, T* y, Params p) {
  const Table* t = active_table();
  Forward<T> f;
  if constexpr (sizeof(T) == 4) f = t->fwd_f32[int(op)];
  else f = t->fwd_f64[int(op)];
  over_rows(rows, n, [&](std::ptrdiff_t b, std::ptrdiff_t e) { f(e - b, n, x + b * n, y + b * n, p); });
}

template <class T>
void backward(Op op, std::ptrdiff_t rows, std::ptrdiff_t n, const T* g, const T* x, T* gx,
              double* pg, Params p) {
  const Table* t = active_table();
  Backward<T> f;
  if constexpr (sizeof(T) == 4) f = t->bwd_f32[int(op)];
  else f = t->bwd_f64[int(op)];
  const int k = param_grad_count(op, p);
  over_rows(rows, n, [&](std::ptrdiff_t b, std::ptrdiff_t e) {
    f(e - b, n, g + b * n, x + b * n, gx + b * n, pg + b * k, p);
  });
}

template void forward<float>(Op, std::ptrdiff_t, std::ptrdiff_t, const float*, float*, Params);
template void forward<double>(Op, std::ptrdiff_t, std::ptrdiff_t, const double*, double*, Params);
template void backward<float>(Op, std::ptrdiff_t, std::ptrdiff_t, const float*, const float*,
                              float*, double*, Params);
template void backward<double>(Op, std::ptrdiff_t, std::ptrdiff_t, const double*, const double*,
                               double*, double*, Params);

}  // namespace nonlin::normalizing
