// edgetrust ca init: create the CA key in a PKCS#11 token, then write either a self-signed root
// certificate or a CSR for an offline root to sign. Also the token flags shared by `ca show`.
//
// Nothing is overwritten: an existing key with the same label, or an existing output file, is
// refused before the token is changed. The output's directory is checked first too, so that a
// typo does not leave a key in the token with nothing written.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <system_error>

#include "certs/certificate_authority.h"
#include "certs/csr.h"
#include "tools/ca_commands.h"
#include "tools/cli_util.h"

namespace edgetrust::tools {

std::string DefaultPkcs11Module() {
  const char* value = std::getenv("EDGETRUST_PKCS11_MODULE");
  if (value != nullptr && *value != '\0') return value;
  return "/usr/lib/softhsm/libsofthsm2.so";
}

void AddTokenOptions(CLI::App& cmd, TokenOptions* opt) {
  cmd.add_option("--module", opt->module,
                 "PKCS#11 module (default $EDGETRUST_PKCS11_MODULE, else SoftHSM)")
      ->capture_default_str();
  cmd.add_option("--key-uri", opt->key_uri,
                 "RFC 7512 key URI, e.g. pkcs11:token=edgetrust-ca;object=ca-key;type=private");
  cmd.add_option("--pin-file", opt->pin_file, "File holding the token user PIN (mode 0600)");
  cmd.add_option("--pin-env", opt->pin_env, "Environment variable holding the token user PIN");
}

Result<certs::Pkcs11Config> ToPkcs11Config(const TokenOptions& opt) {
  if (opt.key_uri.empty()) {
    return Fail(ErrorCode::kInvalidArgument, "cli.key_uri", "give --key-uri");
  }
  if (opt.pin_file.empty() == opt.pin_env.empty()) {
    return Fail(ErrorCode::kInvalidArgument, "cli.pin",
                "give exactly one of --pin-file, --pin-env");
  }
  if (opt.module.empty()) {
    return Fail(ErrorCode::kInvalidArgument, "cli.module", "--module is empty");
  }
  certs::Pkcs11Config config;
  config.module_path = opt.module;
  config.key_uri = opt.key_uri;
  if (opt.pin_file.empty()) {
    config.pin = {certs::PinSource::Kind::kEnvironment, opt.pin_env};
  } else {
    config.pin = {certs::PinSource::Kind::kFile, opt.pin_file};
  }
  return config;
}

namespace {

constexpr int kMaxDays = 100 * 365;

struct InitOptions {
  TokenOptions token;
  std::string common_name;
  bool self_signed = false;
  int days = 3650;
  std::string out;
  std::string csr_out;
};

// CheckArguments validates the flag combination; every failure is kInvalidArgument (exit 2).
Status CheckArguments(const InitOptions& opt) {
  auto bad = [](std::string reason, std::string message) {
    return Fail(ErrorCode::kInvalidArgument, std::move(reason), std::move(message));
  };
  if (opt.common_name.empty()) return bad("cli.cn", "give --cn (the CA's common name)");
  if (opt.self_signed == !opt.csr_out.empty()) {
    return bad("cli.output", "give either --self-signed --out FILE or --csr-out FILE");
  }
  if (opt.self_signed && opt.out.empty()) return bad("cli.out", "--self-signed needs --out FILE");
  if (!opt.self_signed && !opt.out.empty()) return bad("cli.out", "--out goes with --self-signed");
  if (opt.days <= 0 || opt.days > kMaxDays) {
    return bad("cli.days", "--days must be between 1 and " + std::to_string(kMaxDays));
  }
  return Ok();
}

// CheckWritable refuses an existing output file or a missing output directory, before the
// token is touched.
Status CheckWritable(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::symlink_status(path, ec).type() != std::filesystem::file_type::not_found) {
    return Fail(ErrorCode::kAlreadyExists, "cli.out_exists",
                path + " already exists; refusing to overwrite it");
  }
  std::filesystem::path dir = std::filesystem::path(path).parent_path();
  if (dir.empty()) dir = ".";
  if (!std::filesystem::is_directory(dir, ec)) {
    return Fail(ErrorCode::kNotFound, "cli.out_dir", "no directory " + dir.string());
  }
  return Ok();
}

// WriteCaFile signs the certificate or CSR with the token's key and writes it as PEM.
Status WriteCaFile(const InitOptions& opt, const certs::Signer& signer) {
  std::string pem;
  if (opt.self_signed) {
    auto cert = certs::MakeSelfSignedCa(signer, opt.common_name, std::chrono::days(opt.days),
                                        std::time(nullptr));
    if (!cert) return Fail(cert.error());
    auto text = cert->ToPem();
    if (!text) return Fail(text.error());
    pem = std::move(*text);
  } else {
    auto der = certs::MakeCaCsr(signer, opt.common_name);
    if (!der) return Fail(der.error());
    auto csr = certs::Csr::FromDer(*der);
    if (!csr) return Fail(csr.error());
    auto text = csr->ToPem();
    if (!text) return Fail(text.error());
    pem = std::move(*text);
  }
  return WriteOutput(opt.self_signed ? opt.out : opt.csr_out, AsBytes(pem));
}

Status Run(const InitOptions& opt) {
  if (auto args = CheckArguments(opt); !args) return args;
  auto config = ToPkcs11Config(opt.token);
  if (!config) return Fail(config.error());
  const std::string& path = opt.self_signed ? opt.out : opt.csr_out;
  if (auto writable = CheckWritable(path); !writable) return writable;

  if (auto made = certs::GeneratePkcs11EcKey(*config); !made) return made;
  // From here on the key exists: say so in any error, so the operator knows why a retry with
  // the same label is refused.
  auto created = [&](Error error) {
    error.message += " (the key " + opt.token.key_uri +
                     " was created in the token; delete it or use another label to retry)";
    return Fail(std::move(error));
  };
  auto signer = certs::OpenPkcs11Signer(*config);
  if (!signer) return created(signer.error());
  if (auto written = WriteCaFile(opt, **signer); !written) return created(written.error());

  std::printf("key          %s (EC P-256, in token, not extractable)\n", opt.token.key_uri.c_str());
  std::printf("fingerprint  %s (SHA-256 of the public key)\n",
              (*signer)->public_key().Fingerprint().c_str());
  std::printf("wrote        %s (%s for CN=%s)\n", path.c_str(),
              opt.self_signed ? "self-signed root certificate" : "certificate signing request",
              opt.common_name.c_str());
  return Ok();
}

}  // namespace

void AddCaInit(CLI::App& ca, int* rc) {
  CLI::App* cmd = ca.add_subcommand("init",
                                    "Create the CA key in a PKCS#11 token and a root "
                                    "certificate or a CSR for it");
  auto opt = std::make_shared<InitOptions>();
  AddTokenOptions(*cmd, &opt->token);
  cmd->add_option("--cn", opt->common_name, "Common name of the CA (required)");
  cmd->add_flag("--self-signed", opt->self_signed, "Write a self-signed root certificate");
  cmd->add_option("--days", opt->days, "Validity of the self-signed root")->capture_default_str();
  cmd->add_option("--out", opt->out, "Root certificate file (PEM), with --self-signed");
  cmd->add_option("--csr-out", opt->csr_out, "CSR file (PEM) for an offline root to sign");
  cmd->callback([=]() {
    auto ok = Run(*opt);
    *rc = ok ? 0 : ReportError("ca init", ok.error());
  });
}

}  // namespace edgetrust::tools
