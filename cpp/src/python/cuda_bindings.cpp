// nonlin._core's CUDA entry points (the torch adapter passes device pointers and its stream):
// _cuda_built, _cuda_device_count() and _cuda_elementwise(...). Without CUDA in the build the
// entry raises, naming the missing kernels.
#include <nanobind/nanobind.h>
#include <nanobind/stl/vector.h>

#include <cstdint>
#include <vector>

#include "../cpu/run.h"
#include "../cuda/device.h"  // plain C++: the broadcast rule is shared with builds without CUDA
#include "cuda_errors.h"

namespace nb = nanobind;

void bind_cuda(nb::module_& m) {
#if defined(NONLIN_WITH_CUDA)
  m.attr("_cuda_built") = true;
  m.def("_cuda_device_count", &nonlin::cuda::device_count);
#else
  m.attr("_cuda_built") = false;
  m.def("_cuda_device_count", [] { return 0; });
#endif
  // op: kernel-table row; dtype: 0 float16, 1 bfloat16, 2 float32, 3 float64; pointers are
  // device addresses; input k broadcasts as in[k][(i / div[k]) % mod[k] + ((i / div2[k]) %
  // mod2[k]) mod[k]] (device.h Broadcast: up to two runs of the result's dimensions);
  // stream: a cudaStream_t.
  // The kernels' reading of an operand of shape `dims` against the result shape `rdims`
  // (device.h broadcast_of, as the JAX target uses it): (div, mod, div2, mod2), or None where
  // its non-1 dimensions form more than two runs (the caller expands it first).
  m.def("_cuda_broadcast", [](const std::vector<std::int64_t>& dims, const std::vector<std::int64_t>& rdims) {
    nonlin::cuda::Broadcast b{1, 1};
    if (!nonlin::cuda::broadcast_of(int(dims.size()), dims.data(), int(rdims.size()), rdims.data(), b))
      return nb::object(nb::none());
    return nb::object(nb::make_tuple(b.div, b.mod, b.div2, b.mod2));
  }, nb::arg("dims"), nb::arg("rdims"));
  m.def("_cuda_elementwise", [](int op, int dtype, std::int64_t n, const std::vector<std::uintptr_t>& in,
                                const std::vector<std::int64_t>& div, const std::vector<std::int64_t>& mod,
                                const std::vector<std::int64_t>& div2, const std::vector<std::int64_t>& mod2,
                                const std::vector<std::uintptr_t>& out, std::uintptr_t stream) {
    const auto& ops = nonlin::op_infos();
    if (op < 0 || std::size_t(op) >= ops.size()) throw nb::value_error("op: no such kernel");
    const nonlin::OpInfo& info = ops[op];
    const int nin = info.nin;
    if (int(in.size()) != nin || int(div.size()) != nin || int(mod.size()) != nin ||
        int(div2.size()) != nin || int(mod2.size()) != nin || int(out.size()) != info.nout)
      throw nb::value_error(("in/out: " + info.name + " takes " + std::to_string(info.nin) +
                             " inputs and " + std::to_string(info.nout) + " outputs").c_str());
    if (dtype < 0 || dtype > 3) throw nb::value_error("dtype: expected 0..3");
    for (int k = 0; k < info.nin; ++k)
      if (div[k] < 1 || mod[k] < 1 || div2[k] < 1 || mod2[k] < 1 || mod[k] > n / mod2[k])
        throw nb::value_error("div/mod: each input needs div, div2 >= 1 and 1 <= mod, mod2 with mod mod2 <= n");
#if defined(NONLIN_WITH_CUDA)
    std::vector<const void*> pin(in.size());
    std::vector<void*> pout(out.size());
    std::vector<nonlin::cuda::Broadcast> bc(in.size());
    for (std::size_t k = 0; k < in.size(); ++k) {
      pin[k] = reinterpret_cast<const void*>(in[k]);
      bc[k] = {std::ptrdiff_t(div[k]), std::ptrdiff_t(mod[k]), std::ptrdiff_t(div2[k]), std::ptrdiff_t(mod2[k])};
    }
    for (std::size_t k = 0; k < out.size(); ++k) pout[k] = reinterpret_cast<void*>(out[k]);
    const char* err;
    {
      nb::gil_scoped_release release;  // the launch is asynchronous, but may initialise CUDA
      err = nonlin::cuda::run_elementwise(op, nonlin::cuda::DType(dtype), std::ptrdiff_t(n), pin.data(),
                                          bc.data(), pout.data(), reinterpret_cast<void*>(stream));
    }
    nonlin::bindings::check_cuda(err, info.name);
#else
    (void)stream;
    nonlin::bindings::no_cuda_kernels();
#endif
  }, nb::arg("op"), nb::arg("dtype"), nb::arg("n"), nb::arg("inputs"), nb::arg("div"),
     nb::arg("mod"), nb::arg("div2"), nb::arg("mod2"), nb::arg("outputs"), nb::arg("stream"));
}
