// The launch of the Mittag-Leffler gated CUDA kernel (nonlin/mittag_leffler/gated_device.h)
// for the routes the host chose (cpu/ml_gated_routes.h): plain C++, shared by the CUDA driver
// (ml_gated.cu) and its CPU check (cpp/tests/test_ml_gated_scalar.cpp).
#pragma once

#include "../cpu/ml_gated_routes.h"
#include "nonlin/mittag_leffler/gated_device.h"

namespace nonlin::ml {

// Fills L in place for routes r; place(view) is called on each plan view where it sits in L,
// to point its arrays where the kernel reads them (the driver's device copy).
template <class Place>
void device_launch(const GatedForm& form, const GatedParams& p, GatedMode mode, const Routes& r, bool float32,
                   ml_device::Launch& L, Place&& place) {
  using ml_device::DevicePart;
  auto part = [&](const Route& route, DevicePart& d) {
    d = DevicePart{};
    d.kind = route.kind;
    d.c0 = route.c0;
    if (route.is_closed) return;
    if (!route.plan) {
      d.how = DevicePart::host;
      return;
    }
    d.how = DevicePart::plan;
    d.view = ml_device::device_view(route.view, float32);
    place(d.view);
  };
  L.form = form;
  L.mode = mode;
  L.a1 = p.alpha1;
  L.a2 = p.alpha2;
  part(r.ea, L.ea);
  part(r.eb, L.eb);
  const bool slopes = mode == GatedMode::derivative || mode == GatedMode::backward;
  const Route* more[4] = {&r.da, &r.db, &r.pa1, &r.pb1};  // slopes: da, db; params: pa1 .. pb2
  if (!slopes) more[0] = &r.pa1, more[1] = &r.pb1, more[2] = &r.pa2, more[3] = &r.pb2;
  const int count = slopes ? 2 : mode == GatedMode::value ? 0 : 4;
  for (int k = 0; k < 4; ++k) {
    if (k < count) part(*more[k], L.more[k]);
    else L.more[k] = DevicePart{};
  }
}

}  // namespace nonlin::ml
