// The per-element path of the CUDA kernels, checked on the CPU: every op of the registry
// evaluated one element at a time on scalar Vec<T> (what src/cuda runs per thread, with the same
// KernelOf precision rule and hardware FMA) against the SIMD kernels the Python tests hold to the
// mpmath references. Inputs: x over +-[1e-6, 1e3] and +-[1e29, 1e31] (where float32 lanes
// switch to float64, ops.h float_native_below; and 0, +-inf, NaN), parameters at their
// defaults and perturbed, grad_out in [-2, 2]. Exit 1 if any result differs by more than 2 ulp.
#include <cmath>
#include <cstdio>
#include <limits>
#include <random>
#include <vector>

#include "../src/cpu/dispatch.h"
#include "../src/cpu/run.h"
#include "nonlin/ops.h"
#include "ulp_distance.h"

using namespace nonlin;

namespace {

std::vector<double> x_grid() {
  std::vector<double> x = {0.0, -0.0, std::numeric_limits<double>::infinity(),
                           -std::numeric_limits<double>::infinity(), std::nan("")};
  for (int i = 0; i <= 900; ++i) {
    const double v = std::pow(10.0, -6.0 + 9.0 * i / 900);
    x.push_back(v);
    x.push_back(-v);
  }
  for (int i = 0; i <= 20; ++i) {
    const double v = std::pow(10.0, 29.0 + 2.0 * i / 20);
    x.push_back(v);
    x.push_back(-v);
  }
  return x;
}

// inputs that precede x in the op's operand list: grad_out, or the GLU's first half
constexpr int leading_inputs(OpKind k) {
  switch (k) {
    case OpKind::backward: case OpKind::param_grad: case OpKind::vjp: case OpKind::gated: return 1;
    case OpKind::gated_backward: return 2;
    default: return 0;
  }
}

template <class Op, class T>
double check(const Kernel<T>& simd, const std::vector<double>& xs, const std::vector<double>& params,
             std::mt19937& rng) {
  using K = KernelOf<Op, T>;
  using C = typename K::compute;
  constexpr int NI = Op::nin, NO = Op::nout, L = leading_inputs(Op::kind);
  const std::ptrdiff_t n = std::ptrdiff_t(xs.size());
  std::uniform_real_distribution<double> lead(-2.0, 2.0);
  std::vector<std::vector<T>> in(NI), out(NO, std::vector<T>(n));
  const T* pin[NI];
  T* pout[NO];
  std::ptrdiff_t step[NI];
  for (int k = 0; k < NI; ++k) {
    if (k < L) for (std::ptrdiff_t i = 0; i < n; ++i) in[k].push_back(T(lead(rng)));
    else if (k == L) for (double v : xs) in[k].push_back(T(v));
    else in[k].push_back(T(params[k - L - 1]));
    pin[k] = in[k].data();
    step[k] = k <= L ? 1 : 0;
  }
  for (int k = 0; k < NO; ++k) pout[k] = out[k].data();
  simd(n, pin, step, pout);
  double worst = 0;
  for (std::ptrdiff_t i = 0; i < n; ++i) {
    Vec<C> a[NI], r[NO];
    for (int k = 0; k < NI; ++k) a[k] = C(in[k][step[k] ? i : 0]);
    eval_element<typename K::op, C>(a, r);
    for (int k = 0; k < NO; ++k) {
      const double d = ulp_distance(T(r[k].v), out[k][i]);
      if (d > worst) worst = d;
      if (d > 2 && worst == d)
        std::printf("  x = %.9g: scalar %.17g, SIMD %.17g (output %d)\n", double(in[L][i]),
                    double(T(r[k].v)), double(out[k][i]), k);
    }
  }
  return worst;
}

}  // namespace

int main() {
  const auto xs = x_grid();
  const KernelPair* table = active_kernels();
  const auto& infos = op_infos();
  std::mt19937 rng(7);
  int index = 0, failures = 0;
  double worst_all = 0;
  for_each_op([&]<class Op>(const char*) {
    const OpInfo& info = infos[index];
    std::vector<std::vector<double>> sets(2);
    for (std::size_t k = 0; k < info.meta->nparams; ++k) {
      const double d = info.meta->params[k].default_value;
      sets[0].push_back(d);
      sets[1].push_back(d == 0 ? 0.3 : d * 1.25);
    }
    if constexpr (Op::kind == OpKind::gated || Op::kind == OpKind::gated_backward) sets.resize(1);
    for (const auto& p : sets) {
      const double e32 = check<Op, float>(table[index].f32, xs, p, rng);
      const double e64 = check<Op, double>(table[index].f64, xs, p, rng);
      worst_all = std::max({worst_all, e32, e64});
      if (e32 > 2 || e64 > 2) {
        std::printf("FAIL %s: scalar vs SIMD max %.3g ulp (float32), %.3g ulp (float64)\n",
                    info.name.c_str(), e32, e64);
        ++failures;
      }
    }
    ++index;
  });
  std::printf("%d ops, SIMD level %s: scalar path within %.3g ulp of the SIMD kernels; %d failures\n",
              index, simd_level_name(simd_level()), worst_all, failures);
  return failures ? 1 : 0;
}
