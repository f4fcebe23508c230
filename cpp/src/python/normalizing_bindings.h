// nonlin._core bindings of the normalising activations (row kernels over contiguous rows).
#pragma once

#include <nanobind/nanobind.h>

#include "nonlin/activations/meta.h"

namespace nonlin {
void register_normalizing(nanobind::module_& m, nanobind::dict (*meta_dict)(const Meta&));
}
