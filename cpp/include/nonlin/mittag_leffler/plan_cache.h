// Process-wide cache of evaluation plans (plan.h), keyed by (alpha, beta, part). A plan costs
// ~40 accurate evaluations per piece, so it is built only for a request of at least
// `build_threshold` elements or once a key has been asked for that many elements in total;
// smaller requests use the accurate evaluator. A plan covers the z range of the requests that
// built it, widened (|z|^{1/a} doubled) so that a slowly drifting range rarely rebuilds; a
// request outside it rebuilds over the union. Thread-safe (one mutex around the table; plans
// are built outside it and shared read-only).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <list>
#include <memory>
#include <mutex>

#include "plan.h"

namespace nonlin::ml {

class PlanCache {
 public:
  static constexpr std::int64_t build_threshold = 2048;
  static constexpr std::size_t capacity = 16;

  static PlanCache& instance() {
    static PlanCache cache;
    return cache;
  }

  // The plan for (a, b, part) covering the z range [zlo, zhi] (NaN-free; infinite ends ask for
  // the whole line), or nullptr if the accurate evaluator should be used.
  std::shared_ptr<const Plan> get(double a, double b, Part part, std::int64_t n,
                                  double zlo = -INFINITY, double zhi = INFINITY) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      for (auto it = entries_.begin(); it != entries_.end(); ++it) {
        if (it->a == a && it->b == b && it->part == part) {
          it->requested += n;
          if (!it->plan && it->requested < build_threshold) return nullptr;
          if (it->plan && it->plan->covers(zlo, zhi)) {
            entries_.splice(entries_.begin(), entries_, it);  // most recently used first
            return it->plan;
          }
          if (it->plan) {  // rebuild over both ranges
            zlo = std::min(zlo, it->zlo);
            zhi = std::max(zhi, it->zhi);
          }
          break;
        }
      }
      if (n < build_threshold) {
        bool found = false;
        for (const Entry& e : entries_) found |= e.a == a && e.b == b && e.part == part;
        if (!found) insert({a, b, part, n, nullptr});
        return nullptr;
      }
    }
    const double widen = std::isfinite(a) && a > 0 ? std::pow(2.0, a) : 1.0;
    zlo = std::min(zlo, 0.0) * widen;
    zhi = std::max(zhi, 0.0) * widen;
    auto plan = std::make_shared<const Plan>(a, b, part, zlo, zhi);
    if (!plan->valid()) plan = nullptr;
    std::lock_guard<std::mutex> lock(mutex_);
    for (auto it = entries_.begin(); it != entries_.end(); ++it)
      if (it->a == a && it->b == b && it->part == part) {
        entries_.erase(it);
        break;
      }
    insert({a, b, part, n, plan, zlo, zhi});
    return plan;
  }

 private:
  struct Entry {
    double a, b;
    Part part;
    std::int64_t requested;
    std::shared_ptr<const Plan> plan;
    double zlo = 0, zhi = 0;  // the range the plan was asked to cover
  };

  void insert(Entry e) {
    entries_.push_front(std::move(e));
    if (entries_.size() > capacity) entries_.pop_back();
  }

  std::mutex mutex_;
  std::list<Entry> entries_;
};

}  // namespace nonlin::ml
