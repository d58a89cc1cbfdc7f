// LocalClient: one HTTP/1.1 exchange per call over the daemon's Unix socket (Boost.Beast).
#include "daemon/api/local_client.h"

#include <sys/un.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cerrno>
#include <exception>
#include <utility>

namespace edgetrust::daemon::api {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using Stream = beast::basic_stream<net::local::stream_protocol>;

bool ValidTarget(std::string_view target) {
  if (target.empty() || target.front() != '/') return false;
  for (char c : target) {
    if (c <= ' ' || c > '~') return false;
  }
  return true;
}

Error TransportError(const beast::error_code& ec, bool connecting) {
  if (ec == beast::error::timeout) {
    return Error{ErrorCode::kUnavailable, "local_api.timeout", "the daemon did not answer in time"};
  }
  if (connecting && ec == boost::system::errc::permission_denied) {
    return Error{ErrorCode::kPermissionDenied, "local_api.forbidden",
                 "this user may not connect to the daemon's socket"};
  }
  if (connecting && (ec == boost::system::errc::no_such_file_or_directory ||
                     ec == boost::system::errc::connection_refused ||
                     ec == boost::system::errc::not_a_directory)) {
    return Error{ErrorCode::kUnavailable, "local_api.unreachable",
                 "the daemon is not running (" + ec.message() + ")"};
  }
  const bool http_parse_error =
      ec.category() == beast::error_code(http::error::bad_version).category();
  if (http_parse_error && ec != http::error::end_of_stream && ec != http::error::partial_message) {
    return Error{ErrorCode::kInternal, "local_api.bad_response",
                 "the daemon's answer is too large or not HTTP"};
  }
  return Error{ErrorCode::kUnavailable, "local_api.io",
               std::string(connecting ? "connect: " : "exchange: ") + ec.message()};
}

ErrorCode CodeForStatus(int status) {
  switch (status) {
    case 400:
      return ErrorCode::kInvalidArgument;
    case 403:
    case 422:  // a deployment the gate refused
      return ErrorCode::kPermissionDenied;
    case 404:
      return ErrorCode::kNotFound;
    case 409:
    case 412:
      return ErrorCode::kFailedPrecondition;
    case 503:
      return ErrorCode::kUnavailable;
    default:
      return ErrorCode::kInternal;
  }
}

Result<LocalResponse> Exchange(const LocalClientOptions& options, http::verb verb,
                               std::string_view target, std::string_view body) {
  net::io_context ioc;
  Stream stream(ioc);
  net::local::stream_protocol::endpoint endpoint(options.socket_path);
  http::request<http::string_body> request{verb, beast::string_view(target.data(), target.size()),
                                           11};
  request.set(http::field::host, "localhost");
  request.set(http::field::user_agent, "edgetrust");
  if (!body.empty()) request.set(http::field::content_type, "application/json");
  request.body() = std::string(body);
  request.keep_alive(false);
  request.prepare_payload();

  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(kMaxLocalResponseSize);
  std::optional<Error> failure;
  stream.expires_after(options.timeout);
  stream.async_connect(endpoint, [&](beast::error_code ec) {
    if (ec) {
      failure = TransportError(ec, true);
      return;
    }
    http::async_write(stream, request, [&](beast::error_code wec, size_t) {
      // A server may answer before it has read the whole body (413) and close: the answer is
      // already in our receive buffer, so read it even when the write failed.
      http::async_read(stream, buffer, parser, [&, wec](beast::error_code rec, size_t) {
        if (rec) failure = TransportError(wec ? wec : rec, false);
      });
    });
  });
  ioc.run();
  if (failure) return Fail(*failure);
  LocalResponse out;
  out.status = static_cast<int>(parser.get().result_int());
  out.content_type = std::string(parser.get()[http::field::content_type]);
  out.body = std::move(parser.get().body());
  return out;
}

// Typed runs a request and parses a 2xx answer with `parse`.
template <typename T, typename Parse>
Result<T> Typed(const LocalClient& client, std::string_view method, std::string_view target,
                std::string_view body, Parse parse) {
  auto response = client.Request(method, target, body);
  if (!response) return Fail(response.error());
  if (response->status < 200 || response->status > 299) {
    return Fail(ErrorFromResponse(*response));
  }
  auto parsed = parse(response->body);
  if (!parsed) {
    return Fail(ErrorCode::kInternal, "local_api.bad_response",
                "unexpected answer to " + std::string(target) + ": " + parsed.error().ToString());
  }
  return std::move(*parsed);
}

}  // namespace

Error ErrorFromResponse(const LocalResponse& response) {
  ErrorCode code = CodeForStatus(response.status);
  auto parsed = ParseErrorResponse(response.body);
  if (!parsed) {
    return Error{code, "local_api.http_" + std::to_string(response.status),
                 "the daemon answered HTTP " + std::to_string(response.status)};
  }
  return Error{code, std::move(parsed->error), std::move(parsed->message)};
}

Result<LocalResponse> LocalClient::Request(std::string_view method, std::string_view target,
                                           std::string_view body) const {
  http::verb verb = http::string_to_verb(beast::string_view(method.data(), method.size()));
  if (verb == http::verb::unknown) {
    return Fail(ErrorCode::kInvalidArgument, "local_api.bad_method", "unknown HTTP method");
  }
  if (!ValidTarget(target)) {
    return Fail(ErrorCode::kInvalidArgument, "local_api.bad_target", "bad request target");
  }
  if (options_.socket_path.empty() ||
      options_.socket_path.size() >= sizeof(sockaddr_un{}.sun_path)) {
    return Fail(ErrorCode::kInvalidArgument, "local_api.bad_socket_path",
                "socket path is empty or longer than a Unix socket address allows");
  }
  try {
    return Exchange(options_, verb, target, body);
  } catch (const std::exception& e) {
    // Beast and Asio report some failures (allocation, endpoint construction) by throwing.
    return Fail(ErrorCode::kInternal, "local_api.io", std::string("local API client: ") + e.what());
  }
}

Result<StatusResponse> LocalClient::GetStatus() const {
  return Typed<StatusResponse>(*this, "GET", "/status", {}, ParseStatusResponse);
}

Result<std::string> LocalClient::GetCertificateChainPem() const {
  return Typed<std::string>(*this, "GET", "/certificate", {},
                            [](std::string& body) -> Result<std::string> {
                              if (body.find("-----BEGIN CERTIFICATE-----") == std::string::npos) {
                                return Fail(ErrorCode::kInternal, "local_api.bad_response",
                                            "not a PEM certificate chain");
                              }
                              return std::move(body);
                            });
}

Result<SignResponse> LocalClient::Sign(const SignRequest& request) const {
  return Typed<SignResponse>(*this, "POST", "/sign", ToJson(request), ParseSignResponse);
}

Result<StatusResponse> LocalClient::Reenroll() const {
  return Typed<StatusResponse>(*this, "POST", "/reenroll", {}, ParseStatusResponse);
}

Result<StatusResponse> LocalClient::FactoryReset() const {
  return Typed<StatusResponse>(*this, "POST", "/factory-reset", {}, ParseStatusResponse);
}

Result<GateStatus> LocalClient::SubmitDeployment(std::string_view jws_json) const {
  return Typed<GateStatus>(*this, "POST", "/deployments", jws_json, ParseGateStatus);
}

Result<DeploymentPlan> LocalClient::GetCurrentDeployment() const {
  return Typed<DeploymentPlan>(*this, "GET", "/deployments/current", {}, ParseDeploymentPlan);
}

Result<GateStatus> LocalClient::ReportHealthy(std::string_view deployment_id,
                                              const HealthReport& report) const {
  std::string target = "/deployments/" + std::string(deployment_id) + "/healthy";
  return Typed<GateStatus>(*this, "POST", target, ToJson(report), ParseGateStatus);
}

Result<GateStatus> LocalClient::ReportFailed(std::string_view deployment_id,
                                             const HealthReport& report) const {
  std::string target = "/deployments/" + std::string(deployment_id) + "/failed";
  return Typed<GateStatus>(*this, "POST", target, ToJson(report), ParseGateStatus);
}

}  // namespace edgetrust::daemon::api
