#include "enrollment/server/https_server.h"

#include <cpprest/http_listener.h>
#include <pplx/threadpool.h>

#include <exception>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/log.h"

namespace edgetrust::enrollment::server {
namespace {

namespace http = web::http;
using http::experimental::listener::http_listener;
using http::experimental::listener::http_listener_config;

// Context is what every stage of a request needs; it holds no WorkerPool, so a worker task
// never owns (and never joins) its own pool.
struct Context {
  HttpHandler handler;
  size_t max_body = 0;
  std::string name;
};

// Pending is a request on its way to the handler.
struct Pending {
  http::http_request request;
  HttpRequest plain;
  bool head = false;
};

// DeclaredTooLarge: a Content-Length above `max`, or one that does not parse (rather than
// trusting the stream).
bool DeclaredTooLarge(const http::http_request& request, size_t max) {
  const http::http_headers& headers = request.headers();
  auto length = headers.find(http::header_names::content_length);
  if (length == headers.end()) return false;
  try {
    return std::stoull(length->second) > max;
  } catch (const std::exception&) {
    return true;
  }
}

// TakeBody copies the received body (all of it is buffered once the request's data-available
// event is set) into `out`; false, copying nothing, when it is longer than `max`. Never blocks.
bool TakeBody(const http::http_request& request, size_t max, std::string& out) {
  auto stream = request.body();
  if (!stream.is_valid()) return true;
  auto buffer = stream.streambuf();
  const size_t available = buffer.in_avail();
  if (available > max) return false;
  if (available == 0) return true;
  out.resize(available);
  size_t n = buffer.scopy(reinterpret_cast<uint8_t*>(out.data()), available);
  if (n > available) throw std::runtime_error("request body not readable without blocking");
  out.resize(n);
  return true;
}

// Head is the request without its body.
HttpRequest Head(const http::http_request& request) {
  HttpRequest out;
  out.method = request.method();
  const web::uri& uri = request.relative_uri();
  out.path = web::uri::decode(uri.path());
  for (const auto& [key, value] : web::uri::split_query(uri.query())) {
    out.query[web::uri::decode(key)] = web::uri::decode(value);
  }
  out.remote_address = request.remote_address();
  return out;
}

void Send(http::http_request& request, const HttpResponse& answer, bool head) {
  http::http_response response(static_cast<http::status_code>(answer.status));
  if (!head && !answer.body.empty()) {
    std::vector<unsigned char> body(answer.body.begin(), answer.body.end());
    response.set_body(std::move(body));
  }
  response.headers().set_content_type(answer.content_type);
  response.headers().add("Cache-Control", "no-store");
  for (const auto& [name, value] : answer.headers) response.headers().add(name, value);
  // Observe the reply's outcome: an unobserved failed pplx task terminates the process.
  request.reply(response).then([](pplx::task<void> done) {
    try {
      done.get();
    } catch (const std::exception& e) {
      LogDebug(std::string("server: reply not delivered: ") + e.what());
    }
  });
}

// Fail500 logs and answers a generic 500; the connection may already be gone.
void Fail500(const Context& ctx, http::http_request& request, bool head,
             std::string_view what) noexcept {
  try {
    LogError("server: " + ctx.name + " request failed: " + std::string(what));
    Send(request, JsonError(500, "internal", "internal error"), head);
  } catch (...) {
    // the connection is gone; nothing left to tell the client
  }
}

// Handle runs on a worker: the handler, then the reply.
void Handle(const Context& ctx, Pending& pending) noexcept {
  try {
    Send(pending.request, ctx.handler(pending.plain), pending.head);
  } catch (const std::exception& e) {
    Fail500(ctx, pending.request, pending.head, e.what());
  } catch (...) {
    Fail500(ctx, pending.request, pending.head, "unknown exception");
  }
}

// Dispatch queues the handler on `pool`, or answers 503 when its queue is full. Never throws
// (callers have moved `pending` away).
void Dispatch(const std::shared_ptr<const Context>& ctx, WorkerPool& pool,
              Pending pending) noexcept {
  http::http_request request = pending.request;
  const bool head = pending.head;
  try {
    if (pool.TrySubmit([ctx, p = std::move(pending)]() mutable { Handle(*ctx, p); })) return;
    LogDebug("server: " + ctx->name + " busy, request refused");
    HttpResponse busy = JsonError(503, "server.busy", "the service is busy, retry later");
    busy.headers.emplace_back("Retry-After", "1");
    Send(request, busy, head);
  } catch (const std::exception& e) {
    Fail500(*ctx, request, head, e.what());
  } catch (...) {
    Fail500(*ctx, request, head, "unknown exception");
  }
}

// OnBody runs once cpprestsdk has received the whole body (or failed to): never throws, so
// the continuation it runs in never ends faulted.
void OnBody(const std::shared_ptr<const Context>& ctx, WorkerPool& pool, Pending pending,
            const pplx::task<utility::size64_t>& received) noexcept {
  try {
    received.get();  // throws when the body could not be received
    if (!TakeBody(pending.request, ctx->max_body, pending.plain.body)) {
      pending.plain.body.clear();
      pending.plain.body_too_large = true;
    }
    Dispatch(ctx, pool, std::move(pending));
  } catch (const std::exception& e) {
    Fail500(*ctx, pending.request, pending.head, e.what());
  } catch (...) {
    Fail500(*ctx, pending.request, pending.head, "unknown exception");
  }
}

// Accept runs on a cpprestsdk thread for each request and never blocks it.
void Accept(const std::shared_ptr<const Context>& ctx, const std::shared_ptr<WorkerPool>& pool,
            http::http_request request) noexcept {
  bool head = false;
  try {
    head = request.method() == http::methods::HEAD;
    Pending pending{request, Head(request), head};
    if (DeclaredTooLarge(request, ctx->max_body)) {
      pending.plain.body_too_large = true;  // nothing is read
      Dispatch(ctx, *pool, std::move(pending));
      return;
    }
    // The event content_ready() and extract_*() wait on, without their extra continuation.
    auto received = pplx::create_task(request._get_impl()->_get_data_available());
    if (received.is_done()) {
      OnBody(ctx, *pool, std::move(pending), received);
      return;
    }
    received.then([ctx, pool, p = std::move(pending)](pplx::task<utility::size64_t> done) mutable {
      OnBody(ctx, *pool, std::move(p), done);
    });
  } catch (const std::exception& e) {
    Fail500(*ctx, request, head, e.what());
  } catch (...) {
    Fail500(*ctx, request, head, "unknown exception");
  }
}

}  // namespace

struct HttpsServer::Impl {
  std::unique_ptr<http_listener> listener;
  std::string name;
  std::shared_ptr<WorkerPool> own_pool;  // set when the spec gave none
};

HttpsServer::HttpsServer(std::unique_ptr<Impl> impl, std::string url)
    : impl_(std::move(impl)), url_(std::move(url)) {}

HttpsServer::~HttpsServer() { Stop(); }

void HttpsServer::Stop() {
  if (!impl_ || !impl_->listener) return;
  try {
    impl_->listener->close().wait();
  } catch (const std::exception& e) {
    LogWarning("server: closing the " + impl_->name + " listener: " + e.what());
  }
  impl_->listener.reset();
  if (impl_->own_pool) impl_->own_pool->Stop();
}

Status InitializeTransportThreads(size_t threads) {
  try {
    crossplat::threadpool::initialize_with_threads(threads);
  } catch (const std::exception& e) {
    return Fail(ErrorCode::kFailedPrecondition, "server.threads",
                std::string("cannot size the transport thread pool: ") + e.what());
  }
  return Ok();
}

Result<std::unique_ptr<HttpsServer>> HttpsServer::Start(const ListenerSpec& spec,
                                                        HttpHandler handler) {
  std::string url = "https://" + spec.address + ":" + std::to_string(spec.port);
  auto impl = std::make_unique<Impl>();
  impl->name = spec.name;
  http_listener_config config;
  config.set_timeout(std::chrono::seconds(30));
  std::shared_ptr<const ServerTlsContext> tls = spec.tls;
  std::string name = spec.name;
  config.set_ssl_context_callback([tls, name](boost::asio::ssl::context& ctx) {
    // Runs on an I/O thread for each accepted connection: never throw from here.
    if (auto ok = tls->Apply(ctx.native_handle()); !ok) {
      LogError("server: " + name + " TLS setup failed: " + ok.error().ToString());
    }
  });
  try {
    impl->listener = std::make_unique<http_listener>(web::uri(url + "/"), config);
    auto ctx = std::make_shared<const Context>(Context{std::move(handler), spec.max_body, name});
    std::shared_ptr<WorkerPool> pool = spec.workers;
    if (!pool) {
      pool = std::make_shared<WorkerPool>(WorkerPool::DefaultThreads(), kDefaultMaxQueued);
      impl->own_pool = pool;
    }
    impl->listener->support(
        [ctx, pool](http::http_request request) { Accept(ctx, pool, std::move(request)); });
    impl->listener->open().wait();
  } catch (const std::exception& e) {
    return Fail(ErrorCode::kUnavailable, "server.listen",
                "cannot listen on " + url + " (" + spec.name + "): " + e.what());
  }
  return std::unique_ptr<HttpsServer>(new HttpsServer(std::move(impl), url));
}

}  // namespace edgetrust::enrollment::server
