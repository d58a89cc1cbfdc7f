// HttpsServer is one TLS listener (cpprestsdk's asio http_listener) that turns each request
// into a plain HttpRequest, calls the handler and sends its HttpResponse. This is the only
// place that includes cpprestsdk headers, and the transport edge where its exceptions stop:
// anything thrown while reading, handling or replying becomes a generic 500 and a log line.
//
// The body is read up to `max_body` bytes: a Content-Length above it, or a stream that goes
// past it, sets HttpRequest::body_too_large without reading further (the handler answers 413).
// TLS is set up per connection from `tls` (ServerTlsContext::Apply); a failure there is logged
// and the handshake fails.
//
// Thread-safety: the handler is called concurrently from cpprestsdk's thread pool. Stop (or
// destruction) closes the listener and waits for it.
#ifndef EDGETRUST_ENROLLMENT_SERVER_HTTPS_SERVER_H_
#define EDGETRUST_ENROLLMENT_SERVER_HTTPS_SERVER_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "common/error.h"
#include "enrollment/server/http.h"
#include "enrollment/server/tls_context.h"

namespace edgetrust::enrollment::server {

struct ListenerSpec {
  std::string name;     // "device" / "operator", for logs
  std::string address;  // bind address (IPv4 literal or host name)
  uint16_t port = 0;
  std::shared_ptr<const ServerTlsContext> tls;
  size_t max_body = 64 * 1024;
};

class HttpsServer {
 public:
  // Start opens the listener. Errors: kUnavailable "server.listen" (bind failed, port in use).
  static Result<std::unique_ptr<HttpsServer>> Start(const ListenerSpec& spec, HttpHandler handler);
  ~HttpsServer();
  HttpsServer(const HttpsServer&) = delete;
  HttpsServer& operator=(const HttpsServer&) = delete;

  // url is "https://<address>:<port>".
  const std::string& url() const { return url_; }
  void Stop();

 private:
  struct Impl;
  HttpsServer(std::unique_ptr<Impl> impl, std::string url);
  std::unique_ptr<Impl> impl_;
  std::string url_;
};

}  // namespace edgetrust::enrollment::server

#endif  // EDGETRUST_ENROLLMENT_SERVER_HTTPS_SERVER_H_
