#include "thread_pool.h"

#include <pthread.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdlib>
#include <mutex>
#include <new>
#include <thread>
#include <vector>

namespace nonlin {
namespace {

class Pool {
 public:
  Pool() {
    int n = int(std::max(1u, std::thread::hardware_concurrency()));
    if (const char* env = std::getenv("NONLIN_NUM_THREADS")) {
      const int v = std::atoi(env);
      if (v >= 1) n = v;
    }
    threads_ = n;
    pthread_atfork(nullptr, nullptr, &Pool::after_fork_in_child);
  }

  int threads() const { return threads_.load(); }

  void resize(int n) {
    std::lock_guard<std::mutex> job(busy_);
    stop_workers();
    threads_ = n;
  }

  void run(std::ptrdiff_t n, std::ptrdiff_t align,
           const std::function<void(std::ptrdiff_t, std::ptrdiff_t)>& fn) {
    const int t = threads_.load();
    std::unique_lock<std::mutex> job(busy_, std::try_to_lock);
    if (t <= 1 || !job.owns_lock()) {
      fn(0, n);
      return;
    }
    start_workers(t - 1);
    std::ptrdiff_t chunk = (n + t - 1) / t;
    chunk = (chunk + align - 1) / align * align;
    {
      std::lock_guard<std::mutex> lock(m_);
      fn_ = &fn;
      n_ = n;
      chunk_ = chunk;
      next_ = 1;  // chunk 0 is the caller's
      pending_ = int((n + chunk - 1) / chunk) - 1;
      ++generation_;
    }
    cv_.notify_all();
    fn(0, std::min(chunk, n));
    std::unique_lock<std::mutex> lock(m_);
    while (next_ * chunk_ < n_) {  // help with what the workers have not picked up yet
      const std::ptrdiff_t begin = next_++ * chunk_;
      lock.unlock();
      fn(begin, std::min(begin + chunk, n));
      lock.lock();
      --pending_;
    }
    done_cv_.wait(lock, [&] { return pending_ == 0; });
    fn_ = nullptr;
  }

 private:
  void start_workers(int count) {
    if (int(workers_->size()) == count) return;
    stop_workers();
    stopping_ = false;
    for (int i = 0; i < count; ++i) workers_->emplace_back([this] { worker(); });
  }

  void stop_workers() {
    {
      std::lock_guard<std::mutex> lock(m_);
      stopping_ = true;
    }
    cv_.notify_all();
    for (auto& w : *workers_) w.join();
    workers_->clear();
  }

  void worker() {
    unsigned long seen = 0;
    for (;;) {
      std::unique_lock<std::mutex> lock(m_);
      cv_.wait(lock, [&] { return stopping_ || (generation_ != seen && fn_ && next_ * chunk_ < n_); });
      if (stopping_) return;
      const std::ptrdiff_t begin = next_++ * chunk_;
      if (next_ * chunk_ >= n_) seen = generation_;
      const auto* fn = fn_;
      const std::ptrdiff_t end = std::min(begin + chunk_, n_);
      lock.unlock();
      (*fn)(begin, end);
      lock.lock();
      if (--pending_ == 0) done_cv_.notify_one();
    }
  }

  // The child of a fork has none of the parent's threads: forget them (their handles cannot be
  // joined there) and start afresh on the next parallel call.
  static void after_fork_in_child();

  std::atomic<int> threads_{1};
  std::mutex busy_;  // held for the duration of one parallel job
  std::mutex m_;
  std::condition_variable cv_, done_cv_;
  std::vector<std::thread>* workers_ = new std::vector<std::thread>();
  const std::function<void(std::ptrdiff_t, std::ptrdiff_t)>* fn_ = nullptr;
  std::ptrdiff_t n_ = 0, chunk_ = 1, next_ = 0;
  int pending_ = 0;
  unsigned long generation_ = 0;
  bool stopping_ = false;

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
  new (&p.done_cv_) std::condition_variable();
  p.fn_ = nullptr;
  p.pending_ = 0;
}

}  // namespace

int get_num_threads() { return pool().threads(); }

void set_num_threads(int n) { pool().resize(std::max(1, n)); }

void parallel_for(std::ptrdiff_t n, std::ptrdiff_t align,
                  const std::function<void(std::ptrdiff_t, std::ptrdiff_t)>& fn) {
  pool().run(n, align, fn);
}

}  // namespace nonlin
