// The JSON bodies of the daemon's local API (docs/daemon-local-api.md), read with enrollment/api's
// strict reader so that both APIs refuse the same malformed shapes in the same words.
#include "daemon/api/wire.h"

#include <array>
#include <utility>

#include "enrollment/api/json_reader.h"
#include "enrollment/api/wire.h"

namespace edgetrust::daemon::api {
namespace {

using enrollment::api::Base64UrlEncode;
using enrollment::api::internal::DumpJson;
using enrollment::api::internal::ObjectReader;
using enrollment::api::internal::WireError;
using json = nlohmann::json;

constexpr std::array<std::pair<DeviceState, std::string_view>, 5> kStates = {{
    {DeviceState::kEnrolling, "enrolling"},
    {DeviceState::kOffline, "offline"},
    {DeviceState::kEnrolled, "enrolled"},
    {DeviceState::kRevoked, "revoked"},
    {DeviceState::kFailed, "failed"},
}};

constexpr std::array<std::pair<Endpoint, std::string_view>, 8> kEndpoints = {{
    {Endpoint::kStatus, "status"},
    {Endpoint::kCertificate, "certificate"},
    {Endpoint::kSign, "sign"},
    {Endpoint::kReenroll, "reenroll"},
    {Endpoint::kFactoryReset, "factory-reset"},
    {Endpoint::kDeploy, "deploy"},
    {Endpoint::kPlan, "plan"},
    {Endpoint::kReportHealth, "report-health"},
}};

constexpr std::array<std::string_view, 4> kAlgorithms = {"ES256", "ES384", "PS256", "RS256"};

// ParseObject applies the local API's own size bound before the shared strict parser (whose
// bound is the larger one of the enrollment protocol).
Result<json> ParseObject(std::string_view body) {
  if (body.size() > kMaxLocalBodySize) {
    return WireError("request.too_large",
                     "body exceeds " + std::to_string(kMaxLocalBodySize) + " bytes");
  }
  return enrollment::api::internal::ParseStrictJson(body);
}

// OptionalInteger reads a member that may be absent (ObjectReader::Integer requires it).
Result<std::optional<int64_t>> OptionalInteger(const json& object, ObjectReader& r,
                                               const char* name) {
  if (!object.contains(name)) return std::optional<int64_t>();
  auto v = r.Integer(name);
  if (!v) return Fail(v.error());
  return std::optional<int64_t>(*v);
}

Result<CertificateInfo> ReadCertificate(const json& object) {
  ObjectReader r(object, "certificate");
  CertificateInfo out;
  for (auto [name, field] :
       {std::pair{"serial", &out.serial}, std::pair{"subject", &out.subject},
        std::pair{"not_before", &out.not_before}, std::pair{"not_after", &out.not_after}}) {
    auto v = r.String(name);
    if (!v) return Fail(v.error());
    *field = std::move(*v);
  }
  if (auto done = r.Finish(); !done) return Fail(done.error());
  return out;
}

}  // namespace

std::string_view DeviceStateName(DeviceState state) {
  for (const auto& [s, name] : kStates) {
    if (s == state) return name;
  }
  return "unknown";
}

Result<DeviceState> ParseDeviceState(std::string_view name) {
  for (const auto& [s, n] : kStates) {
    if (n == name) return s;
  }
  return WireError("request.bad_value", "unknown device state");
}

std::string_view EndpointName(Endpoint endpoint) {
  for (const auto& [e, name] : kEndpoints) {
    if (e == endpoint) return name;
  }
  return "unknown";
}

std::optional<Endpoint> ParseEndpoint(std::string_view name) {
  for (const auto& [e, n] : kEndpoints) {
    if (n == name) return e;
  }
  return std::nullopt;
}

std::string ToJson(const StatusResponse& status) {
  json out = {{"state", DeviceStateName(status.state)},
              {"registration_id", status.registration_id},
              {"failed_attempts", status.failed_attempts}};
  if (status.device_id) out["device_id"] = *status.device_id;
  if (status.certificate) {
    out["certificate"] = {{"serial", status.certificate->serial},
                          {"subject", status.certificate->subject},
                          {"not_before", status.certificate->not_before},
                          {"not_after", status.certificate->not_after}};
  }
  if (status.renew_after) out["renew_after"] = *status.renew_after;
  if (status.last_error) out["last_error"] = *status.last_error;
  if (status.next_attempt_in_ms) out["next_attempt_in_ms"] = *status.next_attempt_in_ms;
  return DumpJson(out);
}

Result<StatusResponse> ParseStatusResponse(std::string_view body) {
  auto doc = ParseObject(body);
  if (!doc) return Fail(doc.error());
  ObjectReader r(*doc, "status");
  StatusResponse out;
  auto state_name = r.String("state");
  if (!state_name) return Fail(state_name.error());
  auto state = ParseDeviceState(*state_name);
  if (!state) return Fail(state.error());
  out.state = *state;
  auto registration_id = r.String("registration_id");
  if (!registration_id) return Fail(registration_id.error());
  out.registration_id = std::move(*registration_id);
  for (auto [name, field] :
       {std::pair{"device_id", &out.device_id}, std::pair{"renew_after", &out.renew_after},
        std::pair{"last_error", &out.last_error}}) {
    auto v = r.OptionalString(name);
    if (!v) return Fail(v.error());
    *field = std::move(*v);
  }
  if (doc->contains("certificate")) {
    auto cert_json = r.Object("certificate");
    if (!cert_json) return Fail(cert_json.error());
    auto cert = ReadCertificate(**cert_json);
    if (!cert) return Fail(cert.error());
    out.certificate = std::move(*cert);
  }
  auto failed = r.Integer("failed_attempts");
  if (!failed) return Fail(failed.error());
  if (*failed < 0) return WireError("request.bad_value", "status.failed_attempts is negative");
  out.failed_attempts = *failed;
  auto next = OptionalInteger(*doc, r, "next_attempt_in_ms");
  if (!next) return Fail(next.error());
  if (*next && **next < 0) {
    return WireError("request.bad_value", "status.next_attempt_in_ms is negative");
  }
  out.next_attempt_in_ms = *next;
  if (auto done = r.Finish(); !done) return Fail(done.error());
  return out;
}

std::string ToJson(const SignRequest& request) {
  return DumpJson(json{{"digest", Base64UrlEncode(request.digest)}});
}

Result<SignRequest> ParseSignRequest(std::string_view body) {
  auto doc = ParseObject(body);
  if (!doc) return Fail(doc.error());
  ObjectReader r(*doc, "request");
  auto digest = r.Base64Url("digest");
  if (!digest) return Fail(digest.error());
  if (auto done = r.Finish(); !done) return Fail(done.error());
  return SignRequest{std::move(*digest)};
}

std::string ToJson(const SignResponse& response) {
  return DumpJson(
      json{{"algorithm", response.algorithm}, {"signature", Base64UrlEncode(response.signature)}});
}

Result<SignResponse> ParseSignResponse(std::string_view body) {
  auto doc = ParseObject(body);
  if (!doc) return Fail(doc.error());
  ObjectReader r(*doc, "response");
  auto algorithm = r.String("algorithm");
  if (!algorithm) return Fail(algorithm.error());
  bool known = false;
  for (std::string_view a : kAlgorithms) known = known || a == *algorithm;
  if (!known) return WireError("request.bad_value", "response.algorithm is not supported");
  auto signature = r.Base64Url("signature");
  if (!signature) return Fail(signature.error());
  if (auto done = r.Finish(); !done) return Fail(done.error());
  return SignResponse{std::move(*algorithm), std::move(*signature)};
}

std::string ToJson(const ErrorResponse& error) {
  return DumpJson(json{{"error", error.error}, {"message", error.message}});
}

Result<ErrorResponse> ParseErrorResponse(std::string_view body) {
  auto doc = ParseObject(body);
  if (!doc) return Fail(doc.error());
  ObjectReader r(*doc, "error");
  auto error = r.String("error");
  if (!error) return Fail(error.error());
  auto message = r.String("message");
  if (!message) return Fail(message.error());
  if (auto done = r.Finish(); !done) return Fail(done.error());
  return ErrorResponse{std::move(*error), std::move(*message)};
}

}  // namespace edgetrust::daemon::api
