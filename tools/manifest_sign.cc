// edgetrust manifest sign: see manifest_commands.h. Everything that can be checked without the
// key (flags, certificate chain, manifest, existing JWS) is checked before the key is opened,
// so that a mistake never costs a token login.
#include <cstdio>
#include <memory>
#include <string>

#include "certs/certificate.h"
#include "certs/pem_key_signer.h"
#include "common/file.h"
#include "manifest/core/manifest_parser.h"
#include "manifest/jws/envelope.h"
#include "manifest/jws/jws_alg.h"
#include "manifest/jws/sign.h"
#include "tools/ca_commands.h"
#include "tools/cli_util.h"
#include "tools/manifest_commands.h"

namespace edgetrust::tools {
namespace {

struct SignOptions {
  std::string manifest;
  std::string cert;
  TokenOptions token;
  std::string key_file;
  std::string add_to;
  std::string out;
};

// Input is what gets signed: the payload bytes and, with --add-to, the JWS they come from.
struct Input {
  Bytes payload;
  std::string existing_jws;  // empty without --add-to
};

std::unexpected<Error> Usage(std::string reason, std::string message) {
  return Fail(ErrorCode::kInvalidArgument, std::move(reason), std::move(message));
}

Status CheckArguments(const SignOptions& opt) {
  if (opt.cert.empty()) return Usage("cli.cert", "give --cert CHAIN.pem (signer first)");
  if (opt.manifest.empty() && opt.add_to.empty()) {
    return Usage("cli.manifest", "give --manifest FILE, or --add-to JWS to add a signature");
  }
  if (opt.token.given() == !opt.key_file.empty()) {
    return Usage("cli.key", "give exactly one of --key-uri (with its PIN flags) and --key-file");
  }
  return Ok();
}

// ReadBytes reads a file of at most `max` bytes; larger files are left to the parsers, which
// refuse them with their own "too_large" reason.
Result<Bytes> ReadBytes(const std::string& path, size_t max) { return ReadFile(path, max + 1); }

Result<std::vector<certs::Certificate>> LoadChain(const std::string& path) {
  auto pem = ReadFile(path, 1024 * 1024);
  if (!pem) return Fail(pem.error());
  auto chain = certs::Certificate::ChainFromPem(
      std::string_view(reinterpret_cast<const char*>(pem->data()), pem->size()));
  if (!chain) return Usage("cli.cert", path + ": " + chain.error().message);
  return chain;
}

Result<Input> LoadInput(const SignOptions& opt) {
  Input in;
  if (!opt.add_to.empty()) {
    auto jws = ReadBytes(opt.add_to, manifest::jws::kMaxJwsSize);
    if (!jws) return Fail(jws.error());
    in.existing_jws.assign(jws->begin(), jws->end());
    auto envelope = manifest::jws::ParseJwsEnvelope(in.existing_jws);
    if (!envelope) return Fail(envelope.error());
    in.payload = std::move(envelope->payload);
  }
  if (!opt.manifest.empty()) {
    auto file = ReadBytes(opt.manifest, manifest::kMaxManifestSize);
    if (!file) return Fail(file.error());
    if (!opt.add_to.empty() && *file != in.payload) {
      return Usage("cli.payload_mismatch",
                   opt.manifest + " is not the manifest that " + opt.add_to + " signs");
    }
    in.payload = std::move(*file);
  }
  if (auto parsed = manifest::ParseManifest(in.payload); !parsed) return Fail(parsed.error());
  return in;
}

Result<std::unique_ptr<certs::Signer>> OpenSigner(const SignOptions& opt) {
  if (!opt.key_file.empty()) {
    std::fprintf(stderr,
                 "edgetrust: manifest sign: warning: signing with a key file (development "
                 "only); production keys belong in an HSM (--key-uri)\n");
    return certs::OpenPemKeySigner(opt.key_file);
  }
  auto config = ToPkcs11Config(opt.token);
  if (!config) return Fail(config.error());
  return certs::OpenPkcs11Signer(*config);
}

Status Run(const SignOptions& opt) {
  if (auto args = CheckArguments(opt); !args) return args;
  auto chain = LoadChain(opt.cert);
  if (!chain) return Fail(chain.error());
  auto input = LoadInput(opt);
  if (!input) return Fail(input.error());
  auto signer = OpenSigner(opt);
  if (!signer) return Fail(signer.error());

  auto jws = opt.add_to.empty()
                 ? manifest::jws::SignManifest(input->payload, **signer, *chain)
                 : manifest::jws::AddSignature(input->existing_jws, **signer, *chain);
  if (!jws) return Fail(jws.error());
  jws->push_back('\n');
  FILE* report = stdout;
  if (opt.out.empty()) {
    std::fwrite(jws->data(), 1, jws->size(), stdout);
    report = stderr;  // stdout carries the JWS
  } else if (auto written = WriteOutput(opt.out, AsBytes(*jws)); !written) {
    return written;
  }
  auto alg = manifest::jws::JwsAlgForSigner(**signer);
  auto envelope = manifest::jws::ParseJwsEnvelope(*jws);
  std::fprintf(report, "signed       %s (%s, key sha256 %s)\n", chain->front().subject().c_str(),
               alg ? std::string(manifest::jws::JwsAlgName(*alg)).c_str() : "?",
               (*signer)->public_key().Fingerprint().c_str());
  std::fprintf(report, "signatures   %zu\n", envelope ? envelope->signatures.size() : size_t{0});
  if (!opt.out.empty()) std::fprintf(report, "wrote        %s\n", opt.out.c_str());
  return Ok();
}

}  // namespace

void AddManifestSign(CLI::App& manifest, int* rc) {
  CLI::App* cmd = manifest.add_subcommand(
      "sign", "Sign a deployment manifest (or add a signature to a JWS) for the module gate");
  auto opt = std::make_shared<SignOptions>();
  cmd->add_option("--manifest", opt->manifest, "The manifest (JSON); its exact bytes are signed");
  cmd->add_option("--cert", opt->cert,
                  "Signer certificate chain (PEM): the signer first, then intermediates");
  AddTokenOptions(*cmd, &opt->token);
  cmd->add_option("--key-file", opt->key_file,
                  "DEVELOPMENT ONLY: unencrypted PEM private key file instead of --key-uri "
                  "(production keys stay in an HSM)");
  cmd->add_option("--add-to", opt->add_to,
                  "Existing JWS to add this signature to (k of n); its payload is signed");
  cmd->add_option("--out", opt->out, "Write the JWS here (atomically, 0644) instead of stdout");
  cmd->callback([=]() {
    auto ok = Run(*opt);
    *rc = ok ? 0 : ReportError("manifest sign", ok.error());
  });
}

}  // namespace edgetrust::tools
