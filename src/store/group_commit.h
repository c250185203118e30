// Group commit: the write transactions of many request threads merged into
// one. Each caller's work runs in a SAVEPOINT of a shared transaction (its
// failure rolls back only itself), and every caller returns once that
// transaction has committed — so a burst of small writes (check-ins) pays
// for one commit per batch instead of one each.
#pragma once

#include <condition_variable>
#include <functional>
#include <mutex>
#include <vector>

#include "store/db.h"

namespace dj::store {

class GroupCommit {
 public:
  explicit GroupCommit(Db& db) : db_(db) {}
  // Runs `work` in the next shared transaction; answers its own result, or
  // the commit's error when the shared transaction fails.
  Status run(const std::function<Status(Conn&)>& work);

 private:
  struct Waiter {
    const std::function<Status(Conn&)>* work;
    Status result;
    bool done = false;
  };
  Db& db_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<Waiter*> queue_;
  bool leading_ = false;
};

}  // namespace dj::store
