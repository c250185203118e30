// Failed attempts per key (a member and a session, an address, an account)
// in a fixed window: after `limit` failures the key waits until the window
// that started with its first failure has passed. In memory, per process;
// thread-safe.
#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>

namespace dj {

class FailureThrottle {
 public:
  FailureThrottle(int limit, int64_t window_ms) : limit_(limit), window_ms_(window_ms) {}

  // Milliseconds `key` must still wait at `now_ms` (0: it may try).
  int64_t wait_ms(const std::string& key, int64_t now_ms) const;
  // Counts a failure of `key`; answers how long it must now wait (0 while
  // below the limit).
  int64_t fail(const std::string& key, int64_t now_ms);
  // Forgets `key` (after a success).
  void clear(const std::string& key);

 private:
  struct Window {
    int64_t started = 0;
    int failures = 0;
  };
  int limit_;
  int64_t window_ms_;
  mutable std::mutex mu_;
  std::unordered_map<std::string, Window> windows_;
};

}  // namespace dj
