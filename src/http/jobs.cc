#include "http/jobs.h"

#include <boost/json.hpp>

#include "common/crypto.h"
#include "common/time.h"
#include "http/router.h"

namespace dj::http {

namespace json = boost::json;

Jobs::~Jobs() {
  for (auto& [job, thread] : threads_) thread.join();
}

Result<std::string> Jobs::start(int64_t owner, std::string kind, Work work) {
  auto job = std::make_shared<Job>();
  job->id = base64url(random_token()).substr(0, 16);
  job->kind = std::move(kind);
  job->owner = owner;
  std::lock_guard lock(mu_);
  size_t running = 0, own = 0;
  for (const auto& [id, j] : jobs_) {
    if (j->ended_at) continue;
    ++running;
    own += j->owner == owner;
  }
  if (own >= per_owner_ || running >= total_) {
    Error e{ErrorCode::too_many,
            own >= per_owner_ ? "your previous import is still running; wait for it to finish"
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
  // Threads of ended jobs are done but for returning: join them now.
  for (auto it = threads_.begin(); it != threads_.end();) {
    if (it->first->ended_at) {
      it->second.join();
      it = threads_.erase(it);
    } else {
      ++it;
    }
  }
  threads_.emplace_back(job, std::thread([this, job, work = std::move(work)] {
                          auto progress = [this, job](size_t done, size_t total) {
                            std::lock_guard l(mu_);
                            job->done = done;
                            job->total = total;
                          };
                          Result<json::value> r = Error::internal("the job did not run");
                          try {
                            r = work(progress);
                          } catch (const std::exception& e) {
                            r = Error::internal(e.what());
                          }
                          std::lock_guard l(mu_);
                          if (r) {
                            job->status = "done";
                            job->result = std::move(*r);
                          } else {
                            job->status = "failed";
                            job->result = json::parse(problem_response(r.error()).body);
                          }
                          job->ended_at = now_ms();
                        }));
  return job->id;
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
