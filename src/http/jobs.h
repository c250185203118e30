// Long work (a large roster import) run on a background thread while the
// client polls GET /api/v1/jobs/{id} for progress and the result. Jobs live
// in this process's memory for an hour after they end: with several
// instances behind a balancer, poll the instance that answered the start
// (sticky sessions), or import through the CLI.
#pragma once

#include <boost/json/value.hpp>
#include <cstdint>
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

class Jobs {
 public:
  using Progress = std::function<void(size_t done, size_t total)>;
  // The work: returns the result document, or an Error reported as the job's error.
  using Work = std::function<Result<boost::json::value>(const Progress&)>;

  // At most `per_owner` jobs of one user and `total` jobs in all run at a
  // time (each takes a thread and the memory of its file).
  explicit Jobs(size_t per_owner = 1, size_t total = 2) : per_owner_(per_owner), total_(total) {}
  ~Jobs();  // waits for running jobs

  // Starts `work` for user `owner`; answers the job's id, or too_many (429,
  // Retry-After) while the owner or the server runs as many as they may.
  Result<std::string> start(int64_t owner, std::string kind, Work work);

  // The job as JSON ({id, kind, status, done, total, result | error}), or
  // nullopt when there is no such job of this owner.
  std::optional<boost::json::value> get(const std::string& id, int64_t owner) const;

 private:
  struct Job {
    std::string id, kind;
    int64_t owner = 0;
    std::string status = "running";  // running, done, failed
    size_t done = 0, total = 0;
    boost::json::value result;
    int64_t ended_at = 0;
  };
  size_t per_owner_, total_;
  mutable std::mutex mu_;
  std::map<std::string, std::shared_ptr<Job>> jobs_;
  // Each job's thread, joined once the job has ended (at the next start, or at the end).
  std::vector<std::pair<std::shared_ptr<Job>, std::thread>> threads_;
};

}  // namespace dj::http
