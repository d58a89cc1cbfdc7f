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

// ParseExisting reads the fields the station judges; every one is required (a missing
// "enabled" must not read as enabled).
Result<Existing> ParseExisting(const std::string& body) {
  json doc = json::parse(body, nullptr, false);
  if (!doc.is_object()) return BadAnswer("enrollment is not a JSON object");
  auto digest = doc.find("ek_digest");
  auto policy = doc.find("pcr_policy_id");
  auto tags = doc.find("tags");
  auto enabled = doc.find("enabled");
  if (digest == doc.end() || !digest->is_string() || policy == doc.end() || !policy->is_string() ||
      tags == doc.end() || !tags->is_array() || enabled == doc.end() || !enabled->is_boolean()) {
    return BadAnswer("enrollment lacks ek_digest, pcr_policy_id, tags or enabled");
  }
  Existing e;
  e.ek_digest_hex = digest->get<std::string>();
  e.pcr_policy_id = policy->get<std::string>();
  e.enabled = enabled->get<bool>();
  for (const json& tag : *tags) {
    if (!tag.is_string()) return BadAnswer("enrollment tags are not strings");
    e.tags.push_back(tag.get<std::string>());
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

std::string CreateBody(const EnrollmentSpec& spec) {
  json body = {{"registration_id", spec.registration_id},
               {"ek_public", Base64UrlEncode(spec.ek_public)},
               {"enabled", true},
               {"pcr_policy_id", spec.pcr_policy_id},
               {"tags", spec.tags}};
  return body.dump();
}

std::string Describe(const std::string& policy, const std::vector<std::string>& tags) {
  std::string text = "policy \"" + policy + "\", tags [";
  for (size_t i = 0; i < tags.size(); ++i) text += (i ? ", " : "") + tags[i];
  return text + "]";
}

std::vector<std::string> Sorted(std::vector<std::string> v) {
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
  return v;
}

Result<Registration> Judge(const EnrollmentSpec& spec, const Existing& existing) {
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
  return Fail(ErrorCode::kFailedPrecondition, "factory.enrollment_differs",
              "the service enrolls " + spec.registration_id + " with " +
                  Describe(existing.pcr_policy_id, Sorted(existing.tags)) + ", the station asks " +
                  Describe(spec.pcr_policy_id, Sorted(spec.tags)) +
                  "; change it with the operator API (the station never rewrites an enrollment)");
}

}  // namespace

const char* RegistrationName(Registration r) {
  switch (r) {
    case Registration::kCreated:
      return "created";
    case Registration::kExists:
      return "exists";
  }
  return "?";
}

Result<Registration> EnsureIndividualEnrollment(const enrollment::client::EnrollmentClient& client,
                                                const EnrollmentSpec& spec) {
  auto existing = Get(client, spec.registration_id);
  if (!existing) return Fail(existing.error());
  if (existing->has_value()) return Judge(spec, **existing);
  auto created = client.Send("POST", std::string(kCollection), CreateBody(spec));
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
  return Judge(spec, **raced);
}

}  // namespace edgetrust::factory
