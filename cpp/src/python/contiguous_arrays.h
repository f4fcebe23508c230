// The array types of the _core bindings that take whole contiguous CPU arrays (the Python
// layer lays them out): read-only inputs and writable outputs of one element type.
#pragma once

#include <nanobind/ndarray.h>

namespace nonlin::bindings {

template <class T>
using In = nanobind::ndarray<const T, nanobind::c_contig, nanobind::device::cpu>;
template <class T>
using Out = nanobind::ndarray<T, nanobind::c_contig, nanobind::device::cpu>;

}  // namespace nonlin::bindings
