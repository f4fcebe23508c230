// XLA runs its CPU threads with subnormals flushed to zero (x86 MXCSR FTZ and DAZ, aarch64 FPCR
// FZ); nonlin's kernels are written for IEEE arithmetic (subnormal inputs and tails, gradual
// underflow) and its pool's workers run in IEEE mode. The CPU FFI handlers therefore run as
// InIeeeMode<&handler>::run: IEEE mode on the calling thread for the call, the caller's mode
// restored after.
#pragma once

#include <cstdint>
#include <utility>
#if defined(__x86_64__) || defined(__i386__)
#include <xmmintrin.h>
#endif

namespace nonlin {

class IeeeMode {
#if defined(__x86_64__) || defined(__i386__)
  unsigned saved_ = _mm_getcsr();

 public:
  IeeeMode() { _mm_setcsr(saved_ & ~0x8040u); }  // FTZ (bit 15), DAZ (bit 6)
  ~IeeeMode() { _mm_setcsr(saved_); }
#elif defined(__aarch64__)
  std::uint64_t saved_ = __builtin_aarch64_get_fpcr64();

 public:
  IeeeMode() { __builtin_aarch64_set_fpcr64(saved_ & ~(std::uint64_t(1) << 24)); }  // FZ
  ~IeeeMode() { __builtin_aarch64_set_fpcr64(saved_); }
#endif
  IeeeMode(const IeeeMode&) = delete;
  IeeeMode& operator=(const IeeeMode&) = delete;
};

template <auto F>
struct InIeeeMode;
template <class R, class... A, R (*F)(A...)>
struct InIeeeMode<F> {
  static R run(A... a) {
    IeeeMode mode;
    return F(std::move(a)...);
  }
};

}  // namespace nonlin
