// The `edgetrust manifest ...` commands (issue 5 §2; docs/manifest.md): sign deployment
// manifests in a CI/CD pipeline, and verify them offline with the checks the device's module
// gate makes.
//
// edgetrust manifest sign --manifest FILE --cert CHAIN.pem
//                         (--key-uri URI [--module M] (--pin-file F | --pin-env V)
//                          | --key-file KEY.pem)
//                         [--add-to EXISTING.jws] [--out FILE]
//   Signs the exact bytes of FILE (refused with its "manifest.*" reason unless ParseManifest
//   accepts them) and writes a JWS in the general JSON serialization (jws/sign.h). CHAIN.pem is
//   the signer's certificate followed by the intermediates to carry in x5c. The key is a
//   PKCS#11 URI (the PIN from a file or the environment, as for `ca init`) or, for development
//   only, an unencrypted PEM key file (certs/pem_key_signer.h). With --add-to, one more
//   signature is appended to an existing JWS over its payload (k of n, one signer at a time;
//   the existing signatures are not verified here); --manifest is then optional and, if given,
//   must be byte for byte the JWS's payload ("cli.payload_mismatch"). The JWS goes to --out
//   (replaced atomically, mode 0644; it may be the --add-to file) or to stdout.
//   Exit 0 signed; 2 invalid arguments or input (a "cli.*", "manifest.*" or "jws.*" reason of
//   kInvalidArgument); 1 anything else (token, key, files).
//
// edgetrust manifest verify --jws FILE --roots ROOTS.pem [--crl FILE]... [--min-signers N]
//                           [--signer-eku OID] [--device-id ID] [--tag T]... [--at RFC3339]
//                           [--json]
//   ManifestVerifier::Verify under the policy the flags describe (the daemon builds the same
//   policy from its config), at --at (default: now); then CheckFreshness, and CheckTarget when
//   --device-id or --tag is given (manifest/core/applicability.h).
//   Exit 0 valid; 1 invalid, with "edgetrust: manifest verify: <reason>: <message>" on stderr;
//   2 when the check could not be made (flags, unreadable files, a bad root, CRL or policy).
//   --json prints one object on stdout: {"valid":true,"deploymentId","version","issuedAt",
//   "expiresAt","signers":[{"subject","serial","spki_sha256","alg"}],"modules":[{"name",
//   "image","sha256","size"}],"payload_sha256"} or {"valid":false,"error":<reason>,
//   "message":<message>}.
//
// Neither command prints a PIN or key material.
#ifndef EDGETRUST_TOOLS_MANIFEST_COMMANDS_H_
#define EDGETRUST_TOOLS_MANIFEST_COMMANDS_H_

#include <CLI/CLI.hpp>

namespace edgetrust::tools {

// Each Add* registers one subcommand on `manifest`; the subcommand stores its exit code in `*rc`.
void AddManifestSign(CLI::App& manifest, int* rc);
void AddManifestVerify(CLI::App& manifest, int* rc);

}  // namespace edgetrust::tools

#endif  // EDGETRUST_TOOLS_MANIFEST_COMMANDS_H_
