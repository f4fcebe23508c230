// The driver of the fused Mittag-Leffler gated activations (gated.h): per chunk, the per-ISA
// maps, then each factor part by the cheapest exact route, then the per-ISA combination; large
// arrays over the thread pool, parameter gradients through chunked_sum (deterministic).
#include "nonlin/mittag_leffler/gated.h"

#include <algorithm>
#include <cmath>
#include <memory>
#include <optional>
#include <vector>

#include "array_range.h"
#include "chunked_sum.h"
#include "dispatch.h"
#include "ml_gated_routes.h"
#include "nonlin/mittag_leffler/evaluate.h"
#include "nonlin/mittag_leffler/plan_cache.h"
#include "thread_pool.h"

namespace nonlin::ml {
namespace {

const GatedKernels* active() { return NONLIN_ACTIVE_TABLE(gated_kernels); }

// The range of the two factors' arguments over the array: the maps at the ends of x's range
// (and at 0 inside it; every map is monotone on either side of 0), NaNs ignored.
struct ArgRange {
  double flo = 0, fhi = 0, glo = 0, ghi = 0;
};

ArgRange arg_range(const GatedKernels& k, const GatedForm& form, double lo, double hi) {
  ArgRange r;
  if (!(lo <= hi)) return r;  // no numbers
  GatedChunk c;
  c.n = 8;
  std::fill_n(c.x, 8, lo);
  c.x[1] = hi;
  c.x[2] = lo < 0 && hi > 0 ? 0.0 : lo;
  k.prepare(form, 1.0, 1.0, c);
  r = {INFINITY, -INFINITY, INFINITY, -INFINITY};
  for (int j = 0; j < 3; ++j) {
    r.flo = std::fmin(r.flo, c.fz[j]);
    r.fhi = std::fmax(r.fhi, c.fz[j]);
    r.glo = std::fmin(r.glo, c.gz[j]);
    r.ghi = std::fmax(r.ghi, c.gz[j]);
  }
  return r;
}

// A closed form where one exists (is_closed), else a route still without its plan.
Route closed_route(GateMap map, double a, double b, Part part) {
  Route r;
  r.a = a;
  r.b = b;
  r.part = part;
  r.is_closed = true;
  const bool dz = part == Part::d_z;
  if (map == GateMap::zero) {  // z = 0 everywhere
    r.c0 = mittag_leffler_part(0.0, a, b, part);
  } else if (a == 0 && std::isfinite(b)) {  // E_{0,b}(z) = 1 / (Gamma(b) (1 - z))
    const bool db = part == Part::d_beta || part == Part::d_alpha;
    r.c0 = db ? rgamma_deriv(b) : rgamma(b);
    r.kind = part == Part::d_alpha ? GatedClosed::alpha_zero_da
           : dz                    ? GatedClosed::alpha_zero_dz
                                   : GatedClosed::alpha_zero;
  } else if (a == 1 && b == 1 && (part == Part::value || dz)) {
    r.kind = GatedClosed::exp;
  } else if (a == 1 && b == 2 && part == Part::value) {
    r.kind = GatedClosed::expm1_over_z;
  } else if (a == 2 && b == 1 && part == Part::value) {
    r.kind = GatedClosed::cosh_sqrt;
  } else if (a == 2 && ((b == 2 && part == Part::value) || (b == 1 && dz))) {  // E_{2,1}' = E_{2,2} / 2
    r.kind = GatedClosed::sinhc_sqrt;
    r.c0 = b == 2 ? 1.0 : 0.5;
  } else {
    r.is_closed = false;
  }
  return r;
}

// The cached plan for a route without a closed form, fitted over z in [zlo, zhi].
void attach_plan(Route& r, std::ptrdiff_t n, bool float32, double zlo, double zhi) {
  r.plan = PlanCache::instance().get(r.a, r.b, r.part, n, std::isnan(zlo) ? -INFINITY : zlo,
                                     std::isnan(zhi) ? INFINITY : zhi);
  if (r.plan) {
    r.view = r.plan->view();
    if (float32) r.view.float32_results();
  }
}

void evaluate(const GatedKernels& k, const Route& r, const double* z, const double* shift,
              double* out, int n) {
  if (r.is_closed) return k.closed(r.kind, r.c0, z, shift, out, n);
  if (r.plan) return active_ml_plan_kernel()(r.view, z, shift, out, n);
  for (int i = 0; i < n; ++i) out[i] = mittag_leffler_part(z[i], r.a, r.b, r.part, shift[i]);
}

template <class T>
void run_chunk(const GatedKernels& k, const GatedForm& form, const GatedParams& p, const Routes& r,
               GatedMode mode, std::ptrdiff_t total, std::ptrdiff_t begin, std::ptrdiff_t end,
               const T* x, const T* g, T* out, double* sums) {
  GatedChunk c;
  alignas(64) double gd[kGatedChunk], od[4 * kGatedChunk];
  const bool params = mode == GatedMode::params || mode == GatedMode::param_parts;
  for (std::ptrdiff_t i0 = begin; i0 < end; i0 += kGatedChunk) {
    c.n = int(std::min<std::ptrdiff_t>(kGatedChunk, end - i0));
    const int m = (c.n + 7) / 8 * 8;  // whole packets of every ISA; the padding is x = g = 0
    std::fill(c.x + c.n, c.x + m, 0.0);
    std::fill(gd + (g ? c.n : 0), gd + m, 0.0);
    for (int j = 0; j < c.n; ++j) c.x[j] = double(x[i0 + j]);
    if (g)
      for (int j = 0; j < c.n; ++j) gd[j] = double(g[i0 + j]);
    k.prepare(form, p.alpha1, p.alpha2, c);
    evaluate(k, r.ea, c.fz, c.shift, c.ea, m);
    evaluate(k, r.eb, c.gz, c.shift, c.eb, m);
    if (mode == GatedMode::derivative || mode == GatedMode::backward) {
      evaluate(k, r.da, c.fz, c.shift, c.da, m);
      evaluate(k, r.db, c.gz, c.shift, c.db, m);
    } else if (params) {
      evaluate(k, r.pa1, c.fz, c.shift, c.pa1, m);
      evaluate(k, r.pb1, c.fz, c.shift, c.pb1, m);
      evaluate(k, r.pa2, c.gz, c.shift, c.pa2, m);
      evaluate(k, r.pb2, c.gz, c.shift, c.pb2, m);
    }
    k.combine(form, mode, c, gd, od, sums);
    if (mode == GatedMode::param_parts) {
      for (int q = 0; q < 4; ++q)
        for (int j = 0; j < c.n; ++j) out[q * total + i0 + j] = T(od[q * kGatedChunk + j]);
    } else if (mode != GatedMode::params) {
      for (int j = 0; j < c.n; ++j) out[i0 + j] = T(od[j]);
    }
  }
}

}  // namespace

const char* gated_check(const GatedForm& form, const GatedParams& p) {
  if (form.gamma < 0 || form.gamma > 2) return "gamma: the fused kernel takes gamma = 0, 1 or 2";
  if (int(form.inner) < 0 || int(form.inner) > 1) return "inner: unknown inner map";
  for (GateMap m : {form.f, form.g})
    if (int(m) < 0 || int(m) > int(GateMap::min0)) return "f, g: unknown argument map";
  if (p.alpha1 < 0) return "alpha1: must be >= 0";
  if (p.alpha2 < 0) return "alpha2: must be >= 0";
  return nullptr;
}

Routes gated_routes(const GatedForm& form, const GatedParams& p, GatedMode mode, unsigned need,
                    std::ptrdiff_t n, bool float32, const std::function<std::pair<double, double>()>& x_range) {
  std::optional<ArgRange> z;  // the range of the factors' arguments, only when a part needs a plan
  auto route = [&](GateMap map, double a, double b, Part part, bool first_factor) {
    Route r = closed_route(map, a, b, part);
    if (!r.is_closed) {
      if (!z) {
        const auto [lo, hi] = x_range();
        z = arg_range(*active(), form, lo, hi);
      }
      attach_plan(r, n, float32, first_factor ? z->flo : z->glo, first_factor ? z->fhi : z->ghi);
    }
    return r;
  };
  auto first = [&](Part part) { return route(form.f, p.alpha1, p.beta1, part, true); };
  auto second = [&](Part part) { return route(form.g, p.alpha2, p.beta2, part, false); };
  Routes r;
  r.ea = first(Part::value);
  r.eb = second(Part::value);
  if (mode == GatedMode::derivative || mode == GatedMode::backward) {
    r.da = first(Part::d_z);
    r.db = second(Part::d_z);
  } else if (mode == GatedMode::params || mode == GatedMode::param_parts) {
    Route zero;  // a parameter nobody asked for: its part is the constant 0
    zero.is_closed = true;
    r.pa1 = need & 1 ? first(Part::d_alpha) : zero;
    r.pb1 = need & 2 ? first(Part::d_beta) : zero;
    r.pa2 = need & 4 ? second(Part::d_alpha) : zero;
    r.pb2 = need & 8 ? second(Part::d_beta) : zero;
  }
  return r;
}

template <class T>
void gated_run(const GatedForm& form, const GatedParams& p, GatedMode mode, std::ptrdiff_t n,
               const T* x, const T* g, T* out, double* sums, unsigned need) {
  const GatedKernels& k = *active();
  const Routes r = gated_routes(form, p, mode, need, n, sizeof(T) == 4, [&] {
    const char* base = reinterpret_cast<const char*>(x);
    return std::pair(range_end<T, true>(base, sizeof(T), n), range_end<T, false>(base, sizeof(T), n));
  });
  if (mode == GatedMode::params) {
    const std::vector<double> s = chunked_sum(n, 4, true, [&](std::ptrdiff_t b, std::ptrdiff_t e, double* row) {
      run_chunk(k, form, p, r, mode, n, b, e, x, g, out, row);
    });
    std::copy(s.begin(), s.end(), sums);
    return;
  }
  auto body = [&](std::ptrdiff_t b, std::ptrdiff_t e) { run_chunk(k, form, p, r, mode, n, b, e, x, g, out, nullptr); };
  if (n >= 2 * kGatedChunk) parallel_for(n, kGatedChunk, body);
  else body(0, n);
}

template void gated_run<float>(const GatedForm&, const GatedParams&, GatedMode, std::ptrdiff_t,
                               const float*, const float*, float*, double*, unsigned);
template void gated_run<double>(const GatedForm&, const GatedParams&, GatedMode, std::ptrdiff_t,
                                const double*, const double*, double*, double*, unsigned);

}  // namespace nonlin::ml
