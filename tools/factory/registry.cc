#include "tools/factory/registry.h"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "common/base64.h"
#include "enrollment/client/http_error.h"

namespace edgetrust::factory {
namespace {

using nlohmann::json;
constexpr std::string_view kCollection = "/v1/operator/enrollments/individual";

struct Existing {
  std::string ek_digest_hex;
  std::string pcr_policy_id;
  std::vector<std::string> tags;
  bool enabled = true;
};

std::unexpected<Error> BadAnswer(const std::string& what) {
  return Fail(ErrorCode::kInternal, "client.bad_response", "operator API: " + what);
}

Result<Existing> ParseExisting(const std::string& body) {
  json doc = json::parse(body, nullptr, false);
  if (!doc.is_object()) return BadAnswer("enrollment is not a JSON object");
  Existing e;
  try {
    e.ek_digest_hex = doc.at("ek_digest").get<std::string>();
    e.pcr_policy_id = doc.value("pcr_policy_id", "");
    e.tags = doc.value("tags", std::vector<std::string>{});
    e.enabled = doc.value("enabled", true);
  } catch (const json::exception& ex) {
    return BadAnswer(std::string("enrollment: ") + ex.what());
  }
  return e;
}

// Get reads the enrollment; std::nullopt when there is none.
Result<std::optional<Existing>> Get(const enrollment::client::EnrollmentClient& client,
                                    const std::string& id) {
  auto answer = client.Send("GET", std::string(kCollection) + "/" + id, "");
  if (!answer) return Fail(answer.error());
  if (answer->status == 404) return std::optional<Existing>();
  if (answer->status != 200)
    return Fail(enrollment::client::HttpError(answer->status, answer->body));
  auto existing = ParseExisting(answer->body);
  if (!existing) return Fail(existing.error());
  return std::optional<Existing>(std::move(*existing));
}

std::string Body(const EnrollmentSpec& spec, bool with_ek_public) {
  json body = {{"registration_id", spec.registration_id},
               {"enabled", true},
               {"pcr_policy_id", spec.pcr_policy_id},
               {"tags", spec.tags}};
  if (with_ek_public) {
    body["ek_public"] = Base64UrlEncode(spec.ek_public);
  } else {
    body["ek_digest"] = spec.ek_digest_hex;
  }
  return body.dump();
}

Status Expect(const Result<enrollment::client::HttpResponse>& answer, int status) {
  if (!answer) return Fail(answer.error());
  if (answer->status != status) {
    return Fail(enrollment::client::HttpError(answer->status, answer->body));
  }
  return Ok();
}

std::vector<std::string> Sorted(std::vector<std::string> v) {
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
  return v;
}

Result<Registration> Reconcile(const enrollment::client::EnrollmentClient& client,
                               const EnrollmentSpec& spec, const Existing& existing) {
  if (existing.ek_digest_hex != spec.ek_digest_hex) {
    return Fail(ErrorCode::kAlreadyExists, "factory.registration_conflict",
                "registration id " + spec.registration_id +
                    " is enrolled with another EK (digest " + existing.ek_digest_hex + ")");
  }
  if (!existing.enabled) {
    return Fail(ErrorCode::kFailedPrecondition, "factory.enrollment_disabled",
                "the enrollment of " + spec.registration_id +
                    " was disabled by an operator; the station does not re-enable it");
  }
  if (existing.pcr_policy_id == spec.pcr_policy_id && Sorted(existing.tags) == Sorted(spec.tags)) {
    return Registration::kExists;
  }
  auto put =
      client.Send("PUT", std::string(kCollection) + "/" + spec.registration_id, Body(spec, false));
  if (auto ok = Expect(put, 200); !ok) return Fail(ok.error());
  return Registration::kUpdated;
}

}  // namespace

const char* RegistrationName(Registration r) {
  switch (r) {
    case Registration::kCreated:
      return "created";
    case Registration::kExists:
      return "exists";
    case Registration::kUpdated:
      return "updated";
  }
  return "?";
}

Result<Registration> EnsureIndividualEnrollment(const enrollment::client::EnrollmentClient& client,
                                                const EnrollmentSpec& spec) {
  auto existing = Get(client, spec.registration_id);
  if (!existing) return Fail(existing.error());
  if (existing->has_value()) return Reconcile(client, spec, **existing);
  auto created = client.Send("POST", std::string(kCollection), Body(spec, true));
  if (!created) return Fail(created.error());
  if (created->status == 201 || created->status == 200) return Registration::kCreated;
  if (created->status != 409) {
    return Fail(enrollment::client::HttpError(created->status, created->body));
  }
  // Another station (or an earlier, interrupted run) created it in between: judge what is there.
  auto raced = Get(client, spec.registration_id);
  if (!raced) return Fail(raced.error());
  if (!raced->has_value()) {
    return Fail(enrollment::client::HttpError(created->status, created->body));
  }
  return Reconcile(client, spec, **raced);
}

}  // namespace edgetrust::factory
