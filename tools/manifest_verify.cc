// edgetrust manifest verify: see manifest_commands.h. The policy and the time are settled
// first (a failure there means the check could not be made: exit 2); then the JWS is judged
// exactly as the module gate judges it (exit 1 when it fails).
#include <cstdio>
#include <ctime>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "common/file.h"
#include "manifest/core/applicability.h"
#include "manifest/core/rfc3339.h"
#include "manifest/jws/envelope.h"
#include "manifest/jws/verifier.h"
#include "tools/cli_util.h"
#include "tools/manifest_commands.h"

namespace edgetrust::tools {
namespace {

using manifest::internal::FormatUtcTimestamp;
using manifest::jws::ManifestVerifier;
using manifest::jws::VerifiedManifest;
using nlohmann::json;

constexpr char kContext[] = "manifest verify";

struct VerifyOptions {
  std::string jws;
  std::string roots;
  std::vector<std::string> crls;
  size_t min_signers = 1;
  std::string eku{manifest::jws::kCodeSigningEku};
  std::string device_id;
  std::vector<std::string> tags;
  std::string at;
  bool as_json = false;
};

Result<ManifestVerifier> BuildVerifier(const VerifyOptions& opt) {
  if (opt.jws.empty() || opt.roots.empty()) {
    return Fail(ErrorCode::kInvalidArgument, "cli.args", "give --jws FILE and --roots ROOTS.pem");
  }
  manifest::jws::TrustPolicy policy;
  auto roots_pem = ReadFile(opt.roots, 1024 * 1024);
  if (!roots_pem) return Fail(roots_pem.error());
  auto roots = manifest::jws::RootsFromPem(
      std::string_view(reinterpret_cast<const char*>(roots_pem->data()), roots_pem->size()));
  if (!roots) return Fail(roots.error());
  policy.roots = std::move(*roots);
  for (const std::string& path : opt.crls) {
    auto file = ReadFile(path);
    if (!file) return Fail(file.error());
    auto crls = manifest::jws::CrlsFromPemOrDer(*file);
    if (!crls)
      return Fail(crls.error().code, crls.error().reason, path + ": " + crls.error().message);
    policy.crls.insert(policy.crls.end(), crls->begin(), crls->end());
  }
  policy.min_signers = opt.min_signers;
  policy.signer_eku = opt.eku;
  return ManifestVerifier::Create(std::move(policy));
}

Result<std::time_t> VerificationTime(const VerifyOptions& opt) {
  if (opt.at.empty()) return std::time(nullptr);
  auto at = manifest::internal::ParseUtcTimestamp(opt.at);
  if (!at) {
    return Fail(ErrorCode::kInvalidArgument, "cli.at", "--at must be YYYY-MM-DDTHH:MM:SSZ");
  }
  return *at;
}

// Judge is everything the gate checks; every error is a verdict on the JWS (exit 1).
Result<VerifiedManifest> Judge(const VerifyOptions& opt, const ManifestVerifier& verifier,
                               const std::string& jws, std::time_t now) {
  auto verified = verifier.Verify(jws, now);
  if (!verified) return Fail(verified.error());
  if (!opt.device_id.empty() || !opt.tags.empty()) {
    manifest::DeviceIdentity device;
    if (!opt.device_id.empty()) device.device_ids.push_back(opt.device_id);
    device.tags = opt.tags;
    if (auto target = manifest::CheckTarget(verified->manifest, device); !target) {
      return Fail(target.error());
    }
  }
  if (auto fresh = manifest::CheckFreshness(verified->manifest, now); !fresh) {
    return Fail(fresh.error());
  }
  return verified;
}

json Report(const VerifiedManifest& v) {
  const manifest::Manifest& m = v.manifest;
  json signers = json::array();
  for (const auto& s : v.signers) {
    signers.push_back({{"subject", s.subject},
                       {"serial", s.serial},
                       {"spki_sha256", s.spki_sha256},
                       {"alg", manifest::jws::JwsAlgName(s.alg)}});
  }
  json modules = json::array();
  for (const auto& mod : m.modules) {
    modules.push_back({{"name", mod.name},
                       {"image", mod.image.repository + "@sha256:" + mod.image.DigestHex()},
                       {"sha256", mod.image.DigestHex()},
                       {"size", mod.image.size}});
  }
  return {{"valid", true},
          {"deploymentId", m.deployment_id},
          {"version", m.version},
          {"issuedAt", FormatUtcTimestamp(m.issued_at)},
          {"expiresAt", FormatUtcTimestamp(m.expires_at)},
          {"signers", std::move(signers)},
          {"modules", std::move(modules)},
          {"payload_sha256", HexEncode(v.payload_sha256)}};
}

void PrintText(const json& r, bool target_checked) {
  auto str = [](const json& j) { return j.get<std::string>(); };
  std::printf("valid        yes\n");
  std::printf("deployment   %s, version %llu\n", str(r["deploymentId"]).c_str(),
              static_cast<unsigned long long>(r["version"].get<uint64_t>()));
  std::printf("issued at    %s\n", str(r["issuedAt"]).c_str());
  std::printf("expires at   %s\n", str(r["expiresAt"]).c_str());
  std::printf("target       %s\n", target_checked ? "applies to this device"
                                                  : "not checked (give --device-id or --tag)");
  for (const json& s : r["signers"]) {
    std::printf("signer       %s (%s, serial %s, key sha256 %s)\n", str(s["subject"]).c_str(),
                str(s["alg"]).c_str(), str(s["serial"]).c_str(), str(s["spki_sha256"]).c_str());
  }
  for (const json& m : r["modules"]) {
    std::printf("module       %s %s (%llu bytes)\n", str(m["name"]).c_str(),
                str(m["image"]).c_str(),
                static_cast<unsigned long long>(m["size"].get<uint64_t>()));
  }
  std::printf("payload      sha256 %s\n", str(r["payload_sha256"]).c_str());
}

// CannotCheck reports an error that kept the check from being made: exit 2, whatever its code.
int CannotCheck(const Error& error) {
  ReportError(kContext, error);
  return 2;
}

int Run(const VerifyOptions& opt) {
  auto verifier = BuildVerifier(opt);
  if (!verifier) return CannotCheck(verifier.error());
  auto now = VerificationTime(opt);
  if (!now) return CannotCheck(now.error());
  // Four times the JWS limit: anything between is read and refused as "jws.too_large".
  auto file = ReadFile(opt.jws, 4 * manifest::jws::kMaxJwsSize);
  if (!file) return CannotCheck(file.error());

  auto verified = Judge(opt, *verifier, std::string(file->begin(), file->end()), *now);
  if (!verified) {
    ReportError(kContext, verified.error());
    if (opt.as_json) {
      json out = {{"valid", false},
                  {"error", verified.error().reason},
                  {"message", verified.error().message}};
      std::cout << out.dump() << "\n";
    }
    return 1;
  }
  const json report = Report(*verified);
  if (opt.as_json) {
    std::cout << report.dump(2) << "\n";
  } else {
    PrintText(report, !opt.device_id.empty() || !opt.tags.empty());
  }
  return 0;
}

}  // namespace

void AddManifestVerify(CLI::App& manifest, int* rc) {
  CLI::App* cmd = manifest.add_subcommand(
      "verify", "Verify a signed deployment manifest offline, as the device's module gate does");
  auto opt = std::make_shared<VerifyOptions>();
  cmd->add_option("--jws", opt->jws, "The signed manifest (JWS, JSON serialization)");
  cmd->add_option("--roots", opt->roots, "Pinned manifest-signing root certificates (PEM)");
  cmd->add_option("--crl", opt->crls, "CRL file (PEM or DER); repeat for several");
  cmd->add_option("--min-signers", opt->min_signers, "Distinct signer keys required (k of n)")
      ->capture_default_str();
  cmd->add_option("--signer-eku", opt->eku, "Extended key usage OID every signer must carry")
      ->capture_default_str();
  cmd->add_option("--device-id", opt->device_id, "Check the manifest targets this device id");
  cmd->add_option("--tag", opt->tags, "Check the manifest targets this tag; repeat for several");
  cmd->add_option("--at", opt->at, "Verify at this time (YYYY-MM-DDTHH:MM:SSZ) instead of now");
  cmd->add_flag("--json", opt->as_json, "Print one JSON object");
  cmd->callback([=]() { *rc = Run(*opt); });
}

}  // namespace edgetrust::tools
