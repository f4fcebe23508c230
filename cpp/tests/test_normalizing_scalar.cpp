// The normalising activations' CUDA path, replayed on the CPU: the row formulas of row_math.h
// under a policy that does what src/cuda/normalizing.cu's DeviceRow does in a thread block,
// one element at a time on scalar Vec<double> (hardware FMA, as on the device), each virtual
// thread t taking the elements i = t (mod kRowThreads) in order, its compensated partial sums
// combined by the same fixed tree (row_sums.h). Checked against the SIMD row kernels (held to
// mpmath by tests/test_normalizing.py) for every op, float32 and float64, forward, backward and
// the parameter-gradient slots, rows short and long, with inf / NaN rows: within 4 ulp (slots:
// 1e-13 relative to the sum of their magnitudes' scale). Exit 1 on any failure.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <random>
#include <vector>

#include "nonlin/normalizing/kernels.h"
#include "nonlin/normalizing/row_math.h"
#include "nonlin/normalizing/row_sums.h"
#include "ulp_distance.h"

using namespace nonlin;
using namespace nonlin::norm_rows;
using normalizing::Op;

namespace {

int current_thread = 0;  // the virtual thread of the element being streamed

// DeviceRow's arithmetic, one virtual thread after another.
struct SerialRow {
  template <class T>
  struct Sum {
    double s[kRowThreads] = {}, c[kRowThreads] = {};
    void add(Vec<double> x) { compensated_add(s[current_thread], c[current_thread], x.v); }
    double value() const {
      double hi[kRowThreads], lo[kRowThreads];
      std::copy(s, s + kRowThreads, hi);
      std::copy(c, c + kRowThreads, lo);
      for (int w = kRowThreads / 2; w > 0; w /= 2)
        for (int t = 0; t < w; ++t) tree_step(hi, lo, t, w);
      return hi[0] + lo[0];
    }
  };
  template <int NI, class T, class F>
  static void stream(std::ptrdiff_t n, const T* const (&in)[NI], T* out, F&& f) {
    for (std::ptrdiff_t i = 0; i < n; ++i) {
      current_thread = int(i % kRowThreads);
      Vec<double> a[NI];
      for (int k = 0; k < NI; ++k) a[k] = Vec<double>(double(in[k][i]));
      const Vec<double> r = call(f, static_cast<const Vec<double>*>(a), i);
      if (out) out[i] = T(r.v);
    }
  }
  template <class V>
  static V load(const double* s, std::ptrdiff_t i) { return V(s[i]); }
  template <class V>
  static void store(double* s, std::ptrdiff_t i, V v) { s[i] = v.v; }
  template <class T>
  static double max_abs(std::ptrdiff_t n, const T* x) {
    double m = 0;
    for (std::ptrdiff_t i = 0; i < n; ++i) m = std::max(m, std::fabs(double(x[i])));  // NaN ignored
    return m;
  }
};

int failures = 0;

void report(const char* what, Op op, const char* type, std::ptrdiff_t n, std::ptrdiff_t i, double err) {
  if (++failures <= 20)
    std::printf("FAIL %s op %d %s n=%td element %td: %.3g\n", what, int(op), type, n, i, err);
}

template <class Row, class T>
void check_row(Op op, const std::vector<T>& x, const std::vector<T>& g, const std::vector<double>& params,
               const char* type) {
  const std::ptrdiff_t n = std::ptrdiff_t(x.size());
  const normalizing::Params p{params.data(), int(params.size())};
  const int k = Row::grads(p);
  std::vector<T> y(x.size()), y_ref(x.size()), gx(x.size()), gx_ref(x.size());
  std::vector<double> slots(static_cast<std::size_t>(k)), slots_ref(static_cast<std::size_t>(k)), scratch(x.size());
  Row::template forward<SerialRow>(n, x.data(), y.data(), p);
  Row::template backward<SerialRow>(n, g.data(), x.data(), gx.data(), slots.data(), p, scratch.data());
  normalizing::forward(op, 1, n, x.data(), y_ref.data(), p);
  normalizing::backward(op, 1, n, g.data(), x.data(), gx_ref.data(), slots_ref.data(), p);
  for (std::ptrdiff_t i = 0; i < n; ++i) {
    if (ulp_distance(y[i], y_ref[i]) > 4) report("forward", op, type, n, i, ulp_distance(y[i], y_ref[i]));
    if (ulp_distance(gx[i], gx_ref[i]) > 4) report("grad_x", op, type, n, i, ulp_distance(gx[i], gx_ref[i]));
  }
  for (int q = 0; q < k; ++q) {
    const double a = slots[q], b = slots_ref[q];
    const bool same = std::isnan(a) ? std::isnan(b) : a == b;
    if (!same && !(std::fabs(a - b) <= 1e-13 * std::max(1.0, std::fabs(b))))
      report("parameter slot", op, type, n, q, std::fabs(a - b));
  }
}

template <class T>
void check(Op op, const std::vector<double>& params, std::mt19937& rng) {
  const char* type = sizeof(T) == 4 ? "float32" : "float64";
  std::normal_distribution<double> d(0, 1.5);
  for (std::ptrdiff_t n : {1, 7, 256, 1000, 4099}) {
    for (int special = 0; special < 3; ++special) {
      std::vector<T> x(static_cast<std::size_t>(n)), g(static_cast<std::size_t>(n));
      for (auto& v : x) v = T(d(rng));
      for (auto& v : g) v = T(d(rng));
      if (special == 1) x[std::size_t(n / 2)] = T(INFINITY);
      if (special == 2) x[std::size_t(n / 3)] = T(NAN);
      switch (op) {
        case Op::polynorm: check_row<PolyNorm>(op, x, g, params, type); break;
        case Op::ash: check_row<Ash>(op, x, g, params, type); break;
        case Op::hard_ash: check_row<HardAsh>(op, x, g, params, type); break;
        case Op::velu: check_row<Velu>(op, x, g, params, type); break;
        default: break;
      }
    }
  }
}

}  // namespace

int main() {
  std::mt19937 rng(7);
  const std::vector<std::pair<Op, std::vector<double>>> cases = {
      {Op::polynorm, {0.5, -0.3, 0.8, 0.1, 1e-6}},            // weight (order 3), bias, eps
      {Op::polynorm, {0.2, 0.1, -0.1, 0.3, 0.2, 0.4, 0.6, 0.9, 0.05, 1e-6}},  // order 8
      {Op::ash, {1.0, 2.0, 1e-5}},                            // z, alpha, eps
      {Op::hard_ash, {-0.5, 1e-5}},                           // z, eps
      {Op::velu, {1.0, 1.2, 0.7, 0.3, 0.5, 0.8, 1e-5}},       // scale, alpha, b1, b2, gamma, mu, eps
  };
  for (const auto& [op, params] : cases) {
    check<float>(op, params, rng);
    check<double>(op, params, rng);
  }
  std::printf("%zu op cases x 2 dtypes x 15 rows: %d failures\n", cases.size(), failures);
  return failures ? 1 : 0;
}
