#include "run.h"

#include <algorithm>

#include "dispatch.h"
#include "thread_pool.h"

namespace nonlin {

const std::vector<OpInfo>& op_infos() {
  static const std::vector<OpInfo> infos = [] {
    std::vector<OpInfo> v;
    for_each_op([&]<class Op>(const char* name) {
      v.push_back({int(v.size()), Op::kind, Op::nin, Op::nout,
                   std::string(name) + op_suffix(Op::kind), &Op::Act::meta});
    });
    return v;
  }();
  return infos;
}

namespace {

constexpr int kMaxOperands = kMaxOpOperands;
constexpr std::ptrdiff_t kChunk = 512;

template <class T>
Kernel<T> kernel_of(const KernelPair& k) {
  if constexpr (sizeof(T) == 4) return k.f32;
  else return k.f64;
}

// Contiguous (or broadcast) operands: split across threads when the work is worth it.
template <class T>
void run_contiguous(const OpInfo& op, std::ptrdiff_t n, const T* const* in,
                    const std::ptrdiff_t* step, T* const* out) {
  const Kernel<T> kernel = kernel_of<T>(active_kernels()[op.index]);
  const double work_ns = double(n) * op.meta->cost * (sizeof(T) / 4.0);
  if (work_ns < 60000.0 || get_num_threads() <= 1) {
    kernel(n, in, step, out);
    return;
  }
  parallel_for(n, 64, [&](std::ptrdiff_t b, std::ptrdiff_t e) {
    const T* ib[kMaxOperands];
    T* ob[kMaxOperands];
    for (int k = 0; k < op.nin; ++k) ib[k] = in[k] + b * step[k];
    for (int k = 0; k < op.nout; ++k) ob[k] = out[k] + b;
    kernel(e - b, ib, step, ob);
  });
}

template <class T>
struct Compute {
  using type = T;
};
template <>
struct Compute<Half> {
  using type = float;
};

// Gathers m elements of operand p (byte stride s) into the compute buffer.
template <class T, class C>
inline void gather(const char* p, std::ptrdiff_t s, C* dst, std::ptrdiff_t m) {
  if constexpr (std::is_same_v<T, Half>) {
    active_half_converters()->to_float(p, s, dst, m);
  } else {
    for (std::ptrdiff_t j = 0; j < m; ++j) dst[j] = *reinterpret_cast<const T*>(p + j * s);
  }
}
template <class T, class C>
inline void scatter(const C* src, char* p, std::ptrdiff_t s, std::ptrdiff_t m) {
  if constexpr (std::is_same_v<T, Half>) {
    active_half_converters()->from_float(src, p, s, m);
  } else {
    for (std::ptrdiff_t j = 0; j < m; ++j) *reinterpret_cast<T*>(p + j * s) = src[j];
  }
}

// True if an output overlaps an input other than element for element (the same address and
// stride): ufunc.reduce keeps its running value in a stride-0 output that is also input 0,
// accumulate reads the output one element behind. Each element then depends on the results
// before it.
inline bool chained(int nin, int nout, std::ptrdiff_t n, char* const* args,
                    const std::ptrdiff_t* strides, std::ptrdiff_t size) {
  auto range = [&](int k, const char*& lo, const char*& hi) {
    const std::ptrdiff_t span = (n - 1) * strides[k];
    lo = args[k] + std::min<std::ptrdiff_t>(span, 0);
    hi = args[k] + std::max<std::ptrdiff_t>(span, 0) + size;
  };
  for (int o = nin; o < nin + nout; ++o) {
    if (strides[o] == 0) return true;
    const char *olo, *ohi;
    range(o, olo, ohi);
    for (int k = 0; k < nin; ++k) {
      if (args[k] == args[o] && strides[k] == strides[o]) continue;
      const char *ilo, *ihi;
      range(k, ilo, ihi);
      if (ilo < ohi && olo < ihi) return true;
    }
  }
  return false;
}

}  // namespace

template <class T>
void run_strided(const OpInfo& op, std::ptrdiff_t n, char* const* args, const std::ptrdiff_t* strides) {
  using C = typename Compute<T>::type;
  const int nin = op.nin, nout = op.nout;
  if (n <= 0) return;
  if (n > 1 && chained(nin, nout, n, args, strides, sizeof(T))) {  // in order, one at a time
    char* at[kMaxOperands];
    for (std::ptrdiff_t i = 0; i < n; ++i) {
      for (int k = 0; k < nin + nout; ++k) at[k] = args[k] + i * strides[k];
      run_strided<T>(op, 1, at, strides);
    }
    return;
  }
  if constexpr (std::is_same_v<T, C>) {
    bool direct = true;
    for (int k = 0; k < nin; ++k) direct &= strides[k] == 0 || strides[k] == sizeof(T);
    for (int k = 0; k < nout; ++k) direct &= strides[nin + k] == sizeof(T);
    if (direct) {
      const T* in[kMaxOperands];
      std::ptrdiff_t step[kMaxOperands];
      T* out[kMaxOperands];
      for (int k = 0; k < nin; ++k) {
        in[k] = reinterpret_cast<const T*>(args[k]);
        step[k] = strides[k] ? 1 : 0;
      }
      for (int k = 0; k < nout; ++k) out[k] = reinterpret_cast<T*>(args[nin + k]);
      run_contiguous<T>(op, n, in, step, out);
      return;
    }
  }
  // Gather chunks into contiguous buffers (converting float16), compute, scatter back.
  alignas(64) C buf[kMaxOperands][kChunk];
  const C* in[kMaxOperands];
  C* out[kMaxOperands];
  std::ptrdiff_t step[kMaxOperands];
  for (std::ptrdiff_t i = 0; i < n; i += kChunk) {
    const std::ptrdiff_t m = std::min(kChunk, n - i);
    for (int k = 0; k < nin; ++k) {
      const char* p = args[k] + i * strides[k];
      if (strides[k] == 0) {
        gather<T, C>(p, 0, buf[k], 1);
        in[k] = buf[k];
        step[k] = 0;
      } else if (std::is_same_v<T, C> && strides[k] == sizeof(T)) {
        in[k] = reinterpret_cast<const C*>(p);
        step[k] = 1;
      } else {
        gather<T, C>(p, strides[k], buf[k], m);
        in[k] = buf[k];
        step[k] = 1;
      }
    }
    for (int k = 0; k < nout; ++k) {
      char* p = args[nin + k] + i * strides[nin + k];
      out[k] = std::is_same_v<T, C> && strides[nin + k] == sizeof(T) ? reinterpret_cast<C*>(p)
                                                                      : buf[nin + k];
    }
    kernel_of<C>(active_kernels()[op.index])(m, in, step, out);
    for (int k = 0; k < nout; ++k) {
      if (out[k] != buf[nin + k]) continue;
      scatter<T, C>(buf[nin + k], args[nin + k] + i * strides[nin + k], strides[nin + k], m);
    }
  }
}

template void run_strided<Half>(const OpInfo&, std::ptrdiff_t, char* const*, const std::ptrdiff_t*);
template void run_strided<float>(const OpInfo&, std::ptrdiff_t, char* const*, const std::ptrdiff_t*);
template void run_strided<double>(const OpInfo&, std::ptrdiff_t, char* const*, const std::ptrdiff_t*);

}  // namespace nonlin
