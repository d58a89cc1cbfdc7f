// edgetrust tpm info: who made this TPM, which EKs and EK certificates it holds, which
// persistent handles are in use. Read-only: nothing is persisted or written.
#include <cinttypes>
#include <cstdio>
#include <ctime>
#include <iostream>
#include <nlohmann/json.hpp>

#include "attestation/capabilities.h"
#include "attestation/ek_certificate.h"
#include "attestation/primary_keys.h"
#include "attestation/tpm.h"
#include "tools/cli_util.h"
#include "tools/tpm_commands.h"

namespace edgetrust::tools {
namespace {

using attestation::EkType;
using nlohmann::json;

std::string HexHandle(uint32_t handle) {
  char buf[16];
  std::snprintf(buf, sizeof(buf), "0x%08x", handle);
  return buf;
}

std::string Date(std::time_t t) {
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

// DescribeEk reports one EK type: persisted or not, its certificate and whether they match.
json DescribeEk(attestation::Tpm& tpm, EkType type) {
  const attestation::EkProfile& profile = attestation::GetEkProfile(type);
  json out = {{"type", profile.name}, {"persistent_handle", HexHandle(profile.persistent)}};
  auto persisted = attestation::ReadPersistentKey(tpm, profile.persistent);
  out["persistent"] = persisted.has_value();
  json cert = {{"nv_index", HexHandle(profile.cert_nv_index)}};
  auto certificate = attestation::ReadEkCertificate(tpm, type);
  if (!certificate) {
    cert["present"] = false;
    if (certificate.error().reason != "ek.no_certificate") {
      cert["error"] = certificate.error().ToString();
    }
  } else {
    cert["present"] = true;
    cert["subject"] = certificate->subject();
    cert["issuer"] = certificate->issuer();
    cert["not_after"] = Date(certificate->not_after());
    // The persisted EK when there is one (already read above), else the template's key.
    auto ek = persisted ? Result<attestation::TpmPublic>(persisted->public_area)
                        : attestation::ComputeEkPublic(tpm, type);
    if (!ek) {
      cert["error"] = ek.error().ToString();
    } else {
      cert["matches_ek"] = attestation::CheckEkCertificateKey(*certificate, *ek).has_value();
    }
  }
  out["certificate"] = cert;
  return out;
}

Result<json> CollectInfo(const std::string& tcti) {
  auto tpm = attestation::Tpm::Open(tcti);
  if (!tpm) return Fail(tpm.error());
  auto info = attestation::GetTpmInfo(**tpm);
  if (!info) return Fail(info.error());
  char fw[32];
  std::snprintf(fw, sizeof(fw), "0x%016" PRIx64, info->firmware_version);
  json out = {{"tcti", tcti},
              {"manufacturer", info->manufacturer},
              {"vendor", info->vendor_string},
              {"firmware_version", fw},
              {"spec",
               {{"family", info->spec_family},
                {"level", info->spec_level},
                {"revision", info->spec_revision},
                {"year", info->spec_year}}}};
  json eks = json::array();
  for (EkType type : attestation::AllEkTypes()) eks.push_back(DescribeEk(**tpm, type));
  out["endorsement_keys"] = eks;
  auto handles = attestation::ListHandles(**tpm, attestation::HandleKind::kPersistent);
  if (!handles) return Fail(handles.error());
  json persistent = json::array();
  for (uint32_t h : *handles) persistent.push_back(HexHandle(h));
  out["persistent_handles"] = persistent;
  return out;
}

void PrintText(const json& info) {
  std::printf("TPM             %s\n", info["tcti"].get<std::string>().c_str());
  std::printf("Manufacturer    %s (%s), firmware %s\n",
              info["manufacturer"].get<std::string>().c_str(),
              info["vendor"].get<std::string>().c_str(),
              info["firmware_version"].get<std::string>().c_str());
  const json& spec = info["spec"];
  std::printf("Specification   TPM %s level %u revision %u (%u)\n",
              spec["family"].get<std::string>().c_str(), spec["level"].get<unsigned>(),
              spec["revision"].get<unsigned>(), spec["year"].get<unsigned>());
  for (const json& ek : info["endorsement_keys"]) {
    std::string line = ek["persistent"].get<bool>()
                           ? "persistent at " + ek["persistent_handle"].get<std::string>()
                           : "not persistent";
    const json& cert = ek["certificate"];
    if (cert["present"].get<bool>()) {
      line += "; certificate at " + cert["nv_index"].get<std::string>() + ": subject " +
              cert["subject"].get<std::string>() + ", issuer " + cert["issuer"].get<std::string>() +
              ", valid until " + cert["not_after"].get<std::string>();
      if (cert.contains("matches_ek")) {
        line += cert["matches_ek"].get<bool>() ? ", key matches EK" : ", KEY DOES NOT MATCH EK";
      }
    } else {
      line += "; no certificate";
    }
    if (cert.contains("error")) line += " (" + cert["error"].get<std::string>() + ")";
    std::printf("EK %-12s %s\n", ek["type"].get<std::string>().c_str(), line.c_str());
  }
  std::string handles;
  for (const json& h : info["persistent_handles"]) handles += " " + h.get<std::string>();
  std::printf("Persistent     %s\n", handles.empty() ? " none" : handles.c_str());
}

}  // namespace

void AddTpmInfo(CLI::App& tpm, int* rc) {
  CLI::App* cmd = tpm.add_subcommand("info", "Manufacturer, firmware, EKs and EK certificates");
  auto tcti = std::make_shared<std::string>(DefaultTcti());
  auto as_json = std::make_shared<bool>(false);
  cmd->add_option("--tcti", *tcti, "TCTI, e.g. device:/dev/tpmrm0 (default $EDGETRUST_TCTI)");
  cmd->add_flag("--json", *as_json, "Print JSON");
  cmd->callback([=]() {
    auto info = CollectInfo(*tcti);
    if (!info) {
      *rc = ReportError("tpm info", info.error());
      return;
    }
    if (*as_json) {
      std::cout << info->dump(2) << "\n";
    } else {
      PrintText(*info);
    }
    *rc = 0;
  });
}

}  // namespace edgetrust::tools
