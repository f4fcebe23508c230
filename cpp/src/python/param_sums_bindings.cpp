// nonlin._core._param_sums: the fused backward with scalar-parameter gradients (param_sums.h)
// for Activation.vjp / param_backward; python/nonlin/activation.py picks the cases it serves.
#include <nanobind/nanobind.h>
#include <nanobind/ndarray.h>

#include <nanobind/stl/optional.h>
#include <nanobind/stl/vector.h>

#include <cfenv>
#include <optional>

#include "contiguous_arrays.h"
#include "../cpu/param_sums.h"

namespace nb = nanobind;
using namespace nonlin;

namespace {

using nonlin::bindings::In;
using nonlin::bindings::Out;

template <class T>
std::vector<double> run(int op_index, In<T> grad_out, In<T> x, In<T> params,
                        std::optional<Out<T>> grad_x) {
  const auto& ops = op_infos();
  if (op_index < 0 || op_index >= int(ops.size())) throw nb::value_error("op_index: out of range");
  const OpInfo& op = ops[std::size_t(op_index)];
  if (op.kind != OpKind::vjp && op.kind != OpKind::param_grad)
    throw nb::value_error("op_index: not a _vjp or _param_grad op");
  if ((op.kind == OpKind::vjp) != bool(grad_x))
    throw nb::value_error("grad_x: required by a _vjp op, not accepted by a _param_grad op");
  if (grad_out.size() != x.size()) throw nb::value_error("grad_out: size differs from x");
  if (std::ptrdiff_t(params.size()) != op.nin - 2) throw nb::value_error("params: wrong count");
  if (grad_x && grad_x->size() != x.size()) throw nb::value_error("grad_x: size differs from x");
  T* gx = grad_x ? grad_x->data() : nullptr;
  nb::gil_scoped_release unlocked;
  auto sums = param_sums<T>(op, std::ptrdiff_t(x.size()), grad_out.data(), x.data(),
                            params.data(), gx);
  std::feclearexcept(FE_ALL_EXCEPT);
  return sums;
}

}  // namespace

void bind_param_sums(nb::module_& m) {
  const char* doc = "Fused backward for scalar parameters: fills grad_x (if given) and returns "
                    "the sum over x of grad_out * df/dp for each learnable parameter p.";
  m.def("_param_sums", &run<float>, nb::arg("op_index"), nb::arg("grad_out").noconvert(),
        nb::arg("x").noconvert(), nb::arg("params").noconvert(),
        nb::arg("grad_x").noconvert().none(), doc);
  m.def("_param_sums", &run<double>, nb::arg("op_index"), nb::arg("grad_out").noconvert(),
        nb::arg("x").noconvert(), nb::arg("params").noconvert(),
        nb::arg("grad_x").noconvert().none(), doc);
}
