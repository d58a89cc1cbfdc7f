// edgetrust tpm enroll: one enrollment of this TPM with the enrollment service, run by hand —
// for the factory line's end-of-line check, for operators diagnosing a device, and for the demo.
// The daemon (edgetrustd) does the same at boot, with retries, renewal and a local API.
//
// In --state-dir (created 0700): ak.blob and identity.blob (TPM-wrapped key blobs, 0600; made
// on first use under the SRK at 0x81000001, reused afterwards) and, on success,
// device-chain.pem (the device certificate followed by the CA chain, 0600). The EK of --ek-alg
// and the SRK are persisted if absent. Nothing private leaves the TPM.
#include <cstdio>
#include <memory>
#include <string>

#include "attestation/handles.h"
#include "attestation/key_blob.h"
#include "attestation/keys.h"
#include "attestation/primary_keys.h"
#include "attestation/templates.h"
#include "attestation/tpm.h"
#include "common/file.h"
#include "enrollment/client/enrollment_client.h"
#include "enrollment/client/evidence.h"
#include "tools/cli_util.h"
#include "tools/tpm_commands.h"

namespace edgetrust::tools {
namespace {

using attestation::Tpm;

struct EnrollOptions {
  std::string tcti = DefaultTcti();
  std::string service;
  std::string ca_bundle;
  std::string registration_id;
  std::string state_dir;
  std::string ek_alg = "rsa2048";
};

Status Run(const EnrollOptions& opt) {
  auto ek_type = attestation::ParseEkType(opt.ek_alg);
  if (!ek_type) return Fail(ek_type.error());
  if (auto dir = EnsureDirectory(opt.state_dir, 0700); !dir) return Fail(dir.error());
  auto client = enrollment::client::EnrollmentClient::Create({opt.service, opt.ca_bundle});
  if (!client) return Fail(client.error());

  auto tpm = Tpm::Open(opt.tcti);
  if (!tpm) return Fail(tpm.error());
  auto ek = attestation::EnsureEk(**tpm, *ek_type);
  if (!ek) return Fail(ek.error());
  auto srk = attestation::EnsureSrk(**tpm);
  if (!srk) return Fail(srk.error());
  using attestation::KeyAlgorithm;
  auto ak_blob =
      attestation::LoadOrCreateKeyBlob(**tpm, srk->handle, opt.state_dir + "/ak.blob",
                                       attestation::AttestationKeyTemplate(KeyAlgorithm::kEccP256));
  if (!ak_blob) return Fail(ak_blob.error());
  auto id_blob =
      attestation::LoadOrCreateKeyBlob(**tpm, srk->handle, opt.state_dir + "/identity.blob",
                                       attestation::IdentityKeyTemplate(KeyAlgorithm::kEccP256));
  if (!id_blob) return Fail(id_blob.error());
  auto ak_public = attestation::TpmPublic::FromStruct(ak_blob->public_area);
  if (!ak_public) return Fail(ak_public.error());
  auto id_public = attestation::TpmPublic::FromStruct(id_blob->public_area);
  if (!id_public) return Fail(id_public.error());

  auto request = enrollment::client::BuildChallengeRequest(**tpm, opt.registration_id, *ek_type,
                                                           ek->public_area, *ak_public);
  if (!request) return Fail(request.error());
  auto challenge = (*client)->Challenge(*request);
  if (!challenge) return Fail(challenge.error());

  // Both keys stay loaded for the second round trip only (two of swtpm's three slots).
  auto ak = attestation::LoadKey(**tpm, srk->handle, *ak_blob);
  if (!ak) return Fail(ak.error());
  auto identity = attestation::LoadKey(**tpm, srk->handle, *id_blob);
  if (!identity) return Fail(identity.error());
  enrollment::client::TpmDeviceKeys keys{**tpm, *ek_type, *ek, *ak, *identity, *id_public};
  auto complete = enrollment::client::BuildCompleteRequest(keys, opt.registration_id, *challenge);
  if (!complete) return Fail(complete.error());
  auto enrolled = (*client)->Complete(*complete);
  if (!enrolled) return Fail(enrolled.error());

  std::string chain_path = opt.state_dir + "/device-chain.pem";
  if (auto written = WriteFileAtomic(chain_path, AsBytes(enrolled->certificate_chain_pem), 0600);
      !written) {
    return Fail(written.error());
  }
  std::printf("enrolled: device %s, certificate serial %s, valid until %s\n",
              enrolled->device_id.c_str(), enrolled->serial.c_str(), enrolled->not_after.c_str());
  std::printf("chain: %s\n", chain_path.c_str());
  return Ok();
}

}  // namespace

void AddTpmEnroll(CLI::App& tpm, int* rc) {
  auto opt = std::make_shared<EnrollOptions>();
  CLI::App* cmd = tpm.add_subcommand(
      "enroll", "Enroll this TPM with the enrollment service once (attestation over TLS)");
  cmd->add_option("--tcti", opt->tcti, "TCTI (default $EDGETRUST_TCTI)");
  cmd->add_option("--service", opt->service, "device API base URL, e.g. https://127.0.0.1:8443")
      ->required();
  cmd->add_option("--ca-bundle", opt->ca_bundle, "PEM file anchoring the service's TLS cert")
      ->required();
  cmd->add_option("--registration-id", opt->registration_id, "the device's registration id")
      ->required();
  cmd->add_option("--state-dir", opt->state_dir, "where key blobs and the chain are kept")
      ->required();
  cmd->add_option("--ek-alg", opt->ek_alg, "EK profile: rsa2048, ecc256 or ecc384");
  cmd->callback([opt, rc] {
    if (auto s = Run(*opt); !s) *rc = ReportError("tpm enroll", s.error());
  });
}

}  // namespace edgetrust::tools
