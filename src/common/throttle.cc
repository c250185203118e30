#include "common/throttle.h"

namespace dj {

int64_t FailureThrottle::wait_ms(const std::string& key, int64_t now_ms) const {
  std::lock_guard lock(mu_);
  const auto it = windows_.find(key);
  if (it == windows_.end() || it->second.failures < limit_) return 0;
  const int64_t left = it->second.started + window_ms_ - now_ms;
  return left > 0 ? left : 0;
}

int64_t FailureThrottle::fail(const std::string& key, int64_t now_ms) {
  std::lock_guard lock(mu_);
  // Windows that have passed are dropped as new failures come, so the map
  // holds only keys that failed within the last window.
  if (windows_.size() > 10000) {
    for (auto it = windows_.begin(); it != windows_.end();) {
      it = it->second.started + window_ms_ <= now_ms ? windows_.erase(it) : std::next(it);
    }
  }
  Window& w = windows_[key];
  if (w.failures == 0 || w.started + window_ms_ <= now_ms) w = Window{now_ms, 0};
  ++w.failures;
  if (w.failures < limit_) return 0;
  return w.started + window_ms_ - now_ms;
}

void FailureThrottle::clear(const std::string& key) {
  std::lock_guard lock(mu_);
  windows_.erase(key);
}

}  // namespace dj
