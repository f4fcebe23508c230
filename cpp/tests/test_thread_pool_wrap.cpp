// The thread pool past 2^32 parallel jobs: its job counter wraps, and every job must still run
// all its chunks and return (the 2^32-th job used to hang: the claim word held a generation
// shifted out of range). The pool's source is compiled here with its private job counter made
// reachable, which is fast-forwarded to just before the wrap instead of running 4e9 jobs.
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <thread>

#define private public
#include "../src/cpu/thread_pool.cpp"
#undef private

int main() {
  using namespace nonlin;
  set_num_threads(2);
  std::thread([] {  // a hang fails the test instead of stalling ctest
    std::this_thread::sleep_for(std::chrono::seconds(20));
    std::fprintf(stderr, "parallel_for did not return\n");
    std::_Exit(1);
  }).detach();
  std::atomic<long> covered{0};
  auto fn = [&](std::ptrdiff_t b, std::ptrdiff_t e) { covered += e - b; };
  pool().generation_.store(0xffffffffu - 3);
  for (int job = 0; job < 8; ++job) {  // generations 2^32 - 2 ... 2^32 + 5 (wrapped)
    covered = 0;
    parallel_for(1000, 64, fn);
    if (covered != 1000) {
      std::fprintf(stderr, "job %d covered %ld of 1000 elements\n", job, covered.load());
      return 1;
    }
  }
  std::printf("8 jobs across the 2^32 wrap of the job counter: all elements covered\n");
  return 0;
}
