// Coefficient-vector activations (Hermite, Fourier, tropical, tropical rational, PolyReLU) over
// whole arrays: validation, preparation (effective degrees, overflow threshold), threads, and
// the deterministic reduction of the parameter gradients.
#pragma once

#include <cstddef>

#include "nonlin/series/kernels.h"

namespace nonlin::series {

struct Problem {
  Family family = Family::hermite;
  int degree = 3;
  std::ptrdiff_t size = 0;  // elements; contiguous
};

// Entries of the flat parameter array (layouts in nonlin/series/families.h).
int param_count(Family family, int degree);

// nullptr if the problem is valid, else a message naming the offending argument.
const char* check(const Problem& p);

// Outputs may alias x (or g) exactly.
template <class T>
void forward(const Problem& p, const T* x, const T* params, T* y);
template <class T>
void derivative(const Problem& p, const T* x, const T* params, T* dydx);
// grad_x = g df/dx; grad_params[q] = sum over the elements of g df/dp_q (float64), the same
// for any number of threads.
template <class T>
void backward(const Problem& p, const T* g, const T* x, const T* params, T* grad_x,
              double* grad_params);

}  // namespace nonlin::series
