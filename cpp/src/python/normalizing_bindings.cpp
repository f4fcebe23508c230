// _core._normalizing (registry rows) and _norm_forward / _norm_backward: the Python layer
// (python/nonlin/normalizing.py) validates, moves the axis last and passes C-contiguous
// (rows, n) arrays and preallocated outputs; the kernels run without the GIL.
#include "normalizing_bindings.h"

#include <nanobind/ndarray.h>
#include <nanobind/stl/vector.h>

#include <cstdint>
#include <string>
#include <vector>

#include "nonlin/normalizing/registry.h"
#include "cuda_errors.h"
#if defined(NONLIN_WITH_CUDA)
#include "../cuda/device.h"
#endif

namespace nb = nanobind;

namespace nonlin {
namespace {

using normalizing::Op;
using normalizing::Params;

template <class T>
using In = nb::ndarray<const T, nb::ndim<2>, nb::c_contig, nb::device::cpu>;
template <class T>
using Out = nb::ndarray<T, nb::ndim<2>, nb::c_contig, nb::device::cpu>;
using Grads = nb::ndarray<double, nb::ndim<2>, nb::c_contig, nb::device::cpu>;

Op checked_op(int op, const std::vector<double>& p) {
  if (op < 0 || op >= normalizing::kOps) throw nb::value_error("op: unknown normalising op");
  const std::size_t need = normalizing::kEntries[op].meta.nparams;
  const bool ok = op == int(Op::polynorm) ? p.size() >= 3 && p.size() <= 10 : p.size() == need;
  if (!ok) throw nb::value_error("params: wrong number of parameters");
  return Op(op);
}

void check_shape(const char* name, std::size_t r, std::size_t n, std::size_t rows, std::size_t cols) {
  if (r != rows || n != cols) throw nb::value_error((std::string(name) + ": shape mismatch").c_str());
}

template <class T>
void bind(nb::module_& m) {
  m.def("_norm_forward", [](int op, In<T> x, Out<T> y, const std::vector<double>& p) {
    const Op o = checked_op(op, p);
    check_shape("y", y.shape(0), y.shape(1), x.shape(0), x.shape(1));
    nb::gil_scoped_release release;
    normalizing::forward<T>(o, x.shape(0), x.shape(1), x.data(), y.data(),
                            Params{p.data(), int(p.size())});
  });
  m.def("_norm_backward", [](int op, In<T> g, In<T> x, Out<T> gx, Grads pg,
                             const std::vector<double>& p) {
    const Op o = checked_op(op, p);
    const Params pr{p.data(), int(p.size())};
    check_shape("grad_out", g.shape(0), g.shape(1), x.shape(0), x.shape(1));
    check_shape("grad_x", gx.shape(0), gx.shape(1), x.shape(0), x.shape(1));
    check_shape("param_grads", pg.shape(0), pg.shape(1), x.shape(0),
                std::size_t(normalizing::param_grad_count(o, pr)));
    nb::gil_scoped_release release;
    normalizing::backward<T>(o, x.shape(0), x.shape(1), g.data(), x.data(), gx.data(), pg.data(), pr);
  });
}

// CUDA tensors (nonlin.torch): x, g, out are device addresses of rows x n contiguous elements
// of dtype 2 (float32) or 3 (float64); the parameters and the gradient slots live on the host.
void run_cuda(int op, int dtype, bool backward, std::int64_t rows, std::int64_t n, std::uintptr_t x,
              std::uintptr_t g, std::uintptr_t out, const std::vector<double>& p,
              nb::ndarray<double, nb::ndim<1>, nb::c_contig, nb::device::cpu> grad_params, std::uintptr_t stream) {
  const Op o = checked_op(op, p);
  if (dtype != 2 && dtype != 3) throw nb::value_error("dtype: 2 (float32) or 3 (float64)");
  if (rows < 0 || n < 0) throw nb::value_error("rows, n: must be >= 0");
  if (backward && grad_params.shape(0) != std::size_t(normalizing::param_grad_count(o, {p.data(), int(p.size())})))
    throw nb::value_error("grad_params: wrong number of gradient slots");
#if defined(NONLIN_WITH_CUDA)
  const char* err;
  {
    nb::gil_scoped_release unlocked;  // backward waits for the stream
    err = cuda::run_normalizing(o, cuda::DType(dtype), backward, rows, n, reinterpret_cast<const void*>(x),
                                reinterpret_cast<const void*>(g), reinterpret_cast<void*>(out), p.data(),
                                int(p.size()), grad_params.data(), reinterpret_cast<void*>(stream));
  }
  nonlin::bindings::check_cuda(err, normalizing::kEntries[op].meta.name);
#else
  (void)x, (void)g, (void)out, (void)stream;
  nonlin::bindings::no_cuda_kernels();
#endif
}

}  // namespace

void register_normalizing(nb::module_& m, nb::dict (*meta_dict)(const Meta&)) {
  nb::list rows;
  for (const auto& e : normalizing::kEntries) {
    nb::dict d = meta_dict(e.meta);
    d["op"] = int(e.op);
    rows.append(d);
  }
  m.attr("_normalizing") = rows;
  bind<float>(m);
  bind<double>(m);
  m.def("_cuda_normalizing", &run_cuda, nb::arg("op"), nb::arg("dtype"), nb::arg("backward"), nb::arg("rows"),
        nb::arg("n"), nb::arg("x"), nb::arg("g"), nb::arg("out"), nb::arg("params"),
        nb::arg("grad_params").noconvert(), nb::arg("stream"));
}

}  // namespace nonlin
