// Long work (a large roster import) run on a background thread while the
// client polls GET /api/v1/jobs/{id} for progress and the result. Jobs live
// in this process's memory for an hour after they end: with several
// instances behind a balancer, poll the instance that answered the start
// (sticky sessions), or import through the CLI.
#pragma once

#include <boost/json/value.hpp>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "common/result.h"

namespace dj::http {

struct JobLimits {
  size_t per_owner = 1;  // jobs of one user, running or queued
  size_t workers = 2;    // jobs running at a time (each holds its file's memory)
  size_t queue = 8;      // jobs waiting for a worker; past that, too_many
};

class Jobs {
 public:
  static constexpr const char* kStatuses[] = {"queued", "running", "done", "failed"};
  using Progress = std::function<void(size_t done, size_t total)>;
  // The work: returns the result document, or an Error reported as the job's error.
  using Work = std::function<Result<boost::json::value>(const Progress&)>;

  explicit Jobs(JobLimits limits = {});
  ~Jobs();  // lets running jobs finish; queued ones are dropped

  // Queues `work` for user `owner` (status "queued", then "running"); answers
  // the job's id, or too_many (429, Retry-After) while the owner has as many
  // jobs as he may or the queue is full.
  Result<std::string> start(int64_t owner, std::string kind, Work work);

  // The job as JSON ({id, kind, status, done, total, result | error}), or
  // nullopt when there is no such job of this owner.
  std::optional<boost::json::value> get(const std::string& id, int64_t owner) const;

 private:
  struct Job {
    std::string id, kind;
    int64_t owner = 0;
    std::string status = "queued";  // queued, running, done, failed
    size_t done = 0, total = 0;
    boost::json::value result;
    int64_t ended_at = 0;
    Work work;  // until it runs
  };
  void work_loop();

  JobLimits limits_;
  mutable std::mutex mu_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::map<std::string, std::shared_ptr<Job>> jobs_;
  std::deque<std::shared_ptr<Job>> queued_;
  std::vector<std::thread> workers_;  // started with the first job
};

}  // namespace dj::http
