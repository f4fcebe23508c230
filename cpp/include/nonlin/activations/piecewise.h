// Piecewise-linear (and piecewise-polynomial) activations, PyTorch definitions.
// Derivatives at the kinks follow PyTorch's backward kernels
// (aten/src/ATen/native/cpu/Activation.cpp); NaN propagation is added by the op wrappers.
#pragma once

#include "nonlin/activations/common.h"

namespace nonlin {
inline namespace NONLIN_ISA {

struct Relu {
  NONLIN_NO_PARAMS
  static constexpr Meta meta{"relu", "max(0, x)", "x > 0 ? 1 : 0", "PyTorch torch.nn.ReLU",
                             {false, true, false, false, false, "[0, inf)"}, params.data(), 0};
  static constexpr bool piecewise_linear = true;
  template <class V> NONLIN_DEVICE static V forward(V x) { return select(x < 0, V(0), x); }
  template <class V> NONLIN_DEVICE static V derivative(V x) { return select(x > 0, V(1), V(0)); }
};

struct Relu6 {
  NONLIN_NO_PARAMS
  static constexpr Meta meta{"relu6", "min(max(0, x), 6)", "0 < x < 6 ? 1 : 0",
                             "PyTorch torch.nn.ReLU6", {false, true, true, false, false, "[0, 6]"},
                             params.data(), 0};
  static constexpr bool piecewise_linear = true;
  template <class V> NONLIN_DEVICE static V forward(V x) { return select(x < 0, V(0), select(x > 6, V(6), x)); }
  template <class V> NONLIN_DEVICE static V derivative(V x) { return select((x > 0) & (x < 6), V(1), V(0)); }
};

struct LeakyRelu {
  static constexpr std::array<Param, 1> params{{{"negative_slope", 0.01, false, "slope for x <= 0"}}};
  static constexpr Meta meta{"leaky_relu", "x > 0 ? x : negative_slope * x",
                             "x > 0 ? 1 : negative_slope", "PyTorch torch.nn.LeakyReLU",
                             {false, true, false, false, false, "(-inf, inf)"}, params.data(), 1};
  static constexpr bool piecewise_linear = true;
  template <class V> NONLIN_DEVICE static V forward(V x, V s) { return select(x > 0, x, x * s); }
  template <class V> NONLIN_DEVICE static V derivative(V x, V s) { return select(x > 0, V(1), s); }
};

struct Prelu {
  static constexpr std::array<Param, 1> params{
      {{"weight", 0.25, true, "learnable slope for x <= 0 (scalar or per channel)"}}};
  static constexpr Meta meta{"prelu", "x > 0 ? x : weight * x", "x > 0 ? 1 : weight",
                             "He et al. 2015, arXiv:1502.01852; PyTorch torch.nn.PReLU",
                             {false, true, false, false, false, "(-inf, inf)"}, params.data(), 1};
  static constexpr bool piecewise_linear = true;
  template <class V> NONLIN_DEVICE static V forward(V x, V w) { return select(x > 0, x, x * w); }
  template <class V> NONLIN_DEVICE static V derivative(V x, V w) { return select(x > 0, V(1), w); }
  template <class V> NONLIN_DEVICE static std::array<V, 1> param_grad(V x, V) {
    return {select(x > 0, V(0), x)};
  }
};

struct Hardtanh {
  static constexpr std::array<Param, 2> params{{{"min_val", -1.0, false, "lower clip value"},
                                                {"max_val", 1.0, false, "upper clip value, >= min_val", Constraint::at_least_previous}}};
  static constexpr Meta meta{"hardtanh", "min(max(x, min_val), max_val)",
                             "min_val < x < max_val ? 1 : 0", "PyTorch torch.nn.Hardtanh",
                             {false, true, true, true, false, "[min_val, max_val]"},
                             params.data(), 2};
  static constexpr bool piecewise_linear = true;
  template <class V> NONLIN_DEVICE static V forward(V x, V lo, V hi) {
    return select(x < lo, lo, select(x > hi, hi, x));
  }
  template <class V> NONLIN_DEVICE static V derivative(V x, V lo, V hi) {
    return select((x > lo) & (x < hi), V(1), V(0));
  }
};

struct Hardsigmoid {
  NONLIN_NO_PARAMS
  static constexpr Meta meta{"hardsigmoid", "relu6(x + 3) / 6", "-3 < x < 3 ? 1/6 : 0",
                             "Courbariaux et al. 2015; PyTorch torch.nn.Hardsigmoid",
                             {false, true, true, false, false, "[0, 1]"}, params.data(), 0};
  static constexpr bool piecewise_linear = true;
  template <class V> NONLIN_DEVICE static V forward(V x) {
    // x + 3 is exact near -3 (Sterbenz), so the result keeps its relative accuracy near 0.
    return select(x <= -3, V(0), select(x >= 3, V(1), (x + 3) / 6));
  }
  template <class V> NONLIN_DEVICE static V derivative(V x) {
    return select((x > -3) & (x < 3), V(1.0 / 6.0), V(0));
  }
};

struct Hardswish {
  NONLIN_NO_PARAMS
  static constexpr Meta meta{"hardswish", "x * relu6(x + 3) / 6",
                             "x <= -3 ? 0 : x < 3 ? x/3 + 1/2 : 1",
                             "Howard et al. 2019, arXiv:1905.02244; PyTorch torch.nn.Hardswish",
                             {false, false, false, false, true, "[-3/8, inf)"}, params.data(), 0};
  template <class V> NONLIN_DEVICE static V forward(V x) {
    return select(x <= -3, V(0), select(x >= 3, x, x * (x + 3) / 6));
  }
  template <class V> NONLIN_DEVICE static V derivative(V x) {
    return select(x <= -3, V(0), select(x < 3, x / 3 + 0.5, V(1)));  // as torch 2.x at +-3
  }
  // 1/3 strictly inside (-3, 3), as PyTorch's double backward of hardswish
  template <class V> NONLIN_DEVICE static V derivative2(V x) {
    return select((x > -3) & (x < 3), V(1.0 / 3.0), V(0));
  }
};

struct Hardshrink {
  static constexpr std::array<Param, 1> params{{{"lambd", 0.5, false, "threshold, >= 0", Constraint::nonnegative}}};
  static constexpr Meta meta{"hardshrink", "|x| > lambd ? x : 0", "|x| > lambd ? 1 : 0",
                             "PyTorch torch.nn.Hardshrink",
                             {false, false, false, true, false, "(-inf, inf)"}, params.data(), 1};
  static constexpr bool piecewise_linear = true;
  template <class V> NONLIN_DEVICE static V forward(V x, V l) {
    return select((x >= -l) & (x <= l), V(0), x);
  }
  template <class V> NONLIN_DEVICE static V derivative(V x, V l) {
    return select((x >= -l) & (x <= l), V(0), V(1));
  }
};

struct Softshrink {
  static constexpr std::array<Param, 1> params{{{"lambd", 0.5, false, "threshold, >= 0", Constraint::nonnegative}}};
  static constexpr Meta meta{"softshrink", "x > lambd ? x - lambd : x < -lambd ? x + lambd : 0",
                             "|x| > lambd ? 1 : 0", "PyTorch torch.nn.Softshrink",
                             {false, true, false, true, false, "(-inf, inf)"}, params.data(), 1};
  static constexpr bool piecewise_linear = true;
  template <class V> NONLIN_DEVICE static V forward(V x, V l) {
    return select(x > l, x - l, select(x < -l, x + l, select(x == x, V(0), x)));
  }
  template <class V> NONLIN_DEVICE static V derivative(V x, V l) {
    return select((x >= -l) & (x <= l), V(0), V(1));
  }
};

struct SquaredRelu {
  NONLIN_NO_PARAMS
  static constexpr Meta meta{"squared_relu", "max(0, x)^2", "2 max(0, x)",
                             "So et al. 2021 (Primer), arXiv:2109.08668",
                             {false, true, false, false, false, "[0, inf)"}, params.data(), 0};
  template <class V> NONLIN_DEVICE static V forward(V x) {
    const V r = select(x < 0, V(0), x);
    return r * r;
  }
  template <class V> NONLIN_DEVICE static V derivative(V x) { return 2 * select(x < 0, V(0), x); }
  template <class V> NONLIN_DEVICE static V backward(V g, V x) { return (g * select(x < 0, V(0), x)) * 2; }
  template <class V> NONLIN_DEVICE static V derivative2(V x) { return select(x > 0, V(2), V(0)); }
};

}  // namespace NONLIN_ISA
}  // namespace nonlin
