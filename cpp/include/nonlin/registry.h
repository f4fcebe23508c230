// The registry: one row per activation. Everything else (kernels for every ISA, the NumPy
// ufuncs, the catalogue) is generated from these lists.
#pragma once

#include "nonlin/activations/exponential.h"
#include "nonlin/activations/gelu.h"
#include "nonlin/activations/literature_gates.h"
#include "nonlin/activations/literature_localized.h"
#include "nonlin/activations/literature_periodic.h"
#include "nonlin/activations/literature_relu.h"
#include "nonlin/activations/piecewise.h"
#include "nonlin/activations/self_gated.h"

// Elementwise activations: X(struct).
#define NONLIN_ELEMENTWISE(X)                                                                  \
  X(Relu) X(Relu6) X(LeakyRelu) X(Prelu) X(Elu) X(Selu) X(Celu) X(Gelu) X(GeluTanh) X(Silu) \
  X(Mish) X(Softplus) X(Softsign) X(Sigmoid) X(Tanh) X(Logsigmoid) X(Hardtanh)              \
  X(Hardsigmoid) X(Hardswish) X(Hardshrink) X(Softshrink) X(Tanhshrink) X(SquaredRelu)

// Elementwise activations from the literature (registry part 1, their own kernel translation
// unit): X(struct).
#define NONLIN_ELEMENTWISE_LITERATURE(X)                                                       \
  X(Golu) X(Aptx) X(Xsilu) X(Xgelu) X(TemperedSigmoid) X(Apa) X(Aglu) X(Smelu) X(Gsmelu)      \
  X(Crrelu) X(Sau) X(Helu) X(ClippedRelu) X(Cauchy) X(Elephant) X(Snake) X(SnakeBeta) X(Sine)   \
  X(Biper) X(Xatlu)

// Gated linear units a * act(b) over the two halves of an axis: X(name, gate activation).
#define NONLIN_GATED(X) X(glu, Sigmoid) X(reglu, Relu) X(geglu, Gelu) X(swiglu, Silu)
