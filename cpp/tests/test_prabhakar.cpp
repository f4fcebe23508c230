// The Prabhakar function without Python, real and complex z: closed forms (Kummer's
// E^g_{1,g}(z) = e^z / Gamma(g), E^2_{1,1}(z) = e^z (1 + z), E^g_{0,b}(z) = (1 - z)^-g / Gamma(b))
// and the contiguous relation E^g_{a,b} = b E^g_{a,b+1} + a g z E^{g+1}_{a,a+b+1} between
// parameter sets on different paths (series, large-argument expansion, contour integrals).
#include <cmath>
#include <complex>
#include <cstdio>
#include <numbers>

#include "nonlin/mittag_leffler/prabhakar_complex.h"

using namespace nonlin::ml;
using cplx = std::complex<double>;

static int failures = 0;

static void check(const char* what, cplx z, cplx got, cplx want, double tol) {
  if (!(std::abs(got - want) <= tol)) {
    std::printf("FAIL %s at z = (%.17g, %.17g): got (%.17g, %.17g) want (%.17g, %.17g), error %.3g, tol %.3g\n",
                what, z.real(), z.imag(), got.real(), got.imag(), want.real(), want.imag(), std::abs(got - want), tol);
    ++failures;
  }
}

static cplx E(cplx z, double a, double b, double g) { return prabhakar_part(z, a, b, g, PPart::value); }

int main() {
  using std::numbers::pi;
  for (double r : {0.5, 5.0, 30.0, 80.0}) {
    for (int k = 0; k < 12; ++k) {
      const double phase = -pi + (k + 0.5) * pi / 6;
      for (cplx z : {std::polar(r, phase), cplx(-r, 0.0), cplx(r, 0.0)}) {
        const double tol = 2e-14 * (10 + r);
        for (double g : {0.3, 1.7, 2.5}) {
          const cplx want = std::exp(z) / std::tgamma(g);
          check("E^g_{1,g} = e^z / Gamma(g)", z, E(z, 1.0, g, g), want, tol * std::abs(want));
        }
        const cplx want = std::exp(z) * (1.0 + z);
        check("E^2_{1,1} = e^z (1 + z)", z, E(z, 1.0, 1.0, 2.0), want, tol * std::abs(want) + 1e-300);
        if (r < 1) {
          const cplx w = std::pow(1.0 - z, -1.5) / std::tgamma(0.7);
          check("E^1.5_{0,0.7} = (1 - z)^-1.5 / Gamma(0.7)", z, E(z, 0.0, 0.7, 1.5), w, 1e-15 * std::abs(w));
        }
      }
    }
  }
  // the contiguous relation, z = x^a e^{i phase}: every region of a, |z|^{1/a} from 2 to 150
  for (double a : {0.4, 0.9, 1.5, 2.2, 2.5, 3.0}) {
    for (double x : {2.0, 15.0, 40.0, 150.0}) {
      for (double phase : {pi, 2.6, 1.3, 0.4}) {
        if (phase < 1 && x > 100) continue;  // beyond double: ~e^x
        const cplx z = phase == pi ? cplx(-std::pow(x, a), 0.0) : std::pow(x, a) * std::polar(1.0, phase);
        for (double b : {-0.7, 1.2}) {
          for (double g : {0.6, 2.3}) {
            const cplx lhs = E(z, a, b, g), t1 = b * E(z, a, b + 1, g), t2 = a * g * z * E(z, a, a + b + 1, g + 1);
            // relative to the terms' size; near E's zeros (1 < a < 2, z < 0: E oscillates
            // about 0) within the documented 1e-14 absolute
            const bool oscillating = a > 1 && a < 2 && phase == pi;
            const double tol = 4e-14 * (10 + x) * (std::abs(t1) + std::abs(t2)) + (oscillating ? 3e-14 : 0.0);
            check("E^g_{a,b} = b E^g_{a,b+1} + a g z E^{g+1}_{a,a+b+1}", z, lhs, t1 + t2, tol);
          }
        }
      }
    }
  }
  // bad parameters: NaN, promptly
  for (cplx z : {cplx(-3.0, 0.0), cplx(2.0, 1.0)}) {
    if (!std::isnan(E(z, 0.5, 1.0, -1.0).real()) || !std::isnan(E(z, NAN, 1.0, 2.0).real()) ||
        !std::isnan(E(z, 0.5, INFINITY, 2.0).real()) || !std::isnan(E(cplx(NAN, 1.0), 0.5, 1.0, 2.0).real())) {
      std::printf("FAIL bad parameters must give NaN\n");
      ++failures;
    }
  }
  std::printf("%s (%d failures)\n", failures ? "FAILED" : "ok", failures);
  return failures ? 1 : 0;
}
