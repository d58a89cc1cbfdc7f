// `edgetrust ca ...` as an operator runs it, against a private SoftHSM token, with openssl and
// pkcs11-tool as the independent judges of what it writes and what it leaves in the token.
#include <gtest/gtest.h>

#include <ctime>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <regex>

#include "certs/certificate.h"
#include "certs/testing/softhsm_token.h"
#include "common/file.h"

namespace edgetrust {
namespace {

using certs::testing::RunShell;
using certs::testing::ShellQuote;
using certs::testing::ShellResult;
using certs::testing::SoftHsmToken;

// Not hex, so that it cannot turn up inside a fingerprint by chance.
constexpr char kPin[] = "pin-Secret";
constexpr char kRootCn[] = "Edgetrust Test Root";

class CaCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto token = SoftHsmToken::Create("edgetrust-ca", kPin);
    ASSERT_TRUE(token.has_value()) << token.error().ToString();
    token_ = std::move(*token);
  }

  // Cli runs the edgetrust binary; SOFTHSM2_CONF (set by SoftHsmToken) is inherited.
  ShellResult Cli(const std::string& args) {
    return RunShell("env -u EDGETRUST_PKCS11_MODULE " + std::string(EDGETRUST_CLI) + " " + args);
  }
  std::string Path(const std::string& name) { return token_->dir() + "/" + name; }
  std::string Token(const std::string& key_label) {
    return " --module " + ShellQuote(token_->module_path()) + " --key-uri " +
           ShellQuote(token_->KeyUri(key_label)) + " --pin-file " + ShellQuote(token_->pin_file());
  }
  std::string InitRoot(const std::string& key_label, const std::string& out) {
    return "ca init" + Token(key_label) + " --cn " + ShellQuote(kRootCn) +
           " --self-signed --days 30 --out " + ShellQuote(Path(out));
  }
  std::string ReadText(const std::string& name) {
    auto bytes = ReadFile(Path(name));
    return bytes ? std::string(bytes->begin(), bytes->end()) : "<missing " + name + ">";
  }
  ShellResult ListObjects() {
    return RunShell("pkcs11-tool " + token_->Pkcs11ToolArgs() + " --list-objects");
  }
  static size_t Count(const std::string& text, const std::string& what) {
    size_t n = 0;
    for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
    return n;
  }

  std::unique_ptr<SoftHsmToken> token_;
};

TEST_F(CaCliTest, InitSelfSignedRootPassesOpenSslAndKeyStaysInToken) {
  std::time_t before = std::time(nullptr);
  ShellResult init = Cli(InitRoot("ca-key", "ca.pem"));
  ASSERT_EQ(init.exit_code, 0) << init.output;
  EXPECT_EQ(init.output.find(kPin), std::string::npos) << init.output;
  EXPECT_NE(init.output.find(Path("ca.pem")), std::string::npos) << init.output;
  auto cert = certs::Certificate::FromPem(ReadText("ca.pem"));
  ASSERT_TRUE(cert.has_value()) << cert.error().ToString();
  auto key = cert->public_key();
  ASSERT_TRUE(key.has_value());
  EXPECT_NE(init.output.find("fingerprint  " + key->Fingerprint()), std::string::npos)
      << init.output;
  EXPECT_EQ(cert->subject(), std::string("CN=") + kRootCn);
  EXPECT_GE(cert->not_after(), before + 30 * 86400);
  EXPECT_LE(cert->not_after(), std::time(nullptr) + 30 * 86400);

  std::string ca = ShellQuote(Path("ca.pem"));
  ShellResult verify = RunShell("openssl verify -CAfile " + ca + " " + ca);
  EXPECT_EQ(verify.exit_code, 0) << verify.output;
  ShellResult text = RunShell("openssl x509 -noout -text -in " + ca);
  ASSERT_EQ(text.exit_code, 0) << text.output;
  EXPECT_NE(text.output.find("CA:TRUE"), std::string::npos) << text.output;
  EXPECT_NE(text.output.find("Certificate Sign"), std::string::npos) << text.output;  // keyCertSign

  ShellResult objects = ListObjects();
  ASSERT_EQ(objects.exit_code, 0) << objects.output;
  size_t priv = objects.output.find("Private Key Object; EC");
  ASSERT_NE(priv, std::string::npos) << objects.output;
  std::string priv_text = objects.output.substr(priv, 400);
  EXPECT_NE(priv_text.find("label:      ca-key"), std::string::npos) << priv_text;
  EXPECT_NE(priv_text.find("never extractable"), std::string::npos) << priv_text;
  EXPECT_NE(priv_text.find("sensitive"), std::string::npos) << priv_text;
}

TEST_F(CaCliTest, SecondInitIsRefusedAndOverwritesNothing) {
  ShellResult first = Cli(InitRoot("ca-key", "ca.pem"));
  ASSERT_EQ(first.exit_code, 0) << first.output;
  std::string original = ReadText("ca.pem");

  // Same label, new file: the token refuses, no file appears.
  ShellResult same_label = Cli(InitRoot("ca-key", "ca2.pem"));
  EXPECT_EQ(same_label.exit_code, 1) << same_label.output;
  EXPECT_NE(same_label.output.find("edgetrust: ca init: pkcs11.key_exists: token 'edgetrust-ca' "
                                   "already holds a key labelled 'ca-key'"),
            std::string::npos)
      << same_label.output;
  EXPECT_FALSE(std::filesystem::exists(Path("ca2.pem")));

  // Same command again: refused before the token is touched.
  ShellResult again = Cli(InitRoot("ca-key", "ca.pem"));
  EXPECT_EQ(again.exit_code, 1) << again.output;
  EXPECT_NE(again.output.find("cli.out_exists"), std::string::npos) << again.output;
  // An existing file is refused even for a new label, and that label is not created.
  ShellResult new_label = Cli(InitRoot("other-key", "ca.pem"));
  EXPECT_EQ(new_label.exit_code, 1) << new_label.output;
  EXPECT_NE(new_label.output.find("cli.out_exists"), std::string::npos) << new_label.output;

  EXPECT_EQ(ReadText("ca.pem"), original);
  ShellResult objects = ListObjects();
  ASSERT_EQ(objects.exit_code, 0) << objects.output;
  EXPECT_EQ(Count(objects.output, "Private Key Object"), 1u) << objects.output;
}

TEST_F(CaCliTest, InitCsrPassesOpenSslReqVerifyWithDefaultModule) {
  std::string args = "ca init --key-uri " + ShellQuote(token_->KeyUri("issuing")) +
                     " --pin-env EDGETRUST_TEST_PIN --cn 'Edgetrust Issuing CA' --csr-out " +
                     ShellQuote(Path("ca.csr"));
  std::string pin_env = "EDGETRUST_TEST_PIN=" + ShellQuote(kPin) + " ";

  // $EDGETRUST_PKCS11_MODULE is the default --module.
  ShellResult bad_module = RunShell(pin_env + "EDGETRUST_PKCS11_MODULE=/nonexistent/p11.so " +
                                    EDGETRUST_CLI + " " + args);
  EXPECT_EQ(bad_module.exit_code, 1) << bad_module.output;
  EXPECT_NE(bad_module.output.find("pkcs11.module"), std::string::npos) << bad_module.output;
  EXPECT_FALSE(std::filesystem::exists(Path("ca.csr")));

  // Without it, SoftHSM.
  ShellResult init =
      RunShell("env -u EDGETRUST_PKCS11_MODULE " + pin_env + EDGETRUST_CLI + " " + args);
  ASSERT_EQ(init.exit_code, 0) << init.output;
  EXPECT_EQ(init.output.find(kPin), std::string::npos) << init.output;
  ShellResult verify =
      RunShell("openssl req -verify -noout -text -in " + ShellQuote(Path("ca.csr")));
  ASSERT_EQ(verify.exit_code, 0) << verify.output;
  EXPECT_NE(verify.output.find("verify OK"), std::string::npos) << verify.output;
  EXPECT_NE(verify.output.find("CN = Edgetrust Issuing CA"), std::string::npos) << verify.output;
  EXPECT_NE(verify.output.find("CA:TRUE"), std::string::npos) << verify.output;
}

TEST_F(CaCliTest, ShowReportsCertificateAndTokenKey) {
  ShellResult init = Cli(InitRoot("ca-key", "ca.pem"));
  ASSERT_EQ(init.exit_code, 0) << init.output;
  auto cert = certs::Certificate::FromPem(ReadText("ca.pem"));
  ASSERT_TRUE(cert.has_value());
  auto key = cert->public_key();
  ASSERT_TRUE(key.has_value());

  std::string cert_arg = " --cert " + ShellQuote(Path("ca.pem"));
  ShellResult show = Cli("ca show --json" + cert_arg + Token("ca-key") + " 2>/dev/null");
  ASSERT_EQ(show.exit_code, 0) << show.output;
  auto info = nlohmann::json::parse(show.output);
  EXPECT_EQ(info["subject"], std::string("CN=") + kRootCn);
  EXPECT_EQ(info["issuer"], std::string("CN=") + kRootCn);
  EXPECT_EQ(info["serial"], cert->SerialHex());
  const std::regex rfc3339(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)");
  EXPECT_TRUE(std::regex_match(info["not_before"].get<std::string>(), rfc3339)) << info;
  EXPECT_TRUE(std::regex_match(info["not_after"].get<std::string>(), rfc3339)) << info;
  EXPECT_EQ(info["ca"], true);
  EXPECT_EQ(info["path_length"], 0);
  EXPECT_EQ(info["key_usage"], nlohmann::json({"keyCertSign", "cRLSign"}));
  EXPECT_EQ(info["key_type"], "EC P-256");
  EXPECT_EQ(info["key_fingerprint_sha256"], key->Fingerprint());
  EXPECT_EQ(info["token_key"]["matches"], true);
  EXPECT_EQ(info["token_key"]["uri"], token_->KeyUri("ca-key"));

  ShellResult text = Cli("ca show" + cert_arg + Token("ca-key"));
  ASSERT_EQ(text.exit_code, 0) << text.output;
  EXPECT_NE(text.output.find("key: in token, matches"), std::string::npos) << text.output;
  EXPECT_EQ(text.output.find(kPin), std::string::npos) << text.output;

  // Without token flags: the certificate alone, no token access.
  ShellResult cert_only = Cli("ca show --json" + cert_arg + " 2>/dev/null");
  ASSERT_EQ(cert_only.exit_code, 0) << cert_only.output;
  EXPECT_FALSE(nlohmann::json::parse(cert_only.output).contains("token_key"));
}

TEST_F(CaCliTest, ShowFailsClearlyForWrongPinOrOtherKey) {
  ASSERT_EQ(Cli(InitRoot("ca-key", "ca.pem")).exit_code, 0);
  std::string cert_arg = " --cert " + ShellQuote(Path("ca.pem"));

  ASSERT_TRUE(WriteFileAtomic(Path("wrong-pin"), AsBytes("not-the-pin"), 0600).has_value());
  ShellResult wrong_pin =
      Cli("ca show" + cert_arg + " --module " + ShellQuote(token_->module_path()) + " --key-uri " +
          ShellQuote(token_->KeyUri("ca-key")) + " --pin-file " + ShellQuote(Path("wrong-pin")));
  EXPECT_EQ(wrong_pin.exit_code, 1) << wrong_pin.output;
  EXPECT_NE(wrong_pin.output.find("edgetrust: ca show: pkcs11.login:"), std::string::npos)
      << wrong_pin.output;
  EXPECT_EQ(wrong_pin.output.find("not-the-pin"), std::string::npos) << wrong_pin.output;

  ShellResult other = Cli("ca init" + Token("other-key") + " --cn Other --csr-out " +
                          ShellQuote(Path("other.csr")));
  ASSERT_EQ(other.exit_code, 0) << other.output;
  ShellResult mismatch = Cli("ca show" + cert_arg + Token("other-key"));
  EXPECT_EQ(mismatch.exit_code, 1) << mismatch.output;
  EXPECT_NE(mismatch.output.find("edgetrust: ca show: ca.key_mismatch:"), std::string::npos)
      << mismatch.output;

  ShellResult no_key = Cli("ca show" + cert_arg + Token("missing-key"));
  EXPECT_EQ(no_key.exit_code, 1) << no_key.output;
  EXPECT_NE(no_key.output.find("pkcs11.no_key"), std::string::npos) << no_key.output;
}

TEST_F(CaCliTest, BadArgumentsExitTwoAndLeaveTokenAlone) {
  struct Case {
    std::string args;
    std::string reason;
  };
  const std::string out = " --self-signed --out " + ShellQuote(Path("ca.pem"));
  const Case cases[] = {
      {"ca init" + Token("k") + out, "cli.cn"},
      {"ca init" + Token("k") + " --cn X", "cli.output"},
      {"ca init" + Token("k") + " --cn X" + out + " --csr-out " + ShellQuote(Path("c.csr")),
       "cli.output"},
      {"ca init" + Token("k") + " --cn X --self-signed", "cli.out"},
      {"ca init" + Token("k") + " --cn X --days 0" + out, "cli.days"},
      {"ca init --key-uri " + ShellQuote(token_->KeyUri("k")) + " --cn X" + out, "cli.pin"},
      {"ca init --pin-file " + ShellQuote(token_->pin_file()) + " --cn X" + out, "cli.key_uri"},
      {"ca init" + Token("k") + " --cn X" + out + " --pin-env PIN", "cli.pin"},
      {"ca init --key-uri 'pkcs11:token=edgetrust-ca;object=k?pin-value=1' --pin-file " +
           ShellQuote(token_->pin_file()) + " --cn X" + out,
       "pkcs11.bad_uri"},
      {"ca show", "cli.cert"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.args);
    ShellResult r = Cli(c.args);
    EXPECT_EQ(r.exit_code, 2) << r.output;
    EXPECT_NE(r.output.find(": " + c.reason + ":"), std::string::npos) << r.output;
  }
  EXPECT_FALSE(std::filesystem::exists(Path("ca.pem")));
  ShellResult objects = ListObjects();
  EXPECT_EQ(Count(objects.output, "Key Object"), 0u) << objects.output;
}

}  // namespace
}  // namespace edgetrust
