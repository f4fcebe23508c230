// The unified Mittag-Leffler gated activations (arXiv 2302.11007) as one fused pass over an
// array when the four shape parameters are scalars:
//     act(x) = x u^{gamma-1} E_{a1,b1}(f(u)) / E_{a2,b2}(g(u)),   u = h(x),
// value, derivative, backward (grad_out * act') or the four parameter gradients summed over
// the array (sum grad_out * d act / d a1, b1, a2, b2), in float32 or float64 (computed in
// float64). Both factors carry the common scale e^{-shift}, shift = max over the factors of
// z^{1/a} for z > 0, so their ratio never overflows.
//
// The element work is split in three: per-ISA packet loops for the maps and the final
// combination (cpp/src/cpu/ml_gated_isa.cpp, contract below), and between them the factors
// evaluated in chunks by the cached plan's SIMD kernel (plan.h), a vector closed form
// (a = 0; a = 1 or 2 with b = 1 or 2) or, for the rest, the accurate scalar evaluator
// (cpp/src/cpu/ml_gated.cpp).
#pragma once

#include <cstddef>

namespace nonlin::ml {

enum class GateInner : int { identity = 0, softplus = 1 };
// z = f(u): 0, u^2, -e^{-c u}, -|u|, u / sqrt 2, u^2 / 2 + ln 2, min(u, 0)
enum class GateMap : int { zero = 0, square, neg_exp, neg_abs, scaled, half_square_ln2, min0 };

struct GatedForm {
  int gamma = 1;  // 0, 1 or 2
  GateInner inner = GateInner::identity;
  GateMap f = GateMap::zero, g = GateMap::zero;
  double c = 1;  // the neg_exp rate
};

struct GatedParams {
  double alpha1 = 1, beta1 = 1, alpha2 = 1, beta2 = 1;
};

// params: the four gradients summed over the array; param_parts: per element (for JVPs)
enum class GatedMode : int { value = 0, derivative = 1, backward = 2, params = 3, param_parts = 4 };

// nullptr if the form and parameters are valid, else a message naming the offending one.
const char* gated_check(const GatedForm& form, const GatedParams& p);

// n elements of x (contiguous). value / derivative: out = act or act'; backward:
// out = g * act'; params: sums[0..3] = sum g * d act / d (a1, b1, a2, b2) (float64, the same
// for any number of threads; out unused); param_parts: out[k n + i] = d act / d p_k at x[i]
// (4 n entries). out may alias x or g exactly (not in param_parts). need (params, param_parts):
// bit k set = parameter k is wanted; the others are not evaluated (their sums / parts are 0).
template <class T>
void gated_run(const GatedForm& form, const GatedParams& p, GatedMode mode, std::ptrdiff_t n,
               const T* x, const T* g, T* out, double* sums, unsigned need = 0xF);

// --- the per-ISA kernels' contract (plain data) ---

inline constexpr int kGatedChunk = 256;

// One chunk of at most kGatedChunk elements in float64. prepare fills the map columns from x;
// the driver fills the factor columns; combine reads them.
struct GatedChunk {
  int n = 0;
  alignas(64) double x[kGatedChunk], u[kGatedChunk], dh[kGatedChunk];
  alignas(64) double fz[kGatedChunk], dfz[kGatedChunk], gz[kGatedChunk], dgz[kGatedChunk];
  alignas(64) double shift[kGatedChunk];
  // factor parts times e^{-shift}: E_A, E_B, E_A', E_B', dE_A/da1, dE_A/db1, dE_B/da2, dE_B/db2
  alignas(64) double ea[kGatedChunk], eb[kGatedChunk], da[kGatedChunk], db[kGatedChunk];
  alignas(64) double pa1[kGatedChunk], pb1[kGatedChunk], pa2[kGatedChunk], pb2[kGatedChunk];
};

// The vector closed forms (the constants c0 come from the driver): out = ... e^{-shift}
enum class GatedClosed : int {
  constant = 0,  // c0                          (a factor whose map is zero: E at z = 0)
  alpha_zero,    // c0 / (1 - z)                E_{0,b}, dE_{0,b}/db (c0 = 1/Gamma(b), its b-derivative)
  alpha_zero_dz, // c0 / (1 - z)^2              dE_{0,b}/dz
  alpha_zero_da, // c0 z / (1 - z)^2            dE_{0,b}/da (c0 = (1/Gamma)'(b))
  exp,           // e^z                         E_{1,1} and its z-derivative
  expm1_over_z,  // (e^z - 1) / z               E_{1,2}
  cosh_sqrt,     // cosh(sqrt z), cos(sqrt -z)  E_{2,1}
  sinhc_sqrt,    // c0 sinh(r)/r, r = sqrt z (sin(r)/r for z < 0)   E_{2,2} (c0 = 1), dE_{2,1}/dz (1/2)
};

struct GatedKernels {
  void (*prepare)(const GatedForm& form, double a1, double a2, GatedChunk& c);
  void (*closed)(GatedClosed kind, double c0, const double* z, const double* shift, double* out, int n);
  // value / derivative / backward: out[i] (g may be null for derivative); params: adds the
  // chunk's four sums into sums[0..3] in a fixed order; param_parts: out[k kGatedChunk + i]
  void (*combine)(const GatedForm& form, GatedMode mode, const GatedChunk& c, const double* g,
                  double* out, double* sums);
};

// one per compiled ISA (dispatch.h picks)
const GatedKernels* gated_kernels_baseline();
const GatedKernels* gated_kernels_avx2();
const GatedKernels* gated_kernels_avx512();

}  // namespace nonlin::ml
