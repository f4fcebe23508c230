// The float32 grid of a Mittag-Leffler plan (plan_kernel.h) on every SIMD level this CPU runs:
// for activation-like ranges the grid must be built, fitted in every cell, and the
// kernel's float32-mode results must agree with the plan's own float64 evaluation (pieces of
// degree 20, checked against mpmath in test_mittag_leffler.cpp and tests/) to 2^-27 of the
// error scale, on shuffled inputs, with and without a shift. (The float32 results against
// mpmath: tests/test_mittag_leffler.py::test_plan_float32_grid.) Exit 1 on a mismatch.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <random>
#include <vector>

#include "../src/cpu/dispatch.h"
#include "nonlin/mittag_leffler/plan.h"

using namespace nonlin;
using namespace nonlin::ml;

int main() {
  int failures = 0;
  struct Case { double a, b; Part part; double zlo, zhi; };
  const Case cases[] = {
      {0.5, 1, Part::value, -30, 8},    {0.8, 1.2, Part::value, -10, 30}, {1.5, 1, Part::value, -40, 20},
      {1.9, 0.7, Part::value, -25, 5},  {0.3, 1.7, Part::value, -20, 3},  {2.5, 1, Part::value, -60, 12},
      {0.8, 1.2, Part::d_z, -10, 10},   {0.6, 1.1, Part::d_alpha, -15, 6}, {1.3, 0.9, Part::d_beta, -20, 10},
  };
  std::mt19937 rng(7);
  for (const Case& c : cases) {
    const Plan plan(c.a, c.b, c.part, c.zlo, c.zhi);
    PlanView view = plan.view();
    view.float32_results();
    int unfitted = 0;
    for (int k = 0; k < view.grid_cells; ++k) unfitted += std::isnan(view.grid[k * view.grid_stride]);
    if (!view.use_grid || unfitted > 0) {
      std::printf("FAIL a=%g b=%g part %d: grid of %d cells, %d unfitted\n", c.a, c.b, int(c.part),
                  view.grid_cells, unfitted);
      ++failures;
      continue;
    }
    const int n = 4096;
    std::vector<double> z(n), shift(n), out(n);
    std::uniform_real_distribution<double> uz(c.zlo, c.zhi), us(0, 30);
    for (int i = 0; i < n; ++i) {
      z[i] = uz(rng);
      shift[i] = us(rng);
    }
    z[0] = 0;
    z[1] = c.zlo;
    z[2] = c.zhi;
    const double floor = c.a > 1 ? 1.0 : 0.01;  // errors near zeros: against the range's size
    double largest = 0;
    for (int i = 0; i < n; ++i) largest = std::max(largest, std::fabs(plan(z[i])));
    for (int level = 0; level < simd_count; ++level) {
      if (!set_simd_level(level)) continue;
      for (bool shifted : {false, true}) {
        active_ml_plan_kernel()(view, z.data(), shifted ? shift.data() : nullptr, out.data(), n);
        double worst = 0;
        int at = 0;
        for (int i = 0; i < n; ++i) {
          const double s = shifted ? shift[i] : 0.0, want = plan(z[i], s);
          const double scale = std::max(std::fabs(want), floor * largest * (shifted ? std::exp(-s) : 1.0));
          const double err = std::fabs(out[i] - want) / scale;
          if (!(err <= worst)) worst = err, at = i;
        }
        if (!(worst <= 0x1p-27)) {
          std::printf("FAIL a=%g b=%g part %d level %s%s: %.3g of the scale at z=%.17g\n", c.a, c.b,
                      int(c.part), simd_level_name(level), shifted ? " shifted" : "", worst, z[at]);
          ++failures;
        }
      }
    }
  }
  std::printf("%s\n", failures ? "FAILED" : "ok");
  return failures ? 1 : 0;
}
