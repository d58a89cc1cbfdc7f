// edgetrust tpm ek: the public part of one of the TPM's endorsement keys, as PEM or as the
// marshalled TPM2B_PUBLIC (tpm2-tools' "tss" format). Read-only.
#include <cstdio>
#include <iostream>

#include "attestation/primary_keys.h"
#include "attestation/tpm.h"
#include "tools/cli_util.h"
#include "tools/tpm_commands.h"

namespace edgetrust::tools {
namespace {

struct EkOptions {
  std::string tcti = DefaultTcti();
  std::string alg = "rsa2048";
  std::string format = "pem";
  std::string out;
};

Status Run(const EkOptions& opt) {
  auto type = attestation::ParseEkType(opt.alg);
  if (!type) return Fail(type.error());
  if (opt.format != "pem" && opt.format != "tss") {
    return Fail(ErrorCode::kInvalidArgument, "cli.format", "--format must be pem or tss");
  }
  if (opt.format == "tss" && opt.out.empty()) {
    return Fail(ErrorCode::kInvalidArgument, "cli.out", "--format tss is binary: give --out");
  }
  auto tpm = attestation::Tpm::Open(opt.tcti);
  if (!tpm) return Fail(tpm.error());
  auto ek = attestation::ComputeEkPublic(**tpm, *type);
  if (!ek) return Fail(ek.error());
  Bytes data;
  if (opt.format == "tss") {
    data = ek->Marshal();
  } else {
    auto key = ek->ToPublicKey();
    if (!key) return Fail(key.error());
    auto pem = key->ToPem();
    if (!pem) return Fail(pem.error());
    data = ToBytes(*pem);
  }
  if (opt.out.empty()) {
    std::cout.write(reinterpret_cast<const char*>(data.data()),
                    static_cast<std::streamsize>(data.size()));
    return Ok();
  }
  return WriteOutput(opt.out, data);
}

}  // namespace

void AddTpmEk(CLI::App& tpm, int* rc) {
  CLI::App* cmd = tpm.add_subcommand("ek", "Export an endorsement key's public part");
  auto opt = std::make_shared<EkOptions>();
  cmd->add_option("--tcti", opt->tcti, "TCTI (default $EDGETRUST_TCTI)");
  cmd->add_option("--alg", opt->alg, "rsa2048 | ecc256 | ecc384")->capture_default_str();
  cmd->add_option("--format", opt->format, "pem | tss")->capture_default_str();
  cmd->add_option("--out", opt->out, "Output file (default: standard output)");
  cmd->callback([=]() {
    auto ok = Run(*opt);
    *rc = ok ? 0 : ReportError("tpm ek", ok.error());
  });
}

}  // namespace edgetrust::tools
