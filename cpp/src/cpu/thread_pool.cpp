#include "thread_pool.h"

#include <pthread.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <cstdlib>
#include <mutex>
#include <new>
#include <system_error>
#include <thread>
#include <vector>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define NONLIN_CPU_RELAX() _mm_pause()
#else
#define NONLIN_CPU_RELAX() std::this_thread::yield()
#endif

namespace nonlin {
namespace {

// Workers spin for a short while after each job before sleeping on the condition variable, so
// back-to-back calls (a training loop, a benchmark) find them awake: waking a sleeping thread
// costs tens of microseconds, as much as the work of a 1e5-element call.
constexpr int kSpinIterations = 20000;  // ~50-100 us of pause instructions

using Fn = std::function<void(std::ptrdiff_t, std::ptrdiff_t)>;

class Pool {
 public:
  Pool() {
    int n = int(std::max(1u, std::thread::hardware_concurrency()));
    if (const char* env = std::getenv("NONLIN_NUM_THREADS")) {
      const int v = std::atoi(env);
      if (v >= 1) n = v;
    }
    threads_ = std::min(n, kMaxThreads);
    pthread_atfork(nullptr, nullptr, &Pool::after_fork_in_child);
  }

  int threads() const { return threads_.load(); }

  void resize(int n) {
    std::lock_guard<std::mutex> job(busy_);
    stop_workers();
    threads_ = n;
  }

  void run(std::ptrdiff_t n, std::ptrdiff_t align, const Fn& fn) {
    const int t = threads_.load();
    std::unique_lock<std::mutex> job(busy_, std::try_to_lock);
    if (t <= 1 || !job.owns_lock()) {  // single-threaded, or another caller has the pool
      fn(0, n);
      return;
    }
    start_workers(t - 1);
    std::ptrdiff_t chunk = (n + t - 1) / t;
    chunk = (chunk + align - 1) / align * align;
    const std::uint32_t gen = generation_.load(std::memory_order_relaxed) + 1;  // wraps
    fn_ = &fn;
    n_ = n;
    chunk_ = chunk;
    const std::ptrdiff_t nchunks = (n + chunk - 1) / chunk;
    nchunks_.store(nchunks, std::memory_order_relaxed);
    pending_.store(nchunks, std::memory_order_relaxed);
    next_.store(std::uint64_t(gen) << 32, std::memory_order_release);  // publishes the job's fields
    generation_.store(gen, std::memory_order_release);
    if (sleepers_.load(std::memory_order_acquire) > 0) {
      std::lock_guard<std::mutex> lock(m_);
      cv_.notify_all();
    }
    work(gen);  // the caller takes chunks too
    while (pending_.load(std::memory_order_acquire) > 0) NONLIN_CPU_RELAX();
  }

 private:
  // Claims and runs chunks of job `gen` until none is left. A claim is a compare-and-swap on
  // (generation << 32 | chunk index) (the 32-bit generation wraps after 2^32 jobs), so a worker that wakes late for a finished job can never
  // take a chunk of the next one; the job's fields are read only after a successful claim
  // (and the job cannot end while a claimed chunk is pending).
  void work(std::uint32_t gen) {
    for (;;) {
      std::uint64_t v = next_.load(std::memory_order_acquire);
      if ((v >> 32) != gen) return;
      const std::ptrdiff_t c = std::ptrdiff_t(v & 0xffffffffu);
      if (c >= nchunks_.load(std::memory_order_relaxed)) return;
      if (!next_.compare_exchange_weak(v, v + 1, std::memory_order_acq_rel)) continue;
      const std::ptrdiff_t begin = c * chunk_;
      (*fn_)(begin, std::min(begin + chunk_, n_));
      pending_.fetch_sub(1, std::memory_order_acq_rel);
    }
  }

  void worker() {
    std::uint32_t seen = generation_.load(std::memory_order_acquire);
    for (;;) {
      std::uint32_t g = generation_.load(std::memory_order_acquire);
      for (int i = 0; g == seen && i < kSpinIterations && !stopping_.load(std::memory_order_relaxed); ++i) {
        NONLIN_CPU_RELAX();
        g = generation_.load(std::memory_order_acquire);
      }
      if (g == seen) {
        std::unique_lock<std::mutex> lock(m_);
        sleepers_.fetch_add(1, std::memory_order_acq_rel);
        cv_.wait(lock, [&] {
          return stopping_.load() || generation_.load(std::memory_order_acquire) != seen;
        });
        sleepers_.fetch_sub(1, std::memory_order_acq_rel);
        g = generation_.load(std::memory_order_acquire);
      }
      if (stopping_.load()) return;
      seen = g;
      work(g);
    }
  }

  // (called with the job lock held) Where thread creation fails (a process or cgroup limit),
  // the pool keeps the workers it got: the chunks are claimed by whoever runs.
  void start_workers(int count) {
    if (int(workers_->size()) == count) return;
    stop_workers();
    stopping_ = false;
    try {
      for (int i = 0; i < count; ++i) workers_->emplace_back([this] { worker(); });
    } catch (const std::system_error&) {
      threads_ = int(workers_->size()) + 1;
    }
  }

  void stop_workers() {
    {
      std::lock_guard<std::mutex> lock(m_);
      stopping_ = true;
      cv_.notify_all();
    }
    for (auto& w : *workers_) w.join();
    workers_->clear();
  }

  // The child of a fork has none of the parent's threads: forget them (their handles cannot be
  // joined there) and start afresh on the next parallel call.
  static void after_fork_in_child();

  std::atomic<int> threads_{1};
  std::mutex busy_;  // held for the duration of one parallel job
  std::mutex m_;     // guards sleeping only
  std::condition_variable cv_;
  std::vector<std::thread>* workers_ = new std::vector<std::thread>();
  const Fn* fn_ = nullptr;
  std::ptrdiff_t n_ = 0, chunk_ = 1;
  std::atomic<std::uint64_t> next_{0};
  std::atomic<std::ptrdiff_t> nchunks_{0}, pending_{0};
  std::atomic<std::uint32_t> generation_{0};
  std::atomic<int> sleepers_{0};
  std::atomic<bool> stopping_{false};

  friend Pool& pool();
};

Pool& pool() {
  static Pool* p = new Pool();  // never destroyed: workers may outlive static destruction order
  return *p;
}

void Pool::after_fork_in_child() {
  Pool& p = pool();
  p.workers_ = new std::vector<std::thread>();  // the old handles are unusable here
  new (&p.busy_) std::mutex();
  new (&p.m_) std::mutex();
  new (&p.cv_) std::condition_variable();
  p.sleepers_ = 0;
  p.pending_ = 0;
}

}  // namespace

int get_num_threads() { return pool().threads(); }

void set_num_threads(int n) { pool().resize(std::clamp(n, 1, kMaxThreads)); }

void parallel_for(std::ptrdiff_t n, std::ptrdiff_t align, const Fn& fn) { pool().run(n, align, fn); }

}  // namespace nonlin
