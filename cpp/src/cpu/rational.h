// Rational activations over whole arrays: coefficient preparation (versions, D's noise), the
// large-|x| threshold, threads, and the deterministic reduction of coefficient gradients.
#pragma once

#include <cstddef>
#include <cstdint>

#include "nonlin/rational/kernels.h"

namespace nonlin::rational {

struct Problem {
  Version version = Version::A;
  int m = 5, n = 4;             // degrees: numerator m + 1 coefficients per group, denominator
                                // n coefficients (b_1..b_n), n + 1 for version C (b_0..b_n)
  std::ptrdiff_t size = 0;      // elements; contiguous
  std::ptrdiff_t groups = 1;    // element i uses the coefficients of group (i / run) % groups
  std::ptrdiff_t run = 0;       // 0: size (one group)
  bool training = false;        // version D: apply the coefficient noise
  std::uint64_t seed = 0;       // version D: the noise is a function of (seed, coefficient index)
};

// Number of denominator coefficients per group for this version and degree.
inline int den_count(const Problem& p) { return p.version == Version::C ? p.n + 1 : p.n; }

// nullptr if the problem is valid, else a message naming the offending argument.
const char* check(const Problem& p);

// num: [groups][m + 1], den: [groups][den_count]. Outputs may alias inputs exactly.
template <class T>
void forward(const Problem& p, const T* x, const T* num, const T* den, T* y);
template <class T>
void derivative(const Problem& p, const T* x, const T* num, const T* den, T* dydx);
// grad_x = g dF/dx; grad_num / grad_den (float64, shaped like num / den) = sums of
// g dF/dcoefficient over the elements of each group, the same for any number of threads.
template <class T>
void backward(const Problem& p, const T* g, const T* x, const T* num, const T* den, T* grad_x,
              double* grad_num, double* grad_den);

// Version D's multiplicative factor for coefficient `index` (numerators of all groups first,
// then denominators), uniform in [0.9, 1.1).
double noise_factor(std::uint64_t seed, std::uint64_t index);

}  // namespace nonlin::rational
