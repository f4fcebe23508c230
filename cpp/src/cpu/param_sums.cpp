#include "param_sums.h"

#include <algorithm>

#include "chunked_sum.h"
#include "dispatch.h"

namespace nonlin {

namespace {

constexpr std::ptrdiff_t kBlock = 512;  // per kernel call: the terms stay in L1

// Sum of v[0..m) in float64: eight interleaved partial sums combined pairwise (the rounding
// error grows like m/8 u, not m u; the same order as NumPy's pairwise base case).
template <class T>
double block_sum(const T* v, std::ptrdiff_t m) {
  double s[8] = {};
  std::ptrdiff_t i = 0;
  for (; i + 8 <= m; i += 8)
    for (int k = 0; k < 8; ++k) s[k] += double(v[i + k]);
  for (; i < m; ++i) s[i % 8] += double(v[i]);
  return ((s[0] + s[1]) + (s[2] + s[3])) + ((s[4] + s[5]) + (s[6] + s[7]));
}

}  // namespace

template <class T>
std::vector<double> param_sums(const OpInfo& op, std::ptrdiff_t n, const T* grad_out, const T* x,
                               const T* params, T* grad_x) {
  const int np = op.nin - 2, first = op.kind == OpKind::vjp ? 1 : 0, nl = op.nout - first;
  const KernelPair& kp = active_kernels()[op.index];
  Kernel<T> kernel;
  if constexpr (sizeof(T) == 4) kernel = kp.f32;
  else kernel = kp.f64;
  std::ptrdiff_t step[kMaxOpOperands] = {1, 1};
  for (int k = 0; k < np; ++k) step[2 + k] = 0;
  const double work_ns = double(n) * op.meta->cost * (1 + nl) * (sizeof(T) / 4.0);
  return chunked_sum(n, std::size_t(nl), work_ns >= 60000.0,
                     [&](std::ptrdiff_t b, std::ptrdiff_t e, double* row) {
    alignas(64) T terms[kMaxOpOperands][kBlock];
    const T* in[kMaxOpOperands];
    T* out[kMaxOpOperands];
    for (int k = 0; k < np; ++k) in[2 + k] = params + k;
    for (int k = 0; k < nl; ++k) out[first + k] = terms[k];
    for (std::ptrdiff_t i = b; i < e; i += kBlock) {
      const std::ptrdiff_t m = std::min(kBlock, e - i);
      in[0] = grad_out + i;
      in[1] = x + i;
      if (first) out[0] = grad_x + i;  // may be grad_out or x itself: exact aliasing is allowed
      kernel(m, in, step, out);
      for (int k = 0; k < nl; ++k) row[k] += block_sum(terms[k], m);
    }
  });
}

template std::vector<double> param_sums<float>(const OpInfo&, std::ptrdiff_t, const float*,
                                               const float*, const float*, float*);
template std::vector<double> param_sums<double>(const OpInfo&, std::ptrdiff_t, const double*,
                                                const double*, const double*, double*);

}  // namespace nonlin
