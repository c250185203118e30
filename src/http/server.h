// The HTTP/1.1 server (Boost.Beast): keep-alive, header and body limits,
// read timeouts, and a graceful stop on SIGTERM/SIGINT that lets in-flight
// requests finish.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "common/result.h"
#include "http/message.h"

namespace dj::http {

struct ServerConfig {
  std::string address = "127.0.0.1";
  uint16_t port = 8080;  // 0 picks a free port
  int threads = 4;
  size_t header_limit = 16 * 1024;
  size_t body_limit = 1024 * 1024;
  std::chrono::seconds read_timeout{30};
  std::chrono::seconds shutdown_grace{20};
  // Addresses of proxies whose X-Forwarded-For (the last address) and
  // X-Forwarded-Proto are believed; from anyone else they are ignored.
  std::vector<std::string> trusted_proxies;
};

// Answers one request through the Reply, now or later from another thread;
// must not throw (the router catches everything). The connection reads its
// next request once the reply is written.
using Handler = std::function<void(Request&, Reply)>;

class Server {
 public:
  Server(ServerConfig cfg, Handler handler);
  ~Server();
  // Binds and listens; answers the bound port.
  Result<uint16_t> listen();
  // Serves until SIGTERM/SIGINT or stop(); then waits for in-flight requests.
  void run();
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace dj::http
