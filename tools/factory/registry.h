// The station's side of the service's operator API (docs/openapi.yaml): make sure a device has
// the individual enrollment the profile asks for, over mutual TLS with the station's operator
// certificate (an EnrollmentClient made with client credentials).
//
// EnsureIndividualEnrollment is idempotent. It reads the enrollment first:
//   absent                                   → POST it                      → kCreated
//   same EK digest, policy and tags, enabled → nothing                      → kExists
//   same EK digest, other policy or tags     → PUT the profile's            → kUpdated
//   another EK                               → kAlreadyExists "factory.registration_conflict"
//   disabled by an operator                  → kFailedPrecondition "factory.enrollment_disabled"
//                                              (the station never re-enables a device)
// A POST that races another station (409) is read again. Service errors are passed on
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

enum class Registration { kCreated, kExists, kUpdated };
const char* RegistrationName(Registration r);  // "created", "exists", "updated"

Result<Registration> EnsureIndividualEnrollment(const enrollment::client::EnrollmentClient& client,
                                                const EnrollmentSpec& spec);

}  // namespace edgetrust::factory

#endif  // EDGETRUST_TOOLS_FACTORY_REGISTRY_H_
