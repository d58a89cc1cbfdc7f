// Wire types of the operator API (docs/openapi.yaml, /v1/operator/...): JSON <-> store records.
//
// Parse* functions are strict like the device API's (enrollment/api/wire.h): one JSON object,
// no unknown fields (read-only fields such as "created_at" are accepted and ignored so that a
// GET-modify-PUT round trip works), right types; errors are kInvalidArgument with reasons
// "request.malformed_json", "request.unknown_field", "request.missing_field",
// "request.wrong_type", "request.bad_value" (the message names the field). Semantic checks
// that need the store (does the PCR policy exist?) are OperatorService's. Pure functions,
// thread-safe.
#ifndef EDGETRUST_ENROLLMENT_OPERATOR_OPERATOR_WIRE_H_
#define EDGETRUST_ENROLLMENT_OPERATOR_OPERATOR_WIRE_H_

#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"
#include "enrollment/store/records.h"

namespace edgetrust::enrollment::operator_api {

// ValidObjectId: ids of policies and groups follow the registration id rule (1-128 of
// [A-Za-z0-9._:-], not starting with '.' or '-').
bool ValidObjectId(std::string_view id);

// PCR policy: {"id", "selection": "sha256:0,7", "golden": [{"bank","index","digest"}]}.
// Golden digests are hex of the bank's size and must lie in the selection.
Result<store::PcrPolicy> ParsePcrPolicy(std::string_view body);
std::string ToJson(const store::PcrPolicy& policy);
std::string ToJson(const std::vector<store::PcrPolicy>& policies);

// Individual enrollment: {"registration_id", "ek_public" (base64url TPM2B_PUBLIC) or
// "ek_digest" (hex SHA-256 of it), "enabled", "pcr_policy_id", "tags"}.
Result<store::IndividualEnrollment> ParseIndividualEnrollment(std::string_view body);
std::string ToJson(const store::IndividualEnrollment& enrollment);
std::string ToJson(const std::vector<store::IndividualEnrollment>& enrollments);

// Group enrollment: {"group_id", "manufacturer_ca_pem", "enabled", "pcr_policy_id", "tags"};
// the PEM must hold at least one parseable certificate.
Result<store::GroupEnrollment> ParseGroupEnrollment(std::string_view body);
std::string ToJson(const store::GroupEnrollment& group);
std::string ToJson(const std::vector<store::GroupEnrollment>& groups);

std::string ToJson(const store::Device& device);
// ToJson(devices, next_after): {"devices": [...], "next_after": "<id>" or null}.
std::string ToJson(const std::vector<store::Device>& devices, const std::string& next_after);

// Audit page: {"records": [...], "next_after": <sequence of the last record, or 0>}.
std::string ToJson(const std::vector<store::AuditRecord>& records);

// StatusChange is the optional body of POST /devices/{id}/disable|enable|revoke|retire:
// {"reason": "<[a-z0-9._-]{1,64}>"}; an empty body means the default reason.
Result<std::string> ParseStatusReason(std::string_view body, std::string_view default_reason);

// ErrorJson renders the API's error shape {"error": reason, "message": text}.
std::string ErrorJson(std::string_view reason, std::string_view message);

}  // namespace edgetrust::enrollment::operator_api

#endif  // EDGETRUST_ENROLLMENT_OPERATOR_OPERATOR_WIRE_H_
