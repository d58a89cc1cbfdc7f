// Wire types of the enrollment service's device API (docs/enrollment-protocol.md), shared by
// the service and by device-side clients (the daemon, the tests, the load generator).
//
// Parse* functions are strict: the body must be one JSON object of exactly the documented
// shape (unknown fields, wrong types, missing required fields, invalid base64url, oversized
// fields are kInvalidArgument with reasons "request.malformed_json", "request.unknown_field",
// "request.missing_field", "request.wrong_type", "request.bad_base64",
// "request.bad_registration_id", "request.bad_value" (a PCR bank or index outside the
// protocol's range, a negative number), "request.too_large"). Duplicate member names, nesting
// deeper than 16 and invalid UTF-8 are "request.malformed_json". Decoded binary fields are not
// interpreted here (TPM structures are parsed by the verifiers). ToJson functions produce
// what Parse accepts. Pure functions, thread-safe.
#ifndef EDGETRUST_ENROLLMENT_API_WIRE_H_
#define EDGETRUST_ENROLLMENT_API_WIRE_H_

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "common/bytes.h"
#include "common/error.h"

namespace edgetrust::enrollment::api {

inline constexpr size_t kMaxBodySize = 64 * 1024;

// Base64Url encodes without padding (RFC 4648 §5); Base64UrlDecode rejects padding, other
// alphabets and whitespace ("request.bad_base64").
std::string Base64UrlEncode(ByteView data);
Result<Bytes> Base64UrlDecode(std::string_view text);

// ValidRegistrationId: 1-128 of [A-Za-z0-9._:-], not starting with '.' or '-'.
bool ValidRegistrationId(std::string_view id);

struct ChallengeRequest {
  std::string registration_id;
  Bytes ek_public;                      // marshalled TPM2B_PUBLIC
  std::optional<Bytes> ek_certificate;  // DER
  Bytes ak_public;                      // marshalled TPM2B_PUBLIC
};

struct ChallengeResponse {
  Bytes challenge_id;
  Bytes id_object;         // TPM2B_ID_OBJECT
  Bytes encrypted_secret;  // TPM2B_ENCRYPTED_SECRET
  Bytes nonce;
  std::string pcr_selection;  // tpm2-tools syntax, "" for none
  int expires_in = 0;         // seconds
};

// PcrMap: bank name ("sha256") → PCR index → digest.
using PcrMap = std::map<std::string, std::map<uint32_t, Bytes>>;

struct QuoteEvidence {
  Bytes attest;     // marshalled TPMS_ATTEST
  Bytes signature;  // marshalled TPMT_SIGNATURE
  PcrMap pcrs;
};

struct CertifyEvidence {
  Bytes attest;
  Bytes signature;
  Bytes identity_public;  // marshalled TPM2B_PUBLIC
};

// Evidence is what both the complete and the renew requests carry.
struct Evidence {
  QuoteEvidence quote;
  CertifyEvidence certify;
  Bytes csr;  // DER
};

struct CompleteRequest {
  Bytes challenge_id;
  Bytes proof;
  Evidence evidence;
};

struct EnrollmentResponse {
  std::string device_id;
  std::string certificate_chain_pem;
  std::string serial;     // hex
  std::string not_after;  // RFC 3339 UTC
};

// RenewPayload is the JWS payload of POST /v1/devices/{id}/renew.
struct RenewPayload {
  Evidence evidence;
};

// ErrorBody is every non-2xx answer: {"error": reason, "message": text}.
struct ErrorBody {
  std::string error;
  std::string message;
};

Result<ChallengeRequest> ParseChallengeRequest(std::string_view body);
std::string ToJson(const ChallengeRequest& request);
Result<ChallengeResponse> ParseChallengeResponse(std::string_view body);
std::string ToJson(const ChallengeResponse& response);
Result<CompleteRequest> ParseCompleteRequest(std::string_view body);
std::string ToJson(const CompleteRequest& request);
Result<EnrollmentResponse> ParseEnrollmentResponse(std::string_view body);
std::string ToJson(const EnrollmentResponse& response);
Result<RenewPayload> ParseRenewPayload(std::string_view body);
std::string ToJson(const RenewPayload& payload);
Result<ErrorBody> ParseErrorBody(std::string_view body);
std::string ToJson(const ErrorBody& body);

// HttpStatusFor maps an Error to the HTTP status of the protocol table: kInternal is 500 and
// kUnavailable 503 whatever the reason (a failing store is never "your evidence is bad"), a
// "ca."/"signer." reason is 500; otherwise by reason (exact table, then "*.malformed" and
// "request.*" → 400, then the 403 families), then by code. ClientMessage gives the generic
// text sent instead of error.message (one per status; never TPM codes or OpenSSL text).
int HttpStatusFor(const Error& error);
std::string ClientMessage(const Error& error);

}  // namespace edgetrust::enrollment::api

#endif  // EDGETRUST_ENROLLMENT_API_WIRE_H_
