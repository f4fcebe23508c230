// One element of the fused Mittag-Leffler gated activations (gated.h) as the CUDA kernel
// computes it (cpp/src/cuda/ml_gated.cu), on scalar Vec<double>: the maps and the shift, each
// factor part by its closed form or its plan's pieces, the combination. Plain data in, so
// cpp/tests/test_ml_gated_scalar.cpp runs the same code on the CPU against the SIMD driver.
#pragma once

#include "nonlin/mittag_leffler/gated_element.h"
#include "nonlin/mittag_leffler/plan_eval.h"

namespace nonlin {
inline namespace NONLIN_ISA {
namespace ml_device {

using ml::GatedClosed;
using ml::GatedForm;
using ml::GatedMode;
using ml::PlanView;

// One factor part: a closed form, a plan (its arrays where the kernel can read them), or no
// route here (every element goes to the host's evaluator).
struct DevicePart {
  enum How : int { closed = 0, plan = 1, host = 2 } how = closed;
  GatedClosed kind = GatedClosed::constant;
  double c0 = 0;
  PlanView view;
};

// A launch: E_A, E_B, then the mode's other parts (dE/dz of A and B, or dE/da1, db1, da2, db2).
struct Launch {
  GatedForm form;
  GatedMode mode;
  double a1 = 1, a2 = 1;
  DevicePart ea, eb, more[4];
};

// The part of a plan's view a device evaluates: the pieces (at float32's degree for float32
// results: plan_kernel.h), neither the float32 grid nor the host's evaluator.
inline PlanView device_view(PlanView v, bool float32) {
  if (float32) v.degree = v.degree_f32;
  v.use_grid = false;
  v.grid = nullptr;
  v.plan = nullptr;
  v.fallback = nullptr;
  return v;
}

using V = Vec<double>;

NONLIN_HD inline V part_at(const DevicePart& r, V z, V shift, bool& covered) {
  if (r.how == DevicePart::closed) return ml_element::closed(r.kind, r.c0, z, shift);
  V v(0.0);
  if (r.how == DevicePart::host) {
    covered = false;
    return v;
  }
  Mask<double> fast;
  ml_plan::block<1>(r.view, &z, &shift, true, &v, &fast);
  covered = covered && fast.m;
  return v;
}

// The element at x (grad_out g): out[0] = the value, derivative or g times it; param modes:
// out[0..3] = d act / d (a1, b1, a2, b2). False where a part is not covered here (out unset).
NONLIN_HD inline bool element(const Launch& L, double x, double g, double* out) {
  const V xv(x);
  const ml_element::Point<V> p = ml_element::point(L.form, L.a1, L.a2, xv);
  bool covered = true;
  ml_element::Factors<V> e;
  e.ea = part_at(L.ea, p.fz, p.shift, covered);
  e.eb = part_at(L.eb, p.gz, p.shift, covered);
  const bool slopes = L.mode == GatedMode::derivative || L.mode == GatedMode::backward;
  if (slopes) {
    e.da = part_at(L.more[0], p.fz, p.shift, covered);
    e.db = part_at(L.more[1], p.gz, p.shift, covered);
  } else if (L.mode != GatedMode::value) {
    e.pa1 = part_at(L.more[0], p.fz, p.shift, covered);
    e.pb1 = part_at(L.more[1], p.fz, p.shift, covered);
    e.pa2 = part_at(L.more[2], p.gz, p.shift, covered);
    e.pb2 = part_at(L.more[3], p.gz, p.shift, covered);
  }
  if (!covered) return false;
  if (L.mode == GatedMode::value) {
    out[0] = ml_element::value(L.form, xv, p, e).v;
  } else if (slopes) {
    const V d = ml_element::derivative(L.form, xv, p, e);
    out[0] = L.mode == GatedMode::backward ? (V(g) * d).v : d.v;
  } else {
    V part[4];
    ml_element::param_parts(L.form, xv, p, e, part);
    for (int k = 0; k < 4; ++k) out[k] = part[k].v;
  }
  return true;
}

}  // namespace ml_device
}  // namespace NONLIN_ISA
}  // namespace nonlin
