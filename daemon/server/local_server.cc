// LocalServer: the acceptor, the I/O thread and one Session per connection (Boost.Beast). The
// endpoints themselves are transport-free (endpoints.h); this file only moves bytes, bounds
// them and logs.
#include "daemon/server/local_server.h"

#include <unistd.h>

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <exception>
#include <optional>
#include <thread>
#include <utility>

#include "common/log.h"
#include "daemon/api/deployment_wire.h"
#include "daemon/server/endpoints.h"
#include "daemon/server/socket_file.h"

namespace edgetrust::daemon::server {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using Protocol = net::local::stream_protocol;

constexpr uint32_t kMaxHeaderSize = 8 * 1024;
constexpr size_t kControlThreads = 2;

// Shared is what every session needs; it outlives them all (the io_context and the pool, which
// hold the sessions, are torn down first).
struct Shared {
  LocalServerOptions options;
  service::Control& control;
  net::thread_pool& workers;
  std::atomic<size_t> connections{0};
};

// LogPath keeps client bytes out of the log's structure: printable ASCII, at most 64.
std::string LogPath(std::string_view target) {
  std::string out;
  for (char c : target.substr(0, 64)) out += (c > ' ' && c <= '~') ? c : '?';
  return out.empty() ? "-" : out;
}

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(Protocol::socket socket, std::shared_ptr<Shared> shared, uid_t uid)
      : stream_(std::move(socket)), shared_(std::move(shared)), uid_(uid) {
    const config::Principal* p = FindPrincipal(shared_->options.principals, uid_);
    principal_ = p == nullptr ? "-" : p->name;
  }
  ~Session() { shared_->connections.fetch_sub(1); }

  void ReadRequest() {
    parser_.emplace();
    parser_->header_limit(kMaxHeaderSize);
    // The largest body any route takes; OnHeader narrows it to the route's own limit.
    parser_->body_limit(api::kMaxDeploymentBodySize);
    // The whole request, from its first byte (or the idle wait before it) to its last, must
    // arrive within read_timeout: a client that trickles bytes is dropped (slowloris).
    stream_.expires_after(shared_->options.read_timeout);
    http::async_read_header(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code ec, size_t) { self->OnHeader(ec); });
  }

 private:
  // OnHeader sets the body limit from the route and the caller (BodyLimit) before a body byte
  // is read, then reads the rest within the same deadline.
  void OnHeader(beast::error_code ec) {
    if (ec) return OnRead(ec);
    const auto& header = parser_->get();
    const size_t limit =
        BodyLimit(shared_->options.principals, uid_, std::string_view(header.method_string()),
                  std::string_view(header.target()));
    // A declared length over the limit is refused now, before a body byte is read; a chunked
    // body is cut by the parser's limit as it arrives.
    if (parser_->content_length() && *parser_->content_length() > limit) {
      return OnRead(http::error::body_limit);
    }
    parser_->body_limit(limit);
    http::async_read(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code ec2, size_t) { self->OnRead(ec2); });
  }

  void OnRead(beast::error_code ec) {
    if (ec == http::error::end_of_stream) return Close();  // the client is done
    if (ec == beast::error::timeout) {
      LogInfo("local_api: uid=" + std::to_string(uid_) + " principal=" + principal_ +
              " request not received within the read timeout; closing");
      return Close();
    }
    if (ec == http::error::body_limit) {
      return Send(ErrorReply(Error{ErrorCode::kInvalidArgument, "request.too_large", ""}), "-", "-",
                  true);
    }
    if (ec == http::error::header_limit) {
      Reply reply = ErrorReply(Error{ErrorCode::kInvalidArgument, "request.headers_too_large", ""});
      reply.status = 431;
      return Send(std::move(reply), "-", "-", true);
    }
    if (ec && ec.category() == beast::error_code(http::error::bad_version).category() &&
        ec != http::error::partial_message) {
      return Send(ErrorReply(Error{ErrorCode::kInvalidArgument, "request.malformed_http", ""}), "-",
                  "-", true);
    }
    if (ec) return Close();  // reset, partial request then EOF, or the server stopping

    auto request = std::make_shared<http::request<http::string_body>>(parser_->release());
    bool close = !request->keep_alive();
    // Control calls may block (TPM, factory reset): run them on the pool, answer on the
    // stream's executor. Nothing reads this connection meanwhile, so no timer runs.
    net::post(shared_->workers, [self = shared_from_this(), request, close] {
      std::string method(request->method_string());
      std::string target(request->target());
      Reply reply;
      try {
        reply = Dispatch(self->shared_->options.principals, self->shared_->control,
                         RequestView{method, target, request->body(), self->uid_});
      } catch (const std::exception& e) {  // a Control implementation broke its contract
        LogError(std::string("local_api: endpoint threw: ") + e.what());
        reply = ErrorReply(Error{ErrorCode::kInternal, "internal", ""});
      }
      net::post(self->stream_.get_executor(),
                [self, reply = std::move(reply), method, target, close]() mutable {
                  self->Send(std::move(reply), method, target, close);
                });
    });
  }

  void Send(Reply reply, const std::string& method, const std::string& target, bool close) {
    LogInfo("local_api: uid=" + std::to_string(uid_) + " principal=" + principal_ + " " +
            LogPath(method) + " " + LogPath(target) + " -> " + std::to_string(reply.status) +
            (reply.reason.empty() ? "" : " " + reply.reason));
    auto response = std::make_shared<http::response<http::string_body>>(
        static_cast<http::status>(reply.status), 11);
    response->set(http::field::server, "edgetrustd");
    response->set(http::field::content_type, reply.content_type);
    if (!reply.allow.empty()) response->set(http::field::allow, reply.allow);
    response->body() = std::move(reply.body);
    response->keep_alive(!close);
    response->prepare_payload();
    stream_.expires_after(shared_->options.read_timeout);  // a client that never reads
    http::async_write(stream_, *response,
                      [self = shared_from_this(), response, close](beast::error_code ec, size_t) {
                        if (ec || close) return self->Close();
                        self->ReadRequest();
                      });
  }

  void Close() {
    beast::error_code ignored;
    stream_.socket().shutdown(Protocol::socket::shutdown_both, ignored);
    stream_.close();
  }

  beast::basic_stream<Protocol> stream_;
  std::shared_ptr<Shared> shared_;
  uid_t uid_;
  std::string principal_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
};

}  // namespace

struct LocalServer::Impl {
  Impl(const LocalServerOptions& options, service::Control& control)
      : shared(std::make_shared<Shared>(options, control, workers)) {}

  void Accept() {
    acceptor.async_accept([this](beast::error_code ec, Protocol::socket socket) {
      if (ec == net::error::operation_aborted) return;  // stopping
      if (!ec) {
        OnAccept(std::move(socket));
        return Accept();
      }
      // Out of descriptors or memory: pause instead of spinning on the failing accept.
      LogWarning("local_api: accept: " + ec.message());
      retry.expires_after(std::chrono::milliseconds(100));
      retry.async_wait([this](beast::error_code wec) {
        if (!wec) Accept();
      });
    });
  }

  void OnAccept(Protocol::socket socket) {
    auto uid = PeerUid(socket.native_handle());
    if (!uid) {
      LogWarning("local_api: " + uid.error().ToString());
      return;  // the socket closes
    }
    if (shared->connections.load() >= shared->options.max_connections) {
      LogWarning("local_api: uid=" + std::to_string(*uid) + " refused: " +
                 std::to_string(shared->options.max_connections) + " connections open");
      return;
    }
    shared->connections.fetch_add(1);
    std::make_shared<Session>(std::move(socket), shared, *uid)->ReadRequest();
  }

  // Declaration order is teardown order reversed: the io_context (owning the sessions'
  // pending handlers) goes before `shared`, after the pool has been joined.
  net::thread_pool workers{kControlThreads};
  std::shared_ptr<Shared> shared;
  net::io_context io;
  Protocol::acceptor acceptor{io};
  net::steady_timer retry{io};
  std::thread thread;
  ListeningSocket listening;
};

Result<std::unique_ptr<LocalServer>> LocalServer::Start(const LocalServerOptions& options,
                                                        service::Control& control) {
  if (options.read_timeout.count() <= 0 || options.max_connections == 0) {
    return Fail(ErrorCode::kInvalidArgument, "local_api.options",
                "read_timeout and max_connections must be positive");
  }
  auto listening = BindListeningSocket(options.socket_path, options.mode);
  if (!listening) return Fail(listening.error());
  try {
    auto impl = std::make_unique<Impl>(options, control);
    impl->listening = *listening;
    impl->acceptor.assign(Protocol(), listening->fd);
    impl->Accept();
    impl->thread = std::thread([io = &impl->io] { io->run(); });
    LogInfo("local_api: listening on " + options.socket_path);
    return std::unique_ptr<LocalServer>(new LocalServer(std::move(impl)));
  } catch (const std::exception& e) {
    RemoveSocketFile(options.socket_path, listening->dev, listening->ino);
    return Fail(ErrorCode::kInternal, "local_api.start", e.what());
  }
}

LocalServer::LocalServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

LocalServer::~LocalServer() {
  impl_->io.stop();
  if (impl_->thread.joinable()) impl_->thread.join();
  impl_->workers.join();
  boost::system::error_code ignored;
  impl_->acceptor.close(ignored);
  RemoveSocketFile(impl_->shared->options.socket_path, impl_->listening.dev, impl_->listening.ino);
}

const std::string& LocalServer::socket_path() const { return impl_->shared->options.socket_path; }

}  // namespace edgetrust::daemon::server
