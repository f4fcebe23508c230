// Process-wide cache of evaluation plans (plan.h), keyed by (alpha, beta, part). A plan costs
// a few hundred accurate evaluations to build, so it is built only for a request of at least
// `build_threshold` elements or once a key has been asked for that many elements in total;
// smaller requests use the accurate evaluator. Thread-safe (one mutex around the table; plans
// are built outside it and shared read-only).
#pragma once

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

  // The plan for (a, b, part), or nullptr if the accurate evaluator should be used.
  std::shared_ptr<const Plan> get(double a, double b, Part part, std::int64_t n) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      for (auto it = entries_.begin(); it != entries_.end(); ++it) {
        if (it->a == a && it->b == b && it->part == part) {
          it->requested += n;
          if (!it->plan && it->requested < build_threshold) return nullptr;
          if (it->plan) {
            entries_.splice(entries_.begin(), entries_, it);  // most recently used first
            return it->plan;
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
    auto plan = std::make_shared<const Plan>(a, b, part);
    if (!plan->valid()) plan = nullptr;
    std::lock_guard<std::mutex> lock(mutex_);
    for (auto it = entries_.begin(); it != entries_.end(); ++it)
      if (it->a == a && it->b == b && it->part == part) {
        entries_.erase(it);
        break;
      }
    insert({a, b, part, n, plan});
    return plan;
  }

 private:
  struct Entry {
    double a, b;
    Part part;
    std::int64_t requested;
    std::shared_ptr<const Plan> plan;
  };

  void insert(Entry e) {
    entries_.push_front(std::move(e));
    if (entries_.size() > capacity) entries_.pop_back();
  }

  std::mutex mutex_;
  std::list<Entry> entries_;
};

}  // namespace nonlin::ml
