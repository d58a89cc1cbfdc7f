// The station's side of the service's operator API (docs/openapi.yaml): make sure a device has
// the individual enrollment the profile asks for, over mutual TLS with the station's operator
// certificate (an EnrollmentClient made with client credentials).
//
// EnsureIndividualEnrollment is idempotent and never changes an enrollment that exists (the
// operator API's PUT replaces the whole record: a station that re-sent it could re-enable a
// device or drop a PCR policy an operator set in between). It reads the enrollment first:
//   absent                                   → POST it        → kCreated
//   same EK digest, policy and tags, enabled → nothing        → kExists
//   another EK                               → kAlreadyExists "factory.registration_conflict"
//   disabled by an operator                  → kFailedPrecondition "factory.enrollment_disabled"
//   same EK, another policy or other tags    → kFailedPrecondition "factory.enrollment_differs"
//                                              naming both (an operator changes it through the
//                                              operator API, or deletes it for the station)
// A POST that races another station (409) is judged again from what is there. An answer
// without the fields above is "client.bad_response". Service errors are passed on
// (enrollment/client/http_error.h). Thread-safe (the client is).
#ifndef EDGETRUST_TOOLS_FACTORY_REGISTRY_H_
#define EDGETRUST_TOOLS_FACTORY_REGISTRY_H_

#include <string>
#include <vector>

#include "common/bytes.h"
#include "common/error.h"
#include "enrollment/client/enrollment_client.h"

namespace edgetrust::factory {

struct EnrollmentSpec {
  std::string registration_id;
  Bytes ek_public;  // TPM2B_PUBLIC, as the device will present it
  std::string ek_digest_hex;
  std::string pcr_policy_id;  // "" = none
  std::vector<std::string> tags;
};

enum class Registration { kCreated, kExists };
const char* RegistrationName(Registration r);  // "created", "exists"

Result<Registration> EnsureIndividualEnrollment(const enrollment::client::EnrollmentClient& client,
                                                const EnrollmentSpec& spec);

}  // namespace edgetrust::factory

#endif  // EDGETRUST_TOOLS_FACTORY_REGISTRY_H_
