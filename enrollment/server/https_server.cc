#include "enrollment/server/https_server.h"

#include <cpprest/http_listener.h>
#include <cpprest/rawptrstream.h>

#include <exception>
#include <string>
#include <vector>

#include "common/log.h"

namespace edgetrust::enrollment::server {
namespace {

namespace http = web::http;
using http::experimental::listener::http_listener;
using http::experimental::listener::http_listener_config;

constexpr size_t kReadChunk = 16 * 1024;

// ReadBody reads at most `max` bytes of the request body; true when it stayed within `max`.
bool ReadBody(const http::http_request& request, size_t max, std::string& out) {
  const http::http_headers& headers = request.headers();
  auto length = headers.find(http::header_names::content_length);
  if (length != headers.end()) {
    try {
      if (std::stoull(length->second) > max) return false;
    } catch (const std::exception&) {
      return false;  // unparseable length: treat as too large rather than trusting the stream
    }
  }
  auto stream = request.body();
  if (!stream.is_valid()) return true;
  std::vector<uint8_t> chunk(kReadChunk);
  while (true) {
    concurrency::streams::rawptr_buffer<uint8_t> buffer(chunk.data(), chunk.size());
    size_t n = stream.read(buffer, chunk.size()).get();
    if (n == 0) return true;
    if (out.size() + n > max) return false;
    out.append(reinterpret_cast<const char*>(chunk.data()), n);
  }
}

HttpRequest Translate(const http::http_request& request, size_t max_body) {
  HttpRequest out;
  out.method = request.method();
  const web::uri& uri = request.relative_uri();
  out.path = web::uri::decode(uri.path());
  for (const auto& [key, value] : web::uri::split_query(uri.query())) {
    out.query[web::uri::decode(key)] = web::uri::decode(value);
  }
  out.remote_address = request.remote_address();
  if (!ReadBody(request, max_body, out.body)) {
    out.body.clear();
    out.body_too_large = true;
  }
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

}  // namespace

struct HttpsServer::Impl {
  std::unique_ptr<http_listener> listener;
  std::string name;
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
    size_t max_body = spec.max_body;
    impl->listener->support([handler, max_body, name](http::http_request request) {
      bool head = false;
      try {
        head = request.method() == http::methods::HEAD;
        HttpRequest plain = Translate(request, max_body);
        HttpResponse answer = handler(plain);
        Send(request, answer, head);
      } catch (const std::exception& e) {
        LogError("server: " + name + " request failed: " + e.what());
        try {
          Send(request, JsonError(500, "internal", "internal error"), head);
        } catch (const std::exception&) {
          // the connection is gone; nothing left to tell the client
        }
      } catch (...) {
        LogError("server: " + name + " request failed with an unknown exception");
      }
    });
    impl->listener->open().wait();
  } catch (const std::exception& e) {
    return Fail(ErrorCode::kUnavailable, "server.listen",
                "cannot listen on " + url + " (" + spec.name + "): " + e.what());
  }
  return std::unique_ptr<HttpsServer>(new HttpsServer(std::move(impl), url));
}

}  // namespace edgetrust::enrollment::server
