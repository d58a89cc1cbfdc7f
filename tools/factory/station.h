// Station: one run of the factory provisioning station (`edgetrust factory provision`) with its
// resources opened once: the profile, the operator API client (mutual TLS, key in PKCS#11), and
// the factory EK CA (key in PKCS#11) when the profile has one.
//
// Provision takes one device on the line through four steps, each idempotent, and returns what
// happened as a record (errors are values in it; it never stops a batch):
//   tpm             check the TCTI (tcti_policy.h), open it, make sure the EK of the profile's
//                   type is persistent, read its public area; the registration id is the lower-case
//                   hex SHA-256 of that TPM2B_PUBLIC (edgetrustd's default, docs/daemon-config.md);
//                   a registration id already reached in this run (two batch lines that
//                   reach one TPM through aliases of its address) is factory.duplicate_device
//   ek_certificate  read the TCG NV certificate and check it certifies this EK ("present", or
//                   "factory" when our EK CA issued it in an earlier run: then it is also
//                   write-locked if a crash left it unlocked); when absent (or half written by
//                   a crashed run) and the profile has [ek_ca], issue one in the HSM and write
//                   it to NV ("issued"); absent without [ek_ca] is "none" (individual enrollment
//                   does not need it). "present" is not a verdict on the manufacturer: the
//                   service checks EK chains
//   register        the individual enrollment (registry.h), unless the profile says
//                   register = false ("not_registered")
//   bundle          render and write the configuration bundle (bundle.h)
// The outcome is "unchanged" when no step changed anything, so a re-run says what was done.
// Thread-safe: Provision may run for several devices at once (one TPM each).
#ifndef EDGETRUST_TOOLS_FACTORY_STATION_H_
#define EDGETRUST_TOOLS_FACTORY_STATION_H_

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "certs/certificate.h"
#include "certs/signer.h"
#include "common/error.h"
#include "enrollment/client/enrollment_client.h"
#include "tools/factory/device_list.h"
#include "tools/factory/record.h"
#include "tools/factory/station_profile.h"

namespace edgetrust::factory {

class Station {
 public:
  // Open reads the files the profile names, renders a trial bundle, opens the tokens, checks the
  // EK CA (a CA for the token's key, valid now) and asks the operator API for its health, so
  // that a wrong PIN, certificate, CA or URL stops the run before the first device.
  static Result<std::unique_ptr<Station>> Open(StationProfile profile);

  DeviceRecord Provision(const DeviceLine& device) const;
  const StationProfile& profile() const { return profile_; }

 private:
  Station() = default;
  Status Connect(const StationProfile& profile);
  Status OpenEkCa(const EkCaProfile& ca_profile);
  struct Context;
  Status ProvisionSteps(Context& ctx) const;
  Status EkCertificateStep(Context& ctx) const;
  Status Claim(const std::string& registration_id, const std::string& tcti) const;

  StationProfile profile_;
  std::unique_ptr<enrollment::client::EnrollmentClient> client_;
  std::shared_ptr<const certs::Signer> ek_ca_signer_;
  std::optional<certs::Certificate> ek_ca_certificate_;
  std::string ca_bundle_pem_;
  std::string manifest_roots_pem_;
  // The registration ids this run has reached, with the TCTI that reached each first.
  mutable std::mutex claimed_mutex_;
  mutable std::map<std::string, std::string> claimed_;
};

}  // namespace edgetrust::factory

#endif  // EDGETRUST_TOOLS_FACTORY_STATION_H_
