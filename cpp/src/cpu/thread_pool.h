// A small persistent pool of std::threads for splitting large arrays (no OpenMP: torch ships
// its own runtime, and two in one process oversubscribe). The calling thread takes part. One
// job runs at a time; a caller that finds the pool busy runs its work inline, so concurrent
// callers never wait on each other and never deadlock.
#pragma once

#include <cstddef>
#include <functional>

namespace nonlin {

// Total threads used for one call, including the caller (1 .. kMaxThreads; set_num_threads
// clamps). Where the system refuses to start that many, the pool keeps the ones it got.
inline constexpr int kMaxThreads = 1024;
int get_num_threads();
void set_num_threads(int n);

// Calls fn(begin, end) over [0, n) in chunks of about n / threads, aligned to `align`.
void parallel_for(std::ptrdiff_t n, std::ptrdiff_t align,
                  const std::function<void(std::ptrdiff_t, std::ptrdiff_t)>& fn);

}  // namespace nonlin
