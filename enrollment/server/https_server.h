// HttpsServer is one TLS listener (cpprestsdk's asio http_listener) that turns each request
// into a plain HttpRequest, calls the handler and sends its HttpResponse. This is the only
// place that includes cpprestsdk headers, and the transport edge where its exceptions stop:
// anything thrown while reading, handling or replying becomes a generic 500 and a log line.
//
// Threads: cpprestsdk's pool threads only do I/O, TLS and short continuations; nothing here
// blocks them. The body is taken once cpprestsdk has received all of it (a continuation, not
// a blocking read), then the handler runs on `workers` (WorkerPool) and replies from there.
// When the pool's queue is full the request is answered 503 `server.busy` without calling
// the handler. So cpprestsdk's pool may be small (main.cc sizes it).
//
// The body is taken up to `max_body` bytes: a Content-Length above it (or unparseable), or a
// received body longer than it, sets HttpRequest::body_too_large and no byte of it is copied
// (the handler answers 413). cpprestsdk itself receives the whole body before it sends any
// reply (it buffers it), as it did before.
// TLS is set up per connection from `tls` (ServerTlsContext::Apply); a failure there is logged
// and the handshake fails.
//
// Thread-safety: the handler is called concurrently from the worker threads. Stop (or
// destruction) closes the listener and waits for it; requests already queued on `workers`
// still run (the owner stops the pool after the listeners, see Enrolld).
#ifndef EDGETRUST_ENROLLMENT_SERVER_HTTPS_SERVER_H_
#define EDGETRUST_ENROLLMENT_SERVER_HTTPS_SERVER_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "common/error.h"
#include "enrollment/server/http.h"
#include "enrollment/server/tls_context.h"
#include "enrollment/server/worker_pool.h"

namespace edgetrust::enrollment::server {

struct ListenerSpec {
  std::string name;     // "device" / "operator", for logs
  std::string address;  // bind address (IPv4 literal or host name)
  uint16_t port = 0;
  std::shared_ptr<const ServerTlsContext> tls;
  size_t max_body = 64 * 1024;
  // Runs the handler; may be shared by listeners. Null: Start makes a private pool of
  // WorkerPool::DefaultThreads() threads and kDefaultMaxQueued queued requests.
  std::shared_ptr<WorkerPool> workers;
};

// Requests waiting for a worker before the listener answers 503 (each holds at most max_body).
inline constexpr size_t kDefaultMaxQueued = 1024;

// InitializeTransportThreads sizes cpprestsdk's shared I/O thread pool (default 40 threads).
// Call it once, from main, before anything uses cpprestsdk (listeners, tasks).
// Errors: kFailedPrecondition "server.threads" (the pool already exists).
Status InitializeTransportThreads(size_t threads);

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
