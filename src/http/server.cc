#include "http/server.h"

#include <malloc.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/url/parse.hpp>
#include <cstdio>
#include <optional>
#include <thread>
#include <vector>

namespace dj::http {
namespace {

namespace beast = boost::beast;
namespace bhttp = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

struct State {
  ServerConfig cfg;
  Handler handler;
  std::atomic<bool> stopping{false};
  std::atomic<int> in_flight{0};
};

constexpr size_t kTrimAbove = 4u << 20;

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string problem_body(int status, const char* title, const std::string& detail) {
  // Hand-written to stay free of the JSON library here; detail is ASCII.
  return "{\"type\":\"about:blank\",\"title\":\"" + std::string(title) +
         "\",\"status\":" + std::to_string(status) + ",\"detail\":\"" + detail + "\"}";
}

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, std::shared_ptr<State> st)
      : stream_(std::move(socket)), st_(std::move(st)) {
    beast::error_code ec;
    auto ep = stream_.socket().remote_endpoint(ec);
    if (!ec) client_ip_ = ep.address().to_string();
    const auto& proxies = st_->cfg.trusted_proxies;
    trusted_ = std::find(proxies.begin(), proxies.end(), client_ip_) != proxies.end();
  }

  void start() {
    net::dispatch(stream_.get_executor(),
                  beast::bind_front_handler(&Session::read, shared_from_this()));
  }

 private:
  void read() {
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(st_->cfg.header_limit));
    parser_->body_limit(st_->cfg.body_limit);
    stream_.expires_after(st_->cfg.read_timeout);
    bhttp::async_read_header(stream_, buffer_, *parser_,
                             beast::bind_front_handler(&Session::on_header, shared_from_this()));
  }

  // The headers are in (a body over the limit is refused already, from its
  // Content-Length): a client that waits for `100 Continue` gets it now, and
  // the body is read.
  void on_header(beast::error_code ec, std::size_t) {
    if (ec) return on_read(ec, 0);
    const auto& req = parser_->get();
    // Framing a proxy could read otherwise (RFC 9112 §6): only chunked is a
    // transfer coding here, and the connection closes after the refusal so
    // that no body is taken for a second request.
    if (auto te = req.find(bhttp::field::transfer_encoding);
        te != req.end() && !beast::iequals(te->value(), "chunked")) {
      return send_plain(400, "Bad Request", "Transfer-Encoding other than chunked is refused");
    }
    if (req.version() >= 11 && req.find(bhttp::field::host) == req.end()) {
      return send_plain(400, "Bad Request", "an HTTP/1.1 request needs a Host header");
    }
    // An encoded slash stays part of its segment nowhere in this API: refused
    // rather than decoded into a separator.
    if (const auto target = req.target();
        target.substr(0, target.find('?')).find("%2F") != std::string_view::npos ||
        target.substr(0, target.find('?')).find("%2f") != std::string_view::npos) {
      return send_plain(400, "Bad Request", "an encoded slash (%2F) in the path is refused");
    }

    if (auto ex = req.find(bhttp::field::expect); ex != req.end() &&
                                                  beast::iequals(ex->value(), "100-continue") &&
                                                  req.version() >= 11 && !parser_->is_done()) {
      static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
      return net::async_write(stream_, net::buffer(kContinue.data(), kContinue.size()),
                              [self = shared_from_this()](beast::error_code wec, std::size_t) {
                                if (wec) return self->close();
                                self->read_body();
                              });
    }
    read_body();
  }

  void read_body() {
    bhttp::async_read(stream_, buffer_, *parser_,
                      beast::bind_front_handler(&Session::on_read, shared_from_this()));
  }

  void on_read(beast::error_code ec, std::size_t) {
    if (ec == bhttp::error::end_of_stream || ec == beast::error::timeout ||
        ec == net::error::operation_aborted || ec == net::error::connection_reset ||
        ec == net::error::eof) {
      return close();
    }
    if (ec == bhttp::error::body_limit) {
      return send_plain(
          413, "Payload Too Large",
          "the request body is larger than " + std::to_string(st_->cfg.body_limit) + " bytes");
    }
    if (ec == bhttp::error::header_limit) {
      return send_plain(431, "Request Header Fields Too Large",
                        "the request headers are larger than " +
                            std::to_string(st_->cfg.header_limit) + " bytes");
    }
    if (ec) return send_plain(400, "Bad Request", "malformed HTTP request");

    auto& req = parser_->get();
    ++st_->in_flight;
    Request r;
    r.method = std::string(req.method_string());
    r.client_ip = client_ip_;
    for (const auto& f : req)
      r.headers.emplace_back(lower(f.name_string()), std::string(f.value()));
    if (trusted_) forwarded(r);
    r.body = std::move(req.body());
    auto url = boost::urls::parse_origin_form(req.target());
    if (!url) {
      Response out;
      out.status = 400;
      out.content_type = "application/problem+json";
      out.body = problem_body(400, "Bad Request", "malformed request target");
      return write(std::move(out));
    }
    r.path = url->path();
    for (auto p : url->params()) r.query.emplace_back(p.key, p.value);
    // Written on this connection's thread: at once when the handler answers
    // here, posted to it when another thread answers.
    st_->handler(r, [self = shared_from_this()](Response out) {
      net::dispatch(self->stream_.get_executor(),
                    [self, out = std::move(out)]() mutable { self->write(std::move(out)); });
    });
  }

  // What a trusted proxy says of its client: the last X-Forwarded-For entry
  // (the one the proxy added; earlier ones come from the client), and TLS.
  static void forwarded(Request& r) {
    std::string_view xff = r.header("x-forwarded-for");
    std::string_view last = xff.substr(xff.rfind(',') + 1);
    while (!last.empty() && last.front() == ' ') last.remove_prefix(1);
    while (!last.empty() && last.back() == ' ') last.remove_suffix(1);
    beast::error_code ec;
    auto addr = net::ip::make_address(std::string(last), ec);
    if (!ec) r.client_ip = addr.to_string();
    r.secure = r.header("x-forwarded-proto") == "https";
  }

  // The status line and headers of `out` on `res`, and whether the
  // connection stays open after it.
  template <class Body>
  void head(bhttp::response<Body>& res, const Response& out) {
    const auto& req = parser_->get();
    res.version(req.version());
    res.result(static_cast<unsigned>(out.status));
    res.set(bhttp::field::server, "dangjiao");
    res.set(bhttp::field::content_type, out.content_type);
    res.set("X-Content-Type-Options", "nosniff");
    for (const auto& [k, v] : out.headers) res.insert(k, v);
    res.keep_alive(req.keep_alive() && !st_->stopping);
    keep_ = res.keep_alive();
  }

  void write(Response out) {
    if (out.file) return write_file(std::move(out));
    const auto& req = parser_->get();
    res_ = {};
    head(res_, out);
    res_.body() = std::move(out.body);
    res_.prepare_payload();
    if (req.method() == bhttp::verb::head) {  // the length GET would send, no body
      const auto length = res_.body().size();
      res_.body().clear();
      res_.content_length(length);
    }
    bhttp::async_write(stream_, res_,
                       beast::bind_front_handler(&Session::on_write, shared_from_this(), true));
  }

  void send_plain(int status, const char* title, const std::string& detail) {
    res_ = {};
    res_.result(static_cast<unsigned>(status));
    res_.set(bhttp::field::content_type, "application/problem+json");
    res_.body() = problem_body(status, title, detail);
    res_.keep_alive(false);
    keep_ = false;
    res_.prepare_payload();
    bhttp::async_write(stream_, res_,
                       beast::bind_front_handler(&Session::on_write, shared_from_this(), false));
  }

  // A file body: the header, then the file's part in pieces, each written
  // before the next is read, with the read timeout per piece (a client that
  // stops reading is dropped). The file is opened first, so a file gone
  // missing answers 404 rather than a cut-off body.
  void write_file(Response out) {
    const auto& req = parser_->get();
    const FileBody f = *out.file;
    file_.reset(std::fopen(f.path.c_str(), "rb"));
    if (!file_ || fseeko(file_.get(), static_cast<off_t>(f.offset), SEEK_SET) != 0) {
      file_.reset();
      Response gone;
      gone.status = 404;
      gone.content_type = "application/problem+json";
      gone.body = problem_body(404, "Not Found", "the file is missing");
      return write(std::move(gone));
    }
    file_left_ = f.length;
    head_writer_.reset();
    head_ = {};
    head(head_, out);
    head_.content_length(f.length);
    if (req.method() == bhttp::verb::head) file_left_ = 0;
    head_writer_.emplace(head_);
    stream_.expires_after(st_->cfg.read_timeout);
    bhttp::async_write_header(stream_, *head_writer_,
                              [self = shared_from_this()](beast::error_code ec, std::size_t) {
                                if (ec) return self->on_write(true, ec, 0);
                                self->write_piece();
                              });
  }

  void write_piece() {
    if (file_left_ == 0) {
      file_.reset();
      return on_write(true, {}, 0);
    }
    constexpr size_t kPiece = 128 * 1024;
    piece_.resize(kPiece);
    const size_t want = static_cast<size_t>(std::min<uint64_t>(kPiece, file_left_));
    const size_t got = std::fread(piece_.data(), 1, want, file_.get());
    if (got == 0) {  // the file shrank under us: the body cannot be completed
      file_.reset();
      return close();
    }
    file_left_ -= got;
    stream_.expires_after(st_->cfg.read_timeout);
    net::async_write(stream_, net::buffer(piece_.data(), got),
                     [self = shared_from_this()](beast::error_code ec, std::size_t) {
                       if (ec) {
                         self->file_.reset();
                         return self->on_write(true, ec, 0);
                       }
                       self->write_piece();
                     });
  }

  void on_write(bool counted, beast::error_code ec, std::size_t) {
    if (counted) --st_->in_flight;
    // A large answer's pages go back to the system once it is sent (glibc
    // keeps freed memory otherwise: a 30 MB report left 300 MB resident).
    if (res_.body().capacity() > kTrimAbove) {
      res_ = {};
      malloc_trim(0);
    }
    if (ec || !keep_) return close();
    read();
  }

  void close() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    stream_.socket().close(ec);
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  bhttp::response<bhttp::string_body> res_;
  bool keep_ = false;  // the answer being written keeps the connection
  // A file body being written (write_file).
  struct FileCloser {
    void operator()(std::FILE* f) const { std::fclose(f); }
  };
  std::unique_ptr<std::FILE, FileCloser> file_;
  uint64_t file_left_ = 0;
  bhttp::response<bhttp::empty_body> head_;
  std::optional<bhttp::response_serializer<bhttp::empty_body>> head_writer_;
  std::vector<char> piece_;
  std::shared_ptr<State> st_;
  std::string client_ip_;
  bool trusted_ = false;  // the peer is a trusted proxy
};

}  // namespace

// One io_context per thread, each connection pinned to one of them: no
// strands. Handlers may block on the database; a connection's neighbours on
// the same thread wait for that short time. A reply from another thread (a
// deferred route) is posted to the connection's own thread.
struct Server::Impl {
  std::shared_ptr<State> st = std::make_shared<State>();
  std::vector<std::unique_ptr<net::io_context>> contexts;
  std::unique_ptr<tcp::acceptor> acceptor;
  std::unique_ptr<net::signal_set> signals;
  size_t next = 0;

  net::io_context& main() { return *contexts.front(); }

  void accept() {
    net::io_context& target = *contexts[next++ % contexts.size()];
    acceptor->async_accept(target, [this](beast::error_code ec, tcp::socket s) {
      if (!acceptor->is_open()) return;
      if (!ec) {
        s.set_option(tcp::no_delay(true), ec);
        std::make_shared<Session>(std::move(s), st)->start();
      }
      accept();
    });
  }

  void stop_all() {
    for (auto& c : contexts) c->stop();
  }

  void begin_stop() {
    if (st->stopping.exchange(true)) return;
    spdlog::info("stopping: no new connections, finishing {} in-flight requests",
                 st->in_flight.load());
    beast::error_code ec;
    acceptor->close(ec);
    signals->cancel(ec);
    auto deadline = std::chrono::steady_clock::now() + st->cfg.shutdown_grace;
    wait_idle(std::make_shared<net::steady_timer>(main()), deadline);
  }

  void wait_idle(std::shared_ptr<net::steady_timer> timer,
                 std::chrono::steady_clock::time_point deadline) {
    if (st->in_flight.load() == 0 || std::chrono::steady_clock::now() > deadline) {
      stop_all();
      return;
    }
    timer->expires_after(std::chrono::milliseconds(20));
    timer->async_wait([this, timer, deadline](beast::error_code) { wait_idle(timer, deadline); });
  }
};

Server::Server(ServerConfig cfg, Handler handler) : impl_(std::make_unique<Impl>()) {
  impl_->st->cfg = std::move(cfg);
  impl_->st->handler = std::move(handler);
  const int n = std::max(1, impl_->st->cfg.threads);
  for (int i = 0; i < n; ++i) impl_->contexts.push_back(std::make_unique<net::io_context>(1));
  impl_->acceptor = std::make_unique<tcp::acceptor>(impl_->main());
  impl_->signals = std::make_unique<net::signal_set>(impl_->main(), SIGINT, SIGTERM);
}

Server::~Server() = default;

Result<uint16_t> Server::listen() {
  beast::error_code ec;
  auto addr = net::ip::make_address(impl_->st->cfg.address, ec);
  if (ec)
    return Error::invalid("listen", "address", "not an IP address: " + impl_->st->cfg.address);
  tcp::endpoint ep{addr, impl_->st->cfg.port};
  auto& a = *impl_->acceptor;
  a.open(ep.protocol(), ec);
  if (!ec) a.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) a.bind(ep, ec);
  if (!ec) a.listen(net::socket_base::max_listen_connections, ec);
  if (ec) {
    return Error{ErrorCode::unavailable,
                 "cannot listen on " + impl_->st->cfg.address + ":" +
                     std::to_string(impl_->st->cfg.port) + ": " + ec.message(),
                 {}};
  }
  return a.local_endpoint().port();
}

void Server::run() {
  impl_->signals->async_wait([this](beast::error_code ec, int) {
    if (!ec) impl_->begin_stop();
  });
  impl_->accept();
  std::vector<std::thread> threads;
  // Keep every context running even while it has no connection yet.
  std::vector<net::executor_work_guard<net::io_context::executor_type>> guards;
  for (auto& c : impl_->contexts) guards.push_back(net::make_work_guard(*c));
  for (size_t i = 1; i < impl_->contexts.size(); ++i) {
    threads.emplace_back([this, i] { impl_->contexts[i]->run(); });
  }
  impl_->main().run();
  for (auto& t : threads) t.join();
}

void Server::stop() {
  net::post(impl_->main(), [this] { impl_->begin_stop(); });
}

}  // namespace dj::http
