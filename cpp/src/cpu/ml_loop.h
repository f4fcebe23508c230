// One strided run of a Mittag-Leffler kernel: the loop behind the NumPy ufuncs
// (mittag_leffler.cpp) and the XLA FFI target of nonlin.jax (jax_ffi_mittag_leffler.cpp).
#pragma once

#include <cstddef>
#include <cstdint>
#include <type_traits>

#include "nonlin/mittag_leffler/prabhakar_complex.h"
#include "nonlin/mittag_leffler/part.h"

namespace nonlin::ml {

// What one kernel computes from (z, alpha, beta[, fourth input]).
enum class Fourth { none, shift, order };  // shift: result * e^{-shift}; order: d^order/dz^order
struct MlKernel {
  Part part;
  Fourth fourth;
};

// One element of kernel k for real or complex z (the per-element path of the ufunc loops): the
// part (times e^{-shift}; real z only) or the order-th derivative, NaN outside orders 0..12.
template <class Z>
Z ml_element(const MlKernel& k, Z z, double a, double b, std::int64_t order, double shift) {
  if (k.fourth == Fourth::order)
    return order < 0 || order > 12 ? Z(NAN) : mittag_leffler_derivative(z, a, b, int(order));
  if constexpr (std::is_same_v<Z, double>)
    return mittag_leffler_part(z, a, b, k.part, k.fourth == Fourth::shift ? shift : 0.0);
  else
    return mittag_leffler_part(z, a, b, k.part);
}

// n elements; args = inputs (3, or 4 with a fourth) then the output, steps in bytes (0 for a
// broadcast operand); T is float or double (float computes in float64). One (alpha, beta) for
// the whole run takes a cached precomputed plan and its SIMD kernel; otherwise each element
// is evaluated on its own. Large runs are split over the thread pool.
template <class T>
void ml_run(const MlKernel& k, std::ptrdiff_t n, char* const* args, const std::ptrdiff_t* steps);

}  // namespace nonlin::ml
