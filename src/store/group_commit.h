// Group commit: small write transactions from many requests merged into one.
// Each piece of work runs in a SAVEPOINT of a shared transaction (its failure
// rolls back only itself) on the committer thread, and its caller hears of
// it once that transaction has committed — so a burst of small writes
// (check-ins, session touches) pays for one commit per batch instead of one
// each, and the threads that queued the work need not wait for it.
#pragma once

#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "store/db.h"

namespace dj::store {

class GroupCommit {
 public:
  using Work = std::function<Status(Conn&)>;
  using Done = std::function<void(Status)>;

  explicit GroupCommit(Db& db);
  // Commits what is queued, then stops the committer thread.
  ~GroupCommit();
  GroupCommit(const GroupCommit&) = delete;
  GroupCommit& operator=(const GroupCommit&) = delete;

  // Queues `work` for the next shared transaction and returns at once.
  // `done` (may be empty) runs on the committer thread once the transaction
  // has ended, with the work's own result, or with the commit's error when
  // the shared transaction failed; it must be quick (hand the result on).
  void submit(Work work, Done done);
  // The same, waiting for the result.
  Status run(Work work);

 private:
  struct Item {
    Work work;
    Done done;
    Status result;
  };
  void commit_batches();

  Db& db_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<Item> queue_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace dj::store
