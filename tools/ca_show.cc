// edgetrust ca show: what a CA certificate says (names, serial, validity, CA flag, key), and,
// given the token flags, whether the token's key is the certificate's key. Read-only.
#include <openssl/x509v3.h>

#include <cstddef>
#include <cstdio>
#include <ctime>
#include <iostream>
#include <nlohmann/json.hpp>

#include "certs/certificate.h"
#include "common/file.h"
#include "tools/ca_commands.h"
#include "tools/cli_util.h"

namespace edgetrust::tools {
namespace {

using nlohmann::json;

struct ShowOptions {
  TokenOptions token;
  std::string cert;
  bool as_json = false;
};

// Rfc3339 renders `t` as UTC, e.g. 2035-01-31T12:00:00Z.
std::string Rfc3339(std::time_t t) {
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  size_t n = std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return std::string(buf, n);
}

std::string KeyTypeName(const PublicKey& key) {
  if (key.type() == KeyType::kRsa) return "RSA " + std::to_string(key.bits());
  return std::string("EC ") + CurveName(key.type());
}

json KeyUsage(x509_st* x509) {
  static constexpr struct {
    uint32_t bit;
    const char* name;
  } kUsages[] = {{KU_DIGITAL_SIGNATURE, "digitalSignature"},
                 {KU_NON_REPUDIATION, "nonRepudiation"},
                 {KU_KEY_ENCIPHERMENT, "keyEncipherment"},
                 {KU_DATA_ENCIPHERMENT, "dataEncipherment"},
                 {KU_KEY_AGREEMENT, "keyAgreement"},
                 {KU_KEY_CERT_SIGN, "keyCertSign"},
                 {KU_CRL_SIGN, "cRLSign"}};
  json out = json::array();
  if ((X509_get_extension_flags(x509) & EXFLAG_KUSAGE) == 0) return out;
  uint32_t usage = X509_get_key_usage(x509);
  for (const auto& u : kUsages) {
    if ((usage & u.bit) != 0) out.push_back(u.name);
  }
  return out;
}

Result<certs::Certificate> LoadCertificate(const std::string& path) {
  auto bytes = ReadFile(path, 1024 * 1024);
  if (!bytes) return Fail(bytes.error());
  std::string_view text(reinterpret_cast<const char*>(bytes->data()), bytes->size());
  if (text.find("-----BEGIN") != std::string_view::npos) return certs::Certificate::FromPem(text);
  return certs::Certificate::FromDer(*bytes);
}

// CheckTokenKey opens the token's key and compares it with the certificate's. A different key
// is kFailedPrecondition "ca.key_mismatch".
Result<json> CheckTokenKey(const TokenOptions& opt, const PublicKey& cert_key) {
  auto config = ToPkcs11Config(opt);
  if (!config) return Fail(config.error());
  auto signer = certs::OpenPkcs11Signer(*config);
  if (!signer) return Fail(signer.error());
  const PublicKey& token_key = (*signer)->public_key();
  if (!token_key.Equals(cert_key)) {
    return Fail(ErrorCode::kFailedPrecondition, "ca.key_mismatch",
                "the token's key " + opt.key_uri + " (fingerprint " + token_key.Fingerprint() +
                    ") is not the certificate's key (fingerprint " + cert_key.Fingerprint() + ")");
  }
  return json{{"uri", opt.key_uri}, {"in_token", true}, {"matches", true}};
}

Result<json> Collect(const ShowOptions& opt) {
  if (opt.cert.empty()) return Fail(ErrorCode::kInvalidArgument, "cli.cert", "give --cert");
  auto cert = LoadCertificate(opt.cert);
  if (!cert) return Fail(cert.error());
  auto key = cert->public_key();
  if (!key) return Fail(key.error());
  x509_st* x509 = cert->get0_x509();
  bool is_ca = (X509_get_extension_flags(x509) & EXFLAG_CA) != 0;
  json out = {{"file", opt.cert},
              {"subject", cert->subject()},
              {"issuer", cert->issuer()},
              {"serial", cert->SerialHex()},
              {"not_before", Rfc3339(cert->not_before())},
              {"not_after", Rfc3339(cert->not_after())},
              {"ca", is_ca},
              {"key_usage", KeyUsage(x509)},
              {"key_type", KeyTypeName(*key)},
              {"key_fingerprint_sha256", key->Fingerprint()}};
  if (is_ca) {
    long pathlen = X509_get_pathlen(x509);
    out["path_length"] = pathlen >= 0 ? json(pathlen) : json(nullptr);
  }
  if (opt.token.given()) {
    auto token_key = CheckTokenKey(opt.token, *key);
    if (!token_key) return Fail(token_key.error());
    out["token_key"] = *token_key;
  }
  return out;
}

void PrintText(const json& info) {
  auto str = [&](const char* field) { return info[field].get<std::string>(); };
  std::string usage;
  for (const json& u : info["key_usage"]) {
    usage += (usage.empty() ? "" : ", ") + u.get<std::string>();
  }
  std::string ca = info["ca"].get<bool>() ? "yes" : "no";
  if (info.contains("path_length") && !info["path_length"].is_null()) {
    ca += ", path length " + std::to_string(info["path_length"].get<long>());
  }
  std::printf("subject      %s\n", str("subject").c_str());
  std::printf("issuer       %s\n", str("issuer").c_str());
  std::printf("serial       %s\n", str("serial").c_str());
  std::printf("not before   %s\n", str("not_before").c_str());
  std::printf("not after    %s\n", str("not_after").c_str());
  std::printf("CA           %s\n", ca.c_str());
  std::printf("key usage    %s\n", usage.empty() ? "(none)" : usage.c_str());
  std::printf("key type     %s\n", str("key_type").c_str());
  std::printf("fingerprint  %s (SHA-256 of the public key)\n",
              str("key_fingerprint_sha256").c_str());
  if (info.contains("token_key")) {
    std::printf("key: in token, matches (%s)\n",
                info["token_key"]["uri"].get<std::string>().c_str());
  }
}

}  // namespace

void AddCaShow(CLI::App& ca, int* rc) {
  CLI::App* cmd =
      ca.add_subcommand("show", "Describe a CA certificate; with token flags, check its key");
  auto opt = std::make_shared<ShowOptions>();
  cmd->add_option("--cert", opt->cert, "CA certificate (PEM or DER)");
  AddTokenOptions(*cmd, &opt->token);
  cmd->add_flag("--json", opt->as_json, "Print JSON");
  cmd->callback([=]() {
    auto info = Collect(*opt);
    if (!info) {
      *rc = ReportError("ca show", info.error());
      return;
    }
    if (opt->as_json) {
      std::cout << info->dump(2) << "\n";
    } else {
      PrintText(*info);
    }
    *rc = 0;
  });
}

}  // namespace edgetrust::tools
