// Throughput of nonlin/simd/vmath.h: ns per element over a 1e6-element array, float and double,
// with the widest packet of the ISA (single thread). Build like test_vmath.cpp, then run.
#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstdio>
#include <random>
#include <vector>

#include "nonlin/simd/vmath.h"

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wignored-attributes"  // Eigen packet types as template args
#endif

#define NONLIN_STR2(x) #x
#define NONLIN_STR(x) NONLIN_STR2(x)

using namespace nonlin;
namespace vm = nonlin::vm;

#define FN(NAME, LO, HI)                                             \
  struct F_##NAME {                                                  \
    static constexpr const char* name = #NAME;                       \
    static constexpr double lo = LO, hi = HI;                        \
    template <class P>                                               \
    static Vec<P> eval(Vec<P> x) { return vm::NAME(x); }             \
  };
FN(exp, -80, 80) FN(expm1, -10, 10) FN(exp_mx2, -6, 6) FN(log, 1e-6, 1e6) FN(log1p, -0.9, 100)
FN(erf, -5, 5) FN(erfc, -5, 8) FN(tanh, -8, 8) FN(sigmoid, -20, 20) FN(softplus, -20, 20)
FN(log_sigmoid, -20, 20) FN(expm1_ref, -10, 10) FN(tanh_ref, -8, 8) FN(sigmoid_ref, -20, 20)
#undef FN

template <class S, class F>
static double bench(size_t n, int reps) {
  using PK = typename Eigen::internal::packet_traits<S>::type;
  constexpr int W = Vec<PK>::size;
  std::vector<S> x(n), y(n);
  std::mt19937 rng(1);
  std::uniform_real_distribution<double> d(F::lo, F::hi);
  for (auto& v : x) v = S(d(rng));
  double best = 1e30;
  for (int r = 0; r < reps; ++r) {
    auto t0 = std::chrono::steady_clock::now();
    for (size_t i = 0; i + W <= n; i += W)
      Eigen::internal::pstoreu(&y[i], F::template eval<PK>(Eigen::internal::ploadu<PK>(&x[i])).v);
    auto t1 = std::chrono::steady_clock::now();
    best = std::min(best, std::chrono::duration<double, std::nano>(t1 - t0).count() / double(n));
  }
  volatile S sink = y[n / 2];
  (void)sink;
  return best;
}

template <class... Fs>
static void all(size_t n, int reps) {
  ((std::printf("%-12s f32 %6.3f ns/elem   f64 %6.3f ns/elem\n", Fs::name, bench<float, Fs>(n, reps),
                bench<double, Fs>(n, reps))),
   ...);
}

// Usage: bench_vmath [n [reps]]  (default 1e6 elements, 30 repetitions; n = 65536 keeps the
// arrays in L2, which shows the arithmetic cost rather than the memory bandwidth).
int main(int argc, char** argv) {
  size_t n = argc > 1 ? size_t(std::atol(argv[1])) : 1000000;
  int reps = argc > 2 ? std::atoi(argv[2]) : 30;
  std::printf("ISA %s, n=%zu\n", NONLIN_STR(NONLIN_ISA), n);
  all<F_exp, F_expm1, F_exp_mx2, F_log, F_log1p, F_erf, F_erfc, F_tanh, F_sigmoid, F_softplus, F_log_sigmoid,
      F_expm1_ref, F_tanh_ref, F_sigmoid_ref>(n, reps);
}
