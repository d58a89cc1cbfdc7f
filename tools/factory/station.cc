#include "tools/factory/station.h"

#include <algorithm>
#include <chrono>
#include <ctime>

#include "attestation/ek_certificate.h"
#include "attestation/primary_keys.h"
#include "attestation/tpm.h"
#include "attestation/tpm_public.h"
#include "certs/certificate_authority.h"
#include "certs/chain.h"
#include "certs/ek_credential.h"
#include "certs/pkcs11_key.h"
#include "certs/pkcs11_signer.h"
#include "common/crypto.h"
#include "common/file.h"
#include "tools/factory/bundle.h"
#include "tools/factory/registry.h"
#include "tools/factory/tcti_policy.h"

namespace edgetrust::factory {
namespace {

using Clock = std::chrono::steady_clock;

// Timed runs `f` and adds its wall-clock time to `*ms`.
template <typename F>
auto Timed(double* ms, F&& f) {
  const auto start = Clock::now();
  auto result = f();
  *ms += std::chrono::duration<double, std::milli>(Clock::now() - start).count();
  return result;
}

std::string NowRfc3339() {
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return text;
}

Result<std::string> ReadText(const std::string& path) {
  auto bytes = ReadFile(path, 1024 * 1024);
  if (!bytes) return Fail(bytes.error());
  return std::string(bytes->begin(), bytes->end());
}

std::vector<std::string> MergeTags(std::vector<std::string> a, const std::vector<std::string>& b) {
  for (const std::string& tag : b) {
    if (std::find(a.begin(), a.end(), tag) == a.end()) a.push_back(tag);
  }
  return a;
}

}  // namespace

// Context is one device's run: the record being filled and what the steps pass on.
struct Station::Context {
  DeviceRecord record;
  std::unique_ptr<attestation::Tpm> tpm;
  std::optional<attestation::TpmPublic> ek;
  bool changed = false;
  Status Step(const char* name, Status status) {
    if (!status) record.failed_step = name;
    return status;
  }
};

Result<std::unique_ptr<Station>> Station::Open(StationProfile profile) {
  std::unique_ptr<Station> station(new Station());
  auto ca_bundle = ReadText(profile.ca_bundle);
  if (!ca_bundle) return Fail(ca_bundle.error());
  station->ca_bundle_pem_ = std::move(*ca_bundle);
  if (profile.bundle.manifest_roots) {
    auto roots = ReadText(*profile.bundle.manifest_roots);
    if (!roots) return Fail(roots.error());
    if (auto parsed = certs::Certificate::ChainFromPem(*roots); !parsed) {
      return Fail(ErrorCode::kInvalidArgument, "factory.bad_manifest_roots",
                  *profile.bundle.manifest_roots + ": " + parsed.error().ToString());
    }
    station->manifest_roots_pem_ = std::move(*roots);
  }
  // A trial bundle (paths as long as a real one's), so that a profile whose device config
  // edgetrustd would refuse (principals, paths) stops the run here, not at every device.
  const std::string trial_id(64, '0');
  BundleInput trial{trial_id,
                    "station",
                    profile.tags,
                    profile.bundle.BundleDir(trial_id),
                    station->ca_bundle_pem_,
                    station->manifest_roots_pem_};
  if (auto files = RenderBundle(profile.bundle, profile.device_url, profile.ek_algorithm(), trial);
      !files) {
    return Fail(files.error());
  }
  if (auto connected = station->Connect(profile); !connected) return Fail(connected.error());
  if (profile.ek_ca) {
    if (auto ca = station->OpenEkCa(*profile.ek_ca); !ca) return Fail(ca.error());
  }
  station->profile_ = std::move(profile);
  return station;
}

// Connect opens the station's key in its token and checks the operator API answers over
// mutual TLS with it.
Status Station::Connect(const StationProfile& profile) {
  auto operator_key = certs::OpenPkcs11PrivateKey(profile.operator_key);
  if (!operator_key) return Fail(operator_key.error());
  enrollment::client::ClientOptions options;
  options.base_url = profile.operator_url;
  options.ca_bundle_path = profile.ca_bundle;
  options.client_certificate_path = profile.operator_certificate;
  options.client_key = std::shared_ptr<const certs::Pkcs11PrivateKey>(std::move(*operator_key));
  auto client = enrollment::client::EnrollmentClient::Create(options);
  if (!client) return Fail(client.error());
  client_ = std::move(*client);
  auto health = client_->Send("GET", "/healthz", "");
  if (!health) return Fail(health.error());
  if (health->status != 200) {
    return Fail(ErrorCode::kUnavailable, "factory.service_unhealthy",
                "operator API " + profile.operator_url + " answers /healthz with HTTP " +
                    std::to_string(health->status));
  }
  return Ok();
}

// OpenEkCa opens the factory CA's key and checks its certificate is a CA for it, valid now.
Status Station::OpenEkCa(const EkCaProfile& ca_profile) {
  auto signer = certs::OpenPkcs11Signer(ca_profile.key);
  if (!signer) return Fail(signer.error());
  ek_ca_signer_ = std::move(*signer);
  auto pem = ReadText(ca_profile.certificate);
  if (!pem) return Fail(pem.error());
  auto chain = certs::Certificate::ChainFromPem(*pem);
  if (!chain) return Fail(chain.error());
  // The same checks IssueEkCertificate makes, once, before the first device's EK is created.
  auto ca = certs::CertificateAuthority::Create(ek_ca_signer_, *chain);
  if (!ca) return Fail(ca.error());
  const std::time_t now = std::time(nullptr);
  if (chain->front().not_before() > now || chain->front().not_after() <= now) {
    return Fail(ErrorCode::kFailedPrecondition, "ca.expired",
                ca_profile.certificate + ": the factory EK CA is not valid now");
  }
  ek_ca_certificate_ = chain->front();
  return Ok();
}

DeviceRecord Station::Provision(const DeviceLine& device) const {
  Context ctx;
  ctx.record.device = device;
  ctx.record.ek_algorithm = profile_.ek_algorithm();
  const auto start = Clock::now();
  Status done = ProvisionSteps(ctx);
  ctx.tpm.reset();  // the TPM connection is part of the device's time
  ctx.record.times.total = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
  ctx.record.finished_at = NowRfc3339();
  if (!done) {
    ctx.record.outcome = Outcome::kFailed;
    ctx.record.error = done.error();
  } else {
    ctx.record.outcome = ctx.changed ? Outcome::kProvisioned : Outcome::kUnchanged;
  }
  return ctx.record;
}

Status Station::ProvisionSteps(Context& ctx) const {
  DeviceRecord& r = ctx.record;
  PhaseTimes& t = r.times;
  // tpm: the EK and the registration id.
  // Checked again here (the CLI checks every line first): no TCTI that could run code is opened.
  if (auto allowed = CheckTcti(r.device.tcti, profile_.software_tpm); !allowed) {
    return ctx.Step("tpm", allowed);
  }
  auto tpm = Timed(&t.tpm, [&] { return attestation::Tpm::Open(r.device.tcti); });
  if (!tpm) return ctx.Step("tpm", Fail(tpm.error()));
  ctx.tpm = std::move(*tpm);
  auto ek = Timed(&t.tpm, [&] { return attestation::EnsureEk(*ctx.tpm, profile_.ek_type); });
  if (!ek) return ctx.Step("tpm", Fail(ek.error()));
  ctx.changed |= ek->created;
  ctx.ek = ek->public_area;
  const Bytes ek_wire = ctx.ek->Marshal();
  auto registration_id = attestation::EkDigestHex(*ctx.ek);
  if (!registration_id) return ctx.Step("tpm", Fail(registration_id.error()));
  r.registration_id = std::move(*registration_id);
  if (auto first = Claim(r.registration_id, r.device.tcti); !first) return ctx.Step("tpm", first);

  if (auto ok = EkCertificateStep(ctx); !ok) return ctx.Step("ek_certificate", ok);

  const std::vector<std::string> tags = MergeTags(profile_.tags, r.device.tags);
  if (profile_.register_individual) {
    EnrollmentSpec spec{r.registration_id, ek_wire, r.registration_id, profile_.pcr_policy_id,
                        tags};
    auto registered = Timed(&t.service, [&] { return EnsureIndividualEnrollment(*client_, spec); });
    if (!registered) return ctx.Step("register", Fail(registered.error()));
    r.enrollment = RegistrationName(*registered);
    ctx.changed |= *registered != Registration::kExists;
  } else {
    r.enrollment = "not_registered";
  }

  BundleInput input{
      r.registration_id, r.device.tcti,      tags, profile_.bundle.BundleDir(r.registration_id),
      ca_bundle_pem_,    manifest_roots_pem_};
  r.bundle_dir = input.bundle_dir;
  auto files = RenderBundle(profile_.bundle, profile_.device_url, profile_.ek_algorithm(), input);
  if (!files) return ctx.Step("bundle", Fail(files.error()));
  auto written = WriteBundle(input.bundle_dir, *files);
  if (!written) return ctx.Step("bundle", Fail(written.error()));
  r.bundle = BundleWriteName(*written);
  ctx.changed |= *written != BundleWrite::kUnchanged;
  return Ok();
}

// Claim records that this run has reached the device `registration_id` names; a second line
// reaching it (the batch refuses the same TCTI twice, not two spellings of one address) fails.
Status Station::Claim(const std::string& registration_id, const std::string& tcti) const {
  std::lock_guard lock(claimed_mutex_);
  auto [first, inserted] = claimed_.emplace(registration_id, tcti);
  if (inserted) return Ok();
  return Fail(ErrorCode::kAlreadyExists, "factory.duplicate_device",
              "this TPM's EK was already reached in this run through TCTI " + first->second +
                  ": one device is listed twice");
}

Status Station::EkCertificateStep(Context& ctx) const {
  DeviceRecord& r = ctx.record;
  PhaseTimes& t = r.times;
  auto present =
      Timed(&t.tpm, [&] { return attestation::ReadEkCertificate(*ctx.tpm, profile_.ek_type); });
  if (present) {
    if (auto ok = attestation::CheckEkCertificateKey(*present, *ctx.ek); !ok) return ok;
    const bool ours = ek_ca_certificate_ &&
                      certs::VerifyChain(*present, {}, {&*ek_ca_certificate_, 1},
                                         certs::ChainProfile::kEkCredential, std::time(nullptr))
                          .has_value();
    r.ek_certificate = ours ? "factory" : "present";
    r.ek_certificate_serial = present->SerialHex();
    // One of ours that a crash left unlocked is locked now (WriteEkCertificate is idempotent).
    if (ours) {
      return Timed(&t.tpm, [&] {
        return attestation::WriteEkCertificate(*ctx.tpm, profile_.ek_type, present->der());
      });
    }
    return Ok();
  }
  // Unparsable contents may be a crashed station's half-written certificate: with an EK CA,
  // WriteEkCertificate replaces it if it is ours and unlocked, and refuses anything else.
  const bool torn = present.error().reason == "cert.malformed" && ek_ca_signer_ != nullptr;
  if (present.error().reason != "ek.no_certificate" && !torn) return Fail(present.error());
  if (!ek_ca_signer_) {
    r.ek_certificate = "none";
    return Ok();
  }
  auto tpm_description = Timed(&t.tpm, [&] { return attestation::DescribeTpm(*ctx.tpm); });
  if (!tpm_description) return Fail(tpm_description.error());
  auto ek_key = ctx.ek->ToPublicKey();
  if (!ek_key) return Fail(ek_key.error());
  certs::EkCertificateRequest request{*ek_key, *tpm_description, profile_.ek_ca->lifetime};
  auto issued = Timed(&t.hsm, [&] {
    return certs::IssueEkCertificate(*ek_ca_signer_, *ek_ca_certificate_, request,
                                     std::time(nullptr));
  });
  if (!issued) return Fail(issued.error());
  auto stored = Timed(&t.tpm, [&] {
    return attestation::WriteEkCertificate(*ctx.tpm, profile_.ek_type, issued->der());
  });
  if (!stored) return Fail(stored.error());
  r.ek_certificate = "issued";
  r.ek_certificate_serial = issued->SerialHex();
  ctx.changed = true;
  return Ok();
}

}  // namespace edgetrust::factory
