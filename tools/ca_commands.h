// The `edgetrust ca ...` commands: make and inspect the enrollment CA whose private key lives in
// a PKCS#11 token (an HSM in production, SoftHSM in tests). The key never leaves the token;
// these commands handle URIs, certificates, CSRs and fingerprints only, and never print the PIN.
#ifndef EDGETRUST_TOOLS_CA_COMMANDS_H_
#define EDGETRUST_TOOLS_CA_COMMANDS_H_

#include <CLI/CLI.hpp>
#include <string>

#include "certs/pkcs11_signer.h"
#include "common/error.h"

namespace edgetrust::tools {

// Each Add* registers one subcommand on `ca`; the subcommand stores its exit code in `*rc`.
void AddCaInit(CLI::App& ca, int* rc);
void AddCaShow(CLI::App& ca, int* rc);

// DefaultPkcs11Module is $EDGETRUST_PKCS11_MODULE, else /usr/lib/softhsm/libsofthsm2.so.
std::string DefaultPkcs11Module();

// TokenOptions are the flags that name a key in a token: --module, --key-uri, and exactly one
// of --pin-file / --pin-env (the PIN itself is never a flag: it would show in process lists).
struct TokenOptions {
  std::string module = DefaultPkcs11Module();
  std::string key_uri;
  std::string pin_file;
  std::string pin_env;

  // given is true when any of --key-uri, --pin-file, --pin-env was set.
  bool given() const { return !key_uri.empty() || !pin_file.empty() || !pin_env.empty(); }
};

// AddTokenOptions registers the TokenOptions flags on `cmd`, writing into `*opt`.
void AddTokenOptions(CLI::App& cmd, TokenOptions* opt);

// ToPkcs11Config checks the flags and builds the config. kInvalidArgument "cli.key_uri" (no
// --key-uri), "cli.pin" (neither or both of --pin-file and --pin-env), "cli.module" (empty).
Result<certs::Pkcs11Config> ToPkcs11Config(const TokenOptions& opt);

}  // namespace edgetrust::tools

#endif  // EDGETRUST_TOOLS_CA_COMMANDS_H_
