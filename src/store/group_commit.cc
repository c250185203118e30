#include "store/group_commit.h"

namespace dj::store {

Status GroupCommit::run(const std::function<Status(Conn&)>& work) {
  Waiter me{&work, {}, false};
  std::unique_lock lock(mu_);
  queue_.push_back(&me);
  // Whoever finds no transaction running leads one batch: everything queued
  // so far, its own work included. Writers arriving meanwhile queue for the
  // next batch, which one of them leads.
  cv_.wait(lock, [&] { return me.done || !leading_; });
  if (me.done) return me.result;
  leading_ = true;
  std::vector<Waiter*> batch;
  batch.swap(queue_);
  lock.unlock();
  auto committed = with_tx(db_, [&](Conn& c) -> Status {
    for (Waiter* w : batch) {
      DJ_TRY(c.exec("SAVEPOINT group_write"));
      w->result = (*w->work)(c);
      if (!w->result) DJ_TRY(c.exec("ROLLBACK TO SAVEPOINT group_write"));
      DJ_TRY(c.exec("RELEASE SAVEPOINT group_write"));
    }
    return {};
  });
  lock.lock();
  for (Waiter* w : batch) {
    if (!committed) w->result = committed.error();
    w->done = true;
  }
  leading_ = false;
  cv_.notify_all();
  return me.result;
}

}  // namespace dj::store
