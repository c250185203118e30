#include "http/jobs.h"

#include <malloc.h>

#include <boost/json.hpp>

#include "common/crypto.h"
#include "common/time.h"
#include "http/router.h"

namespace dj::http {

namespace json = boost::json;

Jobs::Jobs(JobLimits limits) : limits_(limits) {}

Jobs::~Jobs() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  for (auto& t : workers_) t.join();
}

Result<std::string> Jobs::start(int64_t owner, std::string kind, Work work) {
  auto job = std::make_shared<Job>();
  job->id = base64url(random_token()).substr(0, 16);
  job->kind = std::move(kind);
  job->owner = owner;
  job->work = std::move(work);
  {
    std::lock_guard lock(mu_);
    size_t own = 0;
    for (const auto& [id, j] : jobs_) own += !j->ended_at && j->owner == owner;
    if (own >= limits_.per_owner || queued_.size() >= limits_.queue) {
      Error e{ErrorCode::too_many,
              own >= limits_.per_owner
                  ? "your previous import is still running; wait for it to finish"
                  : "the server is busy with other imports; try again shortly",
              {{"async", "too_many_jobs", "try again in 5 s"}}};
      e.retry_after_s = 5;
      return e;
    }
    // Forget jobs that ended over an hour ago.
    const int64_t now = now_ms();
    for (auto it = jobs_.begin(); it != jobs_.end();) {
      it = it->second->ended_at && now - it->second->ended_at > 3600 * 1000 ? jobs_.erase(it)
                                                                            : std::next(it);
    }
    jobs_[job->id] = job;
    queued_.push_back(job);
    while (workers_.size() < limits_.workers) workers_.emplace_back([this] { work_loop(); });
  }
  wake_.notify_one();
  return job->id;
}

void Jobs::work_loop() {
  for (;;) {
    std::shared_ptr<Job> job;
    {
      std::unique_lock lock(mu_);
      wake_.wait(lock, [this] { return stopping_ || !queued_.empty(); });
      if (stopping_) return;
      job = queued_.front();
      queued_.pop_front();
      job->status = "running";
    }
    auto progress = [this, job](size_t done, size_t total) {
      std::lock_guard l(mu_);
      job->done = done;
      job->total = total;
    };
    Result<json::value> r = Error::internal("the job did not run");
    try {
      r = job->work(progress);
    } catch (const std::exception& e) {
      r = Error::internal(e.what());
    }
    {
      std::lock_guard l(mu_);
      job->work = nullptr;
      if (r) {
        job->status = "done";
        job->result = std::move(*r);
      } else {
        job->status = "failed";
        job->result = json::parse(problem_response(r.error()).body);
      }
      job->ended_at = now_ms();
    }
    // The job's file and rows are freed: give the pages back to the system.
    malloc_trim(0);
  }
}

std::optional<json::value> Jobs::get(const std::string& id, int64_t owner) const {
  std::lock_guard lock(mu_);
  auto it = jobs_.find(id);
  if (it == jobs_.end() || it->second->owner != owner) return std::nullopt;
  const Job& j = *it->second;
  json::object out{
      {"id", j.id}, {"kind", j.kind}, {"status", j.status}, {"done", j.done}, {"total", j.total}};
  if (j.status == "done") out["result"] = j.result;
  if (j.status == "failed") out["error"] = j.result;
  return json::value(std::move(out));
}

}  // namespace dj::http
