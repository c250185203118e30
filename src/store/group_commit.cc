#include "store/group_commit.h"

#include <spdlog/spdlog.h>

#include <future>

namespace dj::store {

GroupCommit::GroupCommit(Db& db) : db_(db), thread_([this] { commit_batches(); }) {}

GroupCommit::~GroupCommit() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_one();
  thread_.join();
}

void GroupCommit::submit(Work work, Done done) {
  {
    std::lock_guard lock(mu_);
    queue_.push_back({std::move(work), std::move(done), {}});
  }
  cv_.notify_one();
}

Status GroupCommit::run(Work work) {
  std::promise<Status> result;
  auto answer = result.get_future();
  submit(std::move(work), [&result](Status s) { result.set_value(std::move(s)); });
  return answer.get();
}

// One batch is everything queued when the previous one ended; work queued
// meanwhile waits for the next.
void GroupCommit::commit_batches() {
  std::vector<Item> batch;
  for (;;) {
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [&] { return stop_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, and nothing left to commit
      batch.swap(queue_);
    }
    auto committed = with_tx(db_, [&](Conn& c) -> Status {
      for (Item& item : batch) {
        DJ_TRY(c.exec("SAVEPOINT group_write"));
        try {
          item.result = item.work(c);
        } catch (const std::exception& e) {
          item.result = Error::internal(e.what());
        }
        if (!item.result) DJ_TRY(c.exec("ROLLBACK TO SAVEPOINT group_write"));
        DJ_TRY(c.exec("RELEASE SAVEPOINT group_write"));
      }
      return {};
    });
    for (Item& item : batch) {
      if (!committed) item.result = committed.error();
      if (!item.done) continue;
      try {
        item.done(std::move(item.result));
      } catch (const std::exception& e) {  // the committer must outlive any one caller
        spdlog::error("group commit: a completion threw: {}", e.what());
      }
    }
    batch.clear();
  }
}

}  // namespace dj::store
