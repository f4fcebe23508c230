// Vector math on Vec<P>: exp, expm1, exp_mx2, log, log1p, erf, erfc, tanh, sigmoid, softplus,
// log_sigmoid, sin, cos, sincos (with a low part x_lo of the argument), atan for float and
// double packets (AVX-512, AVX2, SSE2, NEON) and scalars.
//
// Accuracy: <= 1 ULP (most functions ~0.5-0.7) over the whole float/double range on every ISA,
// including subnormal results and inputs, with IEEE special values (see cpp/tests/test_vmath.cpp,
// which measures it). The scalar path runs the same algorithms as the packets, so tails and
// CUDA device code give bit-identical results to the vector body on the same ISA.
#pragma once

#include "nonlin/simd/erf.h"
#include "nonlin/simd/exp.h"
#include "nonlin/simd/log.h"
#include "nonlin/simd/trig.h"
