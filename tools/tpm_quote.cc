// edgetrust tpm quote: a PCR quote by an attestation key, written in the file formats
// tpm2_checkquote reads, so that an operator can check a device with independent tools:
//   tpm2_checkquote -u ak.pub.pem -m quote.attest -s quote.sig -f quote.pcrs -l <pcrs> -q <nonce>
// The AK comes from --ak-blob when that file exists; otherwise a new AK is created under the
// SRK (the SRK is created and persisted at 0x81000001 if absent, as the daemon would) and, with
// --ak-blob, saved there for the next call.
#include <sys/stat.h>

#include <cstdio>

#include "attestation/key_blob.h"
#include "attestation/keys.h"
#include "attestation/pcr_selection.h"
#include "attestation/primary_keys.h"
#include "attestation/quote.h"
#include "attestation/tpm.h"
#include "common/file.h"
#include "tools/cli_util.h"
#include "tools/tpm_commands.h"

namespace edgetrust::tools {
namespace {

using attestation::KeyBlob;
using attestation::PersistentKey;
using attestation::Tpm;
using attestation::TpmPublic;

struct QuoteOptions {
  std::string tcti = DefaultTcti();
  std::string nonce_hex;
  std::string pcrs = "sha256:0,1,2,3,4,5,6,7";
  std::string out_dir;
  std::string ak_blob;
  std::string ak_alg = "ecc256";
};

bool FileExists(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0;
}

Result<KeyBlob> GetAk(Tpm& tpm, const PersistentKey& srk, const QuoteOptions& opt) {
  if (!opt.ak_blob.empty() && FileExists(opt.ak_blob)) return attestation::LoadKeyBlob(opt.ak_blob);
  auto alg = attestation::ParseKeyAlgorithm(opt.ak_alg);
  if (!alg) return Fail(alg.error());
  auto blob = attestation::CreateKey(tpm, srk.handle, attestation::AttestationKeyTemplate(*alg));
  if (!blob) return Fail(blob.error());
  if (!opt.ak_blob.empty()) {
    if (auto saved = attestation::SaveKeyBlob(opt.ak_blob, *blob); !saved)
      return Fail(saved.error());
  }
  return blob;
}

Status Run(const QuoteOptions& opt) {
  auto nonce = HexDecode(opt.nonce_hex);
  if (!nonce) return Fail(nonce.error());
  auto selection = attestation::ParsePcrSelection(opt.pcrs);
  if (!selection) return Fail(selection.error());
  if (auto dir = EnsureDirectory(opt.out_dir, 0755); !dir) return Fail(dir.error());
  auto tpm = Tpm::Open(opt.tcti);
  if (!tpm) return Fail(tpm.error());
  auto srk = attestation::EnsureSrk(**tpm);
  if (!srk) return Fail(srk.error());
  auto ak_blob = GetAk(**tpm, *srk, opt);
  if (!ak_blob) return Fail(ak_blob.error());
  auto ak = attestation::LoadKey(**tpm, srk->handle, *ak_blob);
  if (!ak) return Fail(ak.error());
  auto quote = attestation::Quote(**tpm, *ak, *nonce, *selection);
  if (!quote) return Fail(quote.error());
  auto ak_public = TpmPublic::FromStruct(ak_blob->public_area);
  if (!ak_public) return Fail(ak_public.error());
  auto ak_key = ak_public->ToPublicKey();
  if (!ak_key) return Fail(ak_key.error());
  auto ak_pem = ak_key->ToPem();
  if (!ak_pem) return Fail(ak_pem.error());

  const std::string& d = opt.out_dir;
  const Bytes ak_tss = ak_public->Marshal();
  const Bytes pcrs = attestation::ConcatPcrValues(quote->pcr_values);
  const std::pair<const char*, ByteView> files[] = {{"quote.attest", quote->attest},
                                                    {"quote.sig", quote->signature},
                                                    {"quote.pcrs", pcrs},
                                                    {"ak.pub.tss", ak_tss},
                                                    {"ak.pub.pem", AsBytes(*ak_pem)}};
  for (const auto& [name, data] : files) {
    if (auto w = WriteOutput(d + "/" + name, data); !w) return Fail(w.error());
  }
  std::printf("quote written to %s; check it with:\n", d.c_str());
  std::printf(
      "  tpm2_checkquote -u %s/ak.pub.pem -m %s/quote.attest -s %s/quote.sig "
      "-f %s/quote.pcrs -l %s -g sha256 -q %s\n",
      d.c_str(), d.c_str(), d.c_str(), d.c_str(),
      attestation::FormatPcrSelection(*selection).c_str(), HexEncode(*nonce).c_str());
  return Ok();
}

}  // namespace

void AddTpmQuote(CLI::App& tpm, int* rc) {
  CLI::App* cmd = tpm.add_subcommand("quote", "Quote PCRs with an attestation key");
  auto opt = std::make_shared<QuoteOptions>();
  cmd->add_option("--tcti", opt->tcti, "TCTI (default $EDGETRUST_TCTI)");
  cmd->add_option("--nonce", opt->nonce_hex, "Qualifying data, hex (at most 64 bytes)")->required();
  cmd->add_option("--pcrs", opt->pcrs, "PCR selection, e.g. sha256:0,1,16")->capture_default_str();
  cmd->add_option("--out-dir", opt->out_dir, "Directory for the quote files")->required();
  cmd->add_option("--ak-blob", opt->ak_blob, "AK key blob to use (created there if absent)");
  cmd->add_option("--ak-alg", opt->ak_alg, "ecc256 | rsa2048 for a new AK")->capture_default_str();
  cmd->callback([=]() {
    auto ok = Run(*opt);
    *rc = ok ? 0 : ReportError("tpm quote", ok.error());
  });
}

}  // namespace edgetrust::tools
