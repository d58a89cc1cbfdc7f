// `edgetrust manifest sign|verify` (the real binary) with development key files from an
// in-process test PKI: happy paths in text and --json, THREATS M2/M3/M7/M8 verdicts with their
// exact reasons, k of n with --add-to, usage errors, and `jose jws ver` as the oracle for what
// the CLI signs.
#include <string>

#include "common/crypto.h"
#include "manifest/jws/base64.h"
#include "tools/manifest_cli_fixture.h"

namespace edgetrust::tools::testing {
namespace {

using json = nlohmann::json;

TEST_F(ManifestCliTest, SignWithKeyFileThenVerifyTextAndJson) {
  SignerFiles a = NewSigner("a");
  CommandResult sign = Sign(a, Path("out.jws"));
  ASSERT_EQ(sign.exit_code, 0) << sign.output;
  EXPECT_NE(sign.output.find("development only"), std::string::npos) << sign.output;
  EXPECT_NE(sign.output.find("signatures   1"), std::string::npos) << sign.output;

  CommandResult text = Verify(Path("out.jws"));
  ASSERT_EQ(text.exit_code, 0) << text.output;
  EXPECT_NE(text.output.find("valid        yes"), std::string::npos) << text.output;
  EXPECT_NE(text.output.find("deployment   fleet-a, version 42"), std::string::npos);
  EXPECT_NE(text.output.find("module       sensor registry.example.com/sensor@sha256:"),
            std::string::npos)
      << text.output;

  int code = -1;
  json v = VerifyJson(Path("out.jws"), "", &code);
  ASSERT_EQ(code, 0) << v;
  EXPECT_EQ(v["valid"], true);
  EXPECT_EQ(v["deploymentId"], "fleet-a");
  EXPECT_EQ(v["version"], 42);
  EXPECT_EQ(v["issuedAt"], "2026-11-26T10:00:00Z");
  EXPECT_EQ(v["expiresAt"], "2026-12-26T10:00:00Z");
  ASSERT_EQ(v["signers"].size(), 1u) << v;
  EXPECT_EQ(v["signers"][0]["subject"], "CN=manifest signer");
  EXPECT_EQ(v["signers"][0]["serial"], a.signer.chain[0].SerialHex());
  EXPECT_EQ(v["signers"][0]["spki_sha256"], a.signer.key.public_key().Fingerprint());
  EXPECT_EQ(v["signers"][0]["alg"], "ES256");
  ASSERT_EQ(v["modules"].size(), 1u) << v;
  EXPECT_EQ(v["modules"][0]["name"], "sensor");
  EXPECT_EQ(v["modules"][0]["sha256"], std::string(64, 'a'));
  EXPECT_EQ(v["modules"][0]["size"], 1048576);
  const std::string manifest = Read(manifest_);
  EXPECT_EQ(v["payload_sha256"], HexEncode(*Digest(HashAlgorithm::kSha256, AsBytes(manifest))));

  // Without --out the JWS goes to stdout (the report to stderr) and verifies just the same.
  CommandResult to_stdout =
      Cli("manifest sign --manifest " + ShellQuote(manifest_) + " --cert " + ShellQuote(a.chain) +
          " --key-file " + ShellQuote(a.key) + " 2>/dev/null");
  ASSERT_EQ(to_stdout.exit_code, 0) << to_stdout.output;
  EXPECT_EQ(Verify(Write("stdout.jws", to_stdout.output)).exit_code, 0);
}

TEST_F(ManifestCliTest, TamperedPayloadIsBadSignature) {
  ASSERT_EQ(Sign(NewSigner("a"), Path("out.jws")).exit_code, 0);
  json doc = json::parse(Read(Path("out.jws")));
  doc["payload"] = manifest::jws::internal::Base64UrlEncode(
      AsBytes(manifest::jws::testing::ValidManifestJson(99)));
  ExpectInvalid(Write("tampered.jws", doc.dump()), "", "jws.bad_signature");
}

TEST_F(ManifestCliTest, OtherRootsAndRevocationAreRefused) {
  SignerFiles a = NewSigner("a");
  ASSERT_EQ(Sign(a, Path("out.jws")).exit_code, 0);
  auto other = TestPki::Create(kNow);
  ASSERT_TRUE(other.has_value());
  const std::string other_roots = WritePem("other-roots.pem", {other->root});
  ExpectInvalid(Path("out.jws"), " --roots " + ShellQuote(other_roots), "jws.untrusted_chain");

  auto crl = pki_->Crl({a.signer.chain[0]});
  ASSERT_TRUE(crl.has_value());
  const std::string crl_path = Write("inter.crl", std::string(crl->begin(), crl->end()));
  ExpectInvalid(Path("out.jws"), " --crl " + ShellQuote(crl_path), "jws.signer_revoked");
  // The certificate is only valid from an hour before kNow.
  ExpectInvalid(Path("out.jws"), " --at 2026-11-30T22:00:00Z", "jws.signer_expired");
  // A signer EKU the certificate does not carry.
  ExpectInvalid(Path("out.jws"), " --signer-eku 1.3.6.1.4.1.55555.1", "jws.signer_profile");
}

TEST_F(ManifestCliTest, KOfNWithAddTo) {
  SignerFiles a = NewSigner("a");
  SignerFiles b = NewSigner("b", KeyType::kRsa);
  ASSERT_EQ(Sign(a, Path("one.jws")).exit_code, 0);
  CommandResult add = Cli("manifest sign --add-to " + ShellQuote(Path("one.jws")) + " --cert " +
                          ShellQuote(b.chain) + " --key-file " + ShellQuote(b.key) + " --out " +
                          ShellQuote(Path("two.jws")));
  ASSERT_EQ(add.exit_code, 0) << add.output;
  EXPECT_NE(add.output.find("signatures   2"), std::string::npos) << add.output;

  int code = -1;
  json v = VerifyJson(Path("two.jws"), " --min-signers 2", &code);
  ASSERT_EQ(code, 0) << v;
  ASSERT_EQ(v["signers"].size(), 2u) << v;
  EXPECT_EQ(v["signers"][1]["alg"], "RS256");
  ExpectInvalid(Path("one.jws"), " --min-signers 2", "jws.not_enough_signers");
  ExpectInvalid(Path("two.jws"), " --min-signers 3", "jws.not_enough_signers");

  // The same key again is refused; so is a --manifest that is not the JWS's payload.
  CommandResult again = Cli("manifest sign --add-to " + ShellQuote(Path("two.jws")) + " --cert " +
                            ShellQuote(a.chain) + " --key-file " + ShellQuote(a.key));
  EXPECT_EQ(again.exit_code, 1) << again.output;
  EXPECT_NE(again.output.find("jws.duplicate_signer"), std::string::npos) << again.output;
  const std::string other = Write("other.json", manifest::jws::testing::ValidManifestJson(43));
  CommandResult mismatch = Cli("manifest sign --add-to " + ShellQuote(Path("one.jws")) +
                               " --manifest " + ShellQuote(other) + " --cert " +
                               ShellQuote(b.chain) + " --key-file " + ShellQuote(b.key));
  EXPECT_EQ(mismatch.exit_code, 2) << mismatch.output;
  EXPECT_NE(mismatch.output.find("cli.payload_mismatch"), std::string::npos) << mismatch.output;
  // --out may be the --add-to file itself (replaced atomically).
  CommandResult in_place =
      Cli("manifest sign --add-to " + ShellQuote(Path("one.jws")) + " --manifest " +
          ShellQuote(manifest_) + " --cert " + ShellQuote(b.chain) + " --key-file " +
          ShellQuote(b.key) + " --out " + ShellQuote(Path("one.jws")));
  ASSERT_EQ(in_place.exit_code, 0) << in_place.output;
  EXPECT_EQ(Verify(Path("one.jws"), " --min-signers 2").exit_code, 0);
}

TEST_F(ManifestCliTest, TargetAndExpiry) {
  ASSERT_EQ(Sign(NewSigner("a"), Path("out.jws")).exit_code, 0);
  const std::string jws = Path("out.jws");
  CommandResult mine = Verify(jws, " --device-id gw-0001");
  EXPECT_EQ(mine.exit_code, 0) << mine.output;
  EXPECT_NE(mine.output.find("applies to this device"), std::string::npos) << mine.output;
  EXPECT_EQ(Verify(jws, " --device-id gw-0002 --tag line6 --tag line7").exit_code, 0);
  ExpectInvalid(jws, " --device-id gw-0002", "manifest.not_for_device");
  ExpectInvalid(jws, " --tag line8", "manifest.not_for_device");
  ExpectInvalid(jws, " --at 2026-12-26T10:00:00Z", "manifest.expired");
  EXPECT_EQ(Verify(jws, " --at 2026-12-26T09:59:59Z").exit_code, 0);

  // Issued in the future: up to five minutes of clock skew is allowed, not a second more.
  std::string later = manifest::jws::testing::ValidManifestJson();
  later.replace(later.find("2026-11-26T10:00:00Z"), 20, "2026-12-01T00:10:00Z");
  manifest_ = Write("later.json", later);
  ASSERT_EQ(Sign(NewSigner("b"), Path("later.jws")).exit_code, 0);
  ExpectInvalid(Path("later.jws"), " --at 2026-12-01T00:04:59Z", "manifest.not_yet_valid");
  EXPECT_EQ(Verify(Path("later.jws"), " --at 2026-12-01T00:05:00Z").exit_code, 0);
}

TEST_F(ManifestCliTest, UsageErrorsExitTwo) {
  SignerFiles a = NewSigner("a");
  ASSERT_EQ(Sign(a, Path("out.jws")).exit_code, 0);
  struct Case {
    std::string args;
    std::string reason;
  };
  const std::string bad_manifest = Write("bad.json", R"({"schemaVersion":"1.0"})");
  const std::vector<Case> cases = {
      {"manifest sign --manifest " + ShellQuote(bad_manifest) + " --cert " + ShellQuote(a.chain) +
           " --key-file " + ShellQuote(a.key),
       "manifest.missing_field"},
      {"manifest sign --manifest " + ShellQuote(manifest_) + " --cert " + ShellQuote(a.chain),
       "cli.key"},
      {"manifest sign --manifest " + ShellQuote(manifest_) + " --cert " + ShellQuote(a.chain) +
           " --key-file " + ShellQuote(a.key) + " --key-uri 'pkcs11:object=x' --pin-env X",
       "cli.key"},
      {"manifest sign --manifest " + ShellQuote(manifest_) + " --key-file " + ShellQuote(a.key),
       "cli.cert"},
      {"manifest verify --jws " + ShellQuote(Path("out.jws")), "cli.args"},
      {"manifest verify --jws " + ShellQuote(Path("out.jws")) + " --roots " + ShellQuote(a.key),
       "policy.bad_root"},
      {"manifest verify --jws " + ShellQuote(Path("out.jws")) + " --roots " + ShellQuote(roots_) +
           " --min-signers 0",
       "policy.bad_min_signers"},
      {"manifest verify --jws " + ShellQuote(Path("out.jws")) + " --roots " + ShellQuote(roots_) +
           " --at 2026-12-01",
       "cli.at"},
      {"manifest verify --jws " + ShellQuote(Path("absent.jws")) + " --roots " + ShellQuote(roots_),
       "file.not_found"},
  };
  for (const Case& c : cases) {
    CommandResult r = Cli(c.args);
    EXPECT_EQ(r.exit_code, 2) << c.args << "\n" << r.output;
    EXPECT_NE(r.output.find(c.reason), std::string::npos) << c.args << "\n" << r.output;
  }
  // A wrong key for the certificate is refused before anything is written.
  SignerFiles b = NewSigner("b");
  CommandResult mismatch =
      Cli("manifest sign --manifest " + ShellQuote(manifest_) + " --cert " + ShellQuote(a.chain) +
          " --key-file " + ShellQuote(b.key) + " --out " + ShellQuote(Path("never.jws")));
  EXPECT_EQ(mismatch.exit_code, 2) << mismatch.output;
  EXPECT_NE(mismatch.output.find("jws.key_mismatch"), std::string::npos) << mismatch.output;
  EXPECT_FALSE(std::filesystem::exists(Path("never.jws")));
}

TEST_F(ManifestCliTest, JoseVerifiesWhatTheCliSigned) {
  if (RunCommand("command -v jose").exit_code != 0) GTEST_SKIP() << "jose CLI not installed";
  for (KeyType type : {KeyType::kEcP256, KeyType::kEcP384, KeyType::kRsa}) {
    SignerFiles s = NewSigner("s", type);
    ASSERT_EQ(Sign(s, Path("out.jws")).exit_code, 0);
    const char* alg = type == KeyType::kEcP256   ? "ES256"
                      : type == KeyType::kEcP384 ? "ES384"
                                                 : "RS256";
    SCOPED_TRACE(alg);
    auto jwk = manifest::jws::testing::PublicJwk(s.signer.key, alg);
    ASSERT_TRUE(jwk.has_value());
    const std::string key = Write("pub.jwk", *jwk);
    CommandResult ok = RunCommand("jose jws ver -i " + ShellQuote(Path("out.jws")) + " -k " +
                                  ShellQuote(key) + " -O -");
    ASSERT_EQ(ok.exit_code, 0) << ok.output;
    EXPECT_EQ(ok.output, Read(manifest_));
    // Another key does not verify it (the oracle is not a rubber stamp).
    SignerFiles other = NewSigner("o", type);
    auto other_jwk = manifest::jws::testing::PublicJwk(other.signer.key, alg);
    ASSERT_TRUE(other_jwk.has_value());
    CommandResult bad = RunCommand("jose jws ver -i " + ShellQuote(Path("out.jws")) + " -k " +
                                   ShellQuote(Write("other.jwk", *other_jwk)));
    EXPECT_NE(bad.exit_code, 0) << bad.output;
  }
}

}  // namespace
}  // namespace edgetrust::tools::testing
