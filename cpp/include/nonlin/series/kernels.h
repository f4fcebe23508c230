// Coefficient-vector activations ("series"): the contract between the per-ISA kernel loops
// (cpp/src/cpu/series_isa.cpp) and the driver (cpp/src/cpu/series.cpp). The formulas are in
// families.h; every family's parameters travel as one flat array p (layout in families.h).
#pragma once

#include <cstddef>

namespace nonlin::series {

enum class Family : int { hermite = 0, fourier = 1, tropical = 2, tropical_rational = 3, polyrelu = 4 };
enum class Mode : int { forward = 0, derivative = 1, backward = 2 };

// Highest degree per family (indexed by Family); kMaxParams bounds every parameter count.
inline constexpr int kMaxDegree[] = {32, 16, 32, 15, 8};
inline constexpr int kMaxHermite = kMaxDegree[0];
inline constexpr int kMaxParams = 64;

template <class T>
struct Args {
  Family family;
  int degree;
  int count;        // entries of p (and of the gradient sums)
  const T* p;
  int eff;          // hermite: index of the highest nonzero monomial coefficient; polyrelu: of
                    // the first nonzero weight (Horner starts there, so 0 * inf never appears)
  T thr;            // hermite: |x| > thr takes the scaled recurrence (no intermediate overflow)
  T poly[2 * kMaxHermite + 1];  // hermite, polyrelu: f as a polynomial (in x, relu(x)) in
                                // ascending powers (d + 1), then f' (d)
  const T* x;
  const T* g;       // grad_out (backward)
  T* out;           // y, df/dx or grad_x (may alias x or g exactly)
};

// Processes elements [begin, end); backward adds the sums over them of g * df/dp_q into
// acc[q] (float64) in an order fixed by [begin, end) and the ISA.
template <class T>
using Kernel = void (*)(const Args<T>& args, Mode mode, std::ptrdiff_t begin, std::ptrdiff_t end,
                        double* acc);

// f32 serves the families that are accurate in float32 arithmetic (series.cpp: native_float);
// the other float32 families run through f64 and are rounded once.
struct Kernels {
  Kernel<float> f32;
  Kernel<double> f64;
};

const Kernels* kernels_baseline();
#if defined(NONLIN_HAVE_AVX2)
const Kernels* kernels_avx2();
#endif
#if defined(NONLIN_HAVE_AVX512)
const Kernels* kernels_avx512();
#endif

}  // namespace nonlin::series
