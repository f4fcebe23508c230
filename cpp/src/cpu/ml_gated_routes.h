// How the fused Mittag-Leffler gated activations (gated.h) evaluate each factor part over an
// array: a closed form, a cached plan fitted to the factor's argument range, or the accurate
// evaluator element by element. Chosen on the host, for the CPU driver (ml_gated.cpp) and the
// CUDA one (cpp/src/cuda/ml_gated.cu) alike.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <utility>

#include "nonlin/mittag_leffler/gated.h"
#include "nonlin/mittag_leffler/part.h"
#include "nonlin/mittag_leffler/plan_kernel.h"

namespace nonlin::ml {

class Plan;

struct Route {
  double a = 0, b = 0;
  Part part = Part::value;
  bool is_closed = false;
  GatedClosed kind = GatedClosed::constant;
  double c0 = 0;
  std::shared_ptr<const Plan> plan;  // neither closed nor planned: element by element
  PlanView view;
};

// The parts a mode needs (the others stay default: closed constants 0): E_A, E_B always;
// dE/dz of both for derivative and backward; the parameter derivatives whose bit is set in
// `need` for params and param_parts.
struct Routes {
  Route ea, eb, da, db, pa1, pb1, pa2, pb2;
};

// x_range() gives the smallest and largest number in x (lo > hi if there are none); it is
// called at most once, and only when a part needs a plan. float32: the plans' float32 settings.
Routes gated_routes(const GatedForm& form, const GatedParams& p, GatedMode mode, unsigned need,
                    std::ptrdiff_t n, bool float32, const std::function<std::pair<double, double>()>& x_range);

}  // namespace nonlin::ml
