// Ops: the elementwise kernels generated for each registry row. An op maps nin input lanes to
// nout output lanes; the kernel loops (kernels_isa.cpp) and the ufunc loops only see ops.
#pragma once

#include <array>
#include <utility>

#include "nonlin/registry.h"

namespace nonlin {

// Inputs plus outputs of any op (the bindings size their operand arrays with it; checked for
// every op below).
inline constexpr int kMaxOpOperands = 16;

enum class OpKind : int {
  forward, derivative, backward, param_grad, gated, gated_backward, derivative2, vjp
};

inline constexpr const char* op_suffix(OpKind k) {
  switch (k) {
    case OpKind::forward: return "";
    case OpKind::derivative: return "_derivative";
    case OpKind::backward: return "_backward";
    case OpKind::param_grad: return "_param_grad";
    case OpKind::gated: return "";
    case OpKind::gated_backward: return "_backward";
    case OpKind::derivative2: return "_derivative2";
    case OpKind::vjp: return "_vjp";
  }
  return "";
}

template <class A>
constexpr int num_params() { return int(A::params.size()); }

template <class A>
constexpr int num_learnable() {
  int n = 0;
  for (const auto& p : A::params) n += p.learnable;
  return n;
}

// Piecewise-linear activations (`static constexpr bool piecewise_linear = true`) have f'' = 0
// away from their kinks and take 0 at the kinks too (the convention of PyTorch's and JAX's
// double backward); the others define derivative2(x, params...).
template <class A>
constexpr bool piecewise_linear() {
  if constexpr (requires { A::piecewise_linear; }) return A::piecewise_linear;
  else return false;
}

inline namespace NONLIN_ISA {

// NaN in x gives NaN out of every derivative, whatever the branch selection says.
template <class V>
NONLIN_HD inline V keep_nan(V x, V d) { return select(x == x, d, x); }

template <class A, class V, std::size_t... I>
NONLIN_HD inline V call_forward(const V* p, V x, std::index_sequence<I...>) {
  return A::forward(x, p[I]...);
}
// Activations whose derivative and parameter gradients share expensive parts (GoLU's doubly
// exponential gate, Snake's sine and cosine, ...) define them once:
//   parts(x, params...)                -> P
//   derivative_of(P, x, params...)     -> f'
//   param_grad_of(P, x, params...)     -> {df/dp for each learnable p}
// and get their derivative, parameter gradients and fused vjp (one `parts` for both) from them.
template <class A, std::size_t... I>
constexpr bool has_parts_impl(std::index_sequence<I...>) {
  return requires(Vec<double> x) { A::parts(x, (I, x)...); };
}
template <class A>
constexpr bool has_parts() {
  return has_parts_impl<A>(std::make_index_sequence<num_params<A>()>{});
}
// Where the parts hold more than f' needs (APA's lambda-gradient), `derivative_alone(x,
// params...)` serves the derivative and backward ops.
template <class A, std::size_t... I>
constexpr bool has_derivative_alone_impl(std::index_sequence<I...>) {
  return requires(Vec<double> x) { A::derivative_alone(x, (I, x)...); };
}
template <class A>
constexpr bool has_derivative_alone() {
  return has_derivative_alone_impl<A>(std::make_index_sequence<num_params<A>()>{});
}
template <class A, class V, std::size_t... I>
NONLIN_HD inline V call_derivative(const V* p, V x, std::index_sequence<I...>) {
  if constexpr (has_derivative_alone<A>()) return keep_nan(x, A::derivative_alone(x, p[I]...));
  else if constexpr (has_parts<A>()) return keep_nan(x, A::derivative_of(A::parts(x, p[I]...), x, p[I]...));
  else return keep_nan(x, A::derivative(x, p[I]...));
}
// grad_out * f'(x), or the activation's own fused backward where it has one (to avoid an
// intermediate overflow, e.g. squared_relu's 2x for huge x when grad_out is small).
template <class A, class V, std::size_t... I>
NONLIN_HD inline V call_backward(const V* p, V g, V x, std::index_sequence<I...>) {
  if constexpr (requires { A::backward(g, x, p[I]...); }) return keep_nan(x, A::backward(g, x, p[I]...));
  else return g * call_derivative<A>(p, x, std::index_sequence<I...>{});
}
template <class A>
constexpr bool has_derivative2() {
  return piecewise_linear<A>() || requires { &A::template derivative2<Vec<double>>; };
}
template <class A, class V, std::size_t... I>
NONLIN_HD inline V call_derivative2(const V* p, V x, std::index_sequence<I...>) {
  if constexpr (piecewise_linear<A>()) return keep_nan(x, V(0));
  else return keep_nan(x, A::derivative2(x, p[I]...));
}
template <class A, class V, std::size_t... I>
NONLIN_HD inline auto call_param_grad(const V* p, V x, std::index_sequence<I...>) {
  if constexpr (has_parts<A>()) return A::param_grad_of(A::parts(x, p[I]...), x, p[I]...);
  else return A::param_grad(x, p[I]...);
}
// grad_out * f' into out[0], grad_out * df/dp into out[1..], from one evaluation of the parts
template <class A, class V, std::size_t... I>
NONLIN_HD inline void vjp_from_parts(const V* p, V g, V x, V* out, std::index_sequence<I...>) {
  const auto P = A::parts(x, p[I]...);
  out[0] = g * keep_nan(x, A::derivative_of(P, x, p[I]...));
  const auto d = A::param_grad_of(P, x, p[I]...);
  for (std::size_t k = 0; k < d.size(); ++k) out[1 + k] = g * keep_nan(x, d[k]);
}
// The activation's parameters at their registry defaults (the gate of a GLU unit).
template <class A, class V>
NONLIN_HD inline std::array<V, num_params<A>() + 1> default_params() {
  constexpr auto values = [] {  // a constant of this function (device code reads it too)
    std::array<double, num_params<A>() + 1> d{};
    for (int i = 0; i < num_params<A>(); ++i) d[i] = A::params[i].default_value;
    return d;
  }();
  std::array<V, num_params<A>() + 1> p{};
  for (int i = 0; i < num_params<A>(); ++i) p[i] = V(values[i]);
  return p;
}
template <class A, class V>
NONLIN_HD inline V default_forward(V x) {
  return call_forward<A>(default_params<A, V>().data(), x, std::make_index_sequence<num_params<A>()>{});
}
template <class A, class V>
NONLIN_HD inline V default_derivative(V x) {
  return call_derivative<A>(default_params<A, V>().data(), x,
                            std::make_index_sequence<num_params<A>()>{});
}

// in: x, params...            out: f(x)
template <class A>
struct Forward {
  using Act = A;
  static constexpr OpKind kind = OpKind::forward;
  static constexpr int nin = 1 + num_params<A>(), nout = 1;
  template <class V> NONLIN_HD static void eval(const V* in, V* out) {
    out[0] = call_forward<A>(in + 1, in[0], std::make_index_sequence<num_params<A>()>{});
  }
};

// in: x, params...            out: f'(x)
template <class A>
struct Derivative {
  using Act = A;
  static constexpr OpKind kind = OpKind::derivative;
  static constexpr int nin = 1 + num_params<A>(), nout = 1;
  template <class V> NONLIN_HD static void eval(const V* in, V* out) {
    out[0] = call_derivative<A>(in + 1, in[0], std::make_index_sequence<num_params<A>()>{});
  }
};

// in: x, params...            out: f''(x)
template <class A>
struct Derivative2 {
  using Act = A;
  static constexpr OpKind kind = OpKind::derivative2;
  static constexpr int nin = 1 + num_params<A>(), nout = 1;
  template <class V> NONLIN_HD static void eval(const V* in, V* out) {
    out[0] = call_derivative2<A>(in + 1, in[0], std::make_index_sequence<num_params<A>()>{});
  }
};

// in: grad_out, x, params...  out: grad_out * f'(x)
template <class A>
struct Backward {
  using Act = A;
  static constexpr OpKind kind = OpKind::backward;
  static constexpr int nin = 2 + num_params<A>(), nout = 1;
  template <class V> NONLIN_HD static void eval(const V* in, V* out) {
    out[0] = call_backward<A>(in + 2, in[0], in[1], std::make_index_sequence<num_params<A>()>{});
  }
};

// in: grad_out, x, params...  out: grad_out * df/dp for each learnable p (not reduced)
template <class A>
struct ParamGrad {
  using Act = A;
  static constexpr OpKind kind = OpKind::param_grad;
  static constexpr int nin = 2 + num_params<A>(), nout = num_learnable<A>();
  template <class V> NONLIN_HD static void eval(const V* in, V* out) {
    const auto g = call_param_grad<A>(in + 2, in[1], std::make_index_sequence<num_params<A>()>{});
    for (int k = 0; k < nout; ++k) out[k] = in[0] * keep_nan(in[1], g[k]);
  }
};

// in: grad_out, x, params...  out: grad_out * f'(x), then grad_out * df/dp for each learnable p
// (not reduced): the backward and the parameter terms from one evaluation. Activations with
// parts (above) evaluate them once for both; the others run the two formulas back to back.
template <class A>
struct Vjp {
  using Act = A;
  static constexpr OpKind kind = OpKind::vjp;
  static constexpr int nin = 2 + num_params<A>(), nout = 1 + num_learnable<A>();
  template <class V> NONLIN_HD static void eval(const V* in, V* out) {
    if constexpr (has_parts<A>()) {
      vjp_from_parts<A>(in + 2, in[0], in[1], out, std::make_index_sequence<num_params<A>()>{});
    } else {
      Backward<A>::eval(in, out);
      ParamGrad<A>::eval(in, out + 1);
    }
  }
};

// in: a, b                    out: a * act(b)
template <class A>
struct Gated {
  using Act = A;
  static constexpr OpKind kind = OpKind::gated;
  static constexpr int nin = 2, nout = 1;
  template <class V> NONLIN_HD static void eval(const V* in, V* out) {
    out[0] = in[0] * default_forward<A>(in[1]);
  }
};

// in: grad_out, a, b          out: grad_a = g act(b), grad_b = g a act'(b)
template <class A>
struct GatedBackward {
  using Act = A;
  static constexpr OpKind kind = OpKind::gated_backward;
  static constexpr int nin = 3, nout = 2;
  template <class V> NONLIN_HD static void eval(const V* in, V* out) {
    out[0] = in[0] * default_forward<A>(in[2]);
    out[1] = in[0] * in[1] * default_derivative<A>(in[2]);
  }
};

// The same op for another activation B (an op is a template over its activation):
// with_act<Forward<A>, B> is Forward<B>.
template <class Op, class B>
struct WithAct;
template <template <class> class O, class A, class B>
struct WithAct<O<A>, B> {
  using type = O<B>;
};
template <class Op, class B>
using with_act = typename WithAct<Op, B>::type;

// Activations whose float32 formula cannot reach the accuracy target in float32 arithmetic
// (registry flag `float_via_double`) run their float32 kernels through the float64 formula;
// so do all second derivatives (double backward: accuracy first, no float32 tuning). Where
// only the gradients need float64 (flag `float_forward_native`), the forward stays in float32;
// where only the forward does (flag `float_forward_via_double`), the gradients do.
template <class Op>
constexpr bool float_via_double() {
  if constexpr (Op::kind == OpKind::derivative2) return true;
  else if constexpr (Op::kind == OpKind::forward && requires { Op::Act::float_forward_native; })
    return !Op::Act::float_forward_native;
  else if constexpr (Op::kind == OpKind::forward && requires { Op::Act::float_forward_via_double; })
    return Op::Act::float_forward_via_double;
  else if constexpr (requires { Op::Act::float_via_double; }) return Op::Act::float_via_double;
  else return false;
}

// An activation may name a second formula for its float32 kernels (`using float32_formula =
// X;`, X derived from the activation, usually with `float_via_double`): float64 arithmetic
// without the hi + lo pairs the float64 results need, which a float32 result never sees.
// Second derivatives keep the activation's own formula.
template <class Op>
constexpr bool has_float32_formula() {
  if constexpr (Op::kind == OpKind::derivative2) return false;
  else if constexpr (requires { typename Op::Act::float32_formula; })
    return !std::is_same_v<typename Op::Act::float32_formula, typename Op::Act>;
  else return false;
}

// Activations whose float32 formulas are right in float32 arithmetic except where a product of
// x and a parameter (w x, gamma x, ...) leaves float32's range name a magnitude
// (`static constexpr float float_native_below = 1e30f;`): their float32 kernels recompute the
// lanes where x or x times a parameter reaches it with the float64 formula (wide_lanes below).
template <class Op>
constexpr float float_native_below() {
  if constexpr (Op::kind == OpKind::derivative2) return 0;
  else if constexpr (requires { Op::Act::float_native_below; }) return Op::Act::float_native_below;
  else return 0;
}

// The lanes of float32 operands `in` where |x| or |x p| for a parameter p reaches
// float_native_below<Op>() (an overflowing product counts as infinite).
template <class Op, class V>
NONLIN_HD inline auto wide_lanes(const V* in) {
  constexpr int first = Op::kind == OpKind::backward || Op::kind == OpKind::param_grad ||
                        Op::kind == OpKind::vjp;  // in[0] = grad_out
  const V lim(float_native_below<Op>()), x = abs(in[first]);
  auto m = x >= lim;
  for (int k = first + 1; k < Op::nin; ++k) m = m | (x * abs(in[k]) >= lim);
  return m;
}

// Op on one element of float32 operands in float64 (float_native_below's recomputation; the
// CPU kernels call it for such lanes of a packet).
template <class Op>
NONLIN_HD inline void eval_in_float64(const Vec<float>* x, Vec<float>* r) {
  Vec<double> xd[Op::nin], rd[Op::nout];
  for (int k = 0; k < Op::nin; ++k) xd[k] = Vec<double>(double(x[k].v));
  Op::eval(xd, rd);
  for (int k = 0; k < Op::nout; ++k) r[k] = Vec<float>(float(rd[k].v));
}
// One element of Op in arithmetic T (scalar Vecs), with float_native_below's float64
// recomputation: the per-element path of the CUDA kernels (and of their CPU check).
template <class Op, class T>
NONLIN_HD inline void eval_element(const Vec<T>* x, Vec<T>* r) {
  Op::eval(x, r);
  if constexpr (std::is_same_v<T, float> && float_native_below<Op>() > 0)
    if (wide_lanes<Op>(x).m) eval_in_float64<Op>(x, r);
}

// The kernel that runs Op on data of type T (float or double): the op itself or its float32
// formula's op, and the arithmetic type (double for float data of float_via_double ops). The CPU
// and CUDA kernels both follow it.
template <class Op, class T, bool = std::is_same_v<T, float> && has_float32_formula<Op>()>
struct KernelOf {
  using op = Op;
  using compute = std::conditional_t<std::is_same_v<T, float> && float_via_double<Op>(), double, T>;
};
template <class Op>
struct KernelOf<Op, float, true> : KernelOf<with_act<Op, typename Op::Act::float32_formula>, float> {};

// Calls f.template operator()<Op>(name) for every op of one part of the registry (part 0: the
// standard activations and the gated units; part 1: the activations from the literature), in a
// fixed order shared by all ISAs. Each part's kernels are one translation unit per ISA.
template <int Part, class F>
void for_each_op_in(F&& f) {
#define NONLIN_VISIT_ELEMENTWISE(A)                                                         \
  static_assert(3 + num_params<A>() + num_learnable<A>() <= kMaxOpOperands);                \
  f.template operator()<Forward<A>>(A::meta.name);                                          \
  f.template operator()<Derivative<A>>(A::meta.name);                                       \
  f.template operator()<Backward<A>>(A::meta.name);                                         \
  if constexpr (has_derivative2<A>()) f.template operator()<Derivative2<A>>(A::meta.name);  \
  if constexpr (num_learnable<A>() > 0) f.template operator()<ParamGrad<A>>(A::meta.name);  \
  if constexpr (num_learnable<A>() > 0) f.template operator()<Vjp<A>>(A::meta.name);
#define NONLIN_VISIT_GATED(name, A)                                                         \
  f.template operator()<Gated<A>>(#name);                                                   \
  f.template operator()<GatedBackward<A>>(#name);
  if constexpr (Part == 0) {
    NONLIN_ELEMENTWISE(NONLIN_VISIT_ELEMENTWISE)
    NONLIN_GATED(NONLIN_VISIT_GATED)
  } else {
    NONLIN_ELEMENTWISE_LITERATURE(NONLIN_VISIT_ELEMENTWISE)
  }
#undef NONLIN_VISIT_ELEMENTWISE
#undef NONLIN_VISIT_GATED
}

// Every op of every part, in kernel-table order.
template <class F>
void for_each_op(F&& f) {
  for_each_op_in<0>(f);
  for_each_op_in<1>(f);
}

}  // namespace NONLIN_ISA
}  // namespace nonlin
