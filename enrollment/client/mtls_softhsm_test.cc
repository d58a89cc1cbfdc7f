// EnrollmentClient's TLS against an independent server, `openssl s_server`, which demands a
// client certificate chaining to its root (-Verify, -verify_return_error) and, with -www,
// answers with a page that prints the certificate it got. The client key lives in SoftHSM and
// its certificate is issued by an intermediate, so the client must send its chain; the CAs and
// the server key are throw-away PEM files of this test.
#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "certs/pkcs11_key.h"
#include "certs/testing/softhsm_token.h"
#include "enrollment/client/enrollment_client.h"
#include "swtpm/child_process.h"

namespace edgetrust::enrollment::client {
namespace {

using certs::testing::RunShell;
using certs::testing::ShellQuote;
using certs::testing::SoftHsmToken;

constexpr const char* kClientName = "edgetrust mtls client";

std::string ReadText(const std::string& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

class ClientMtlsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto token = SoftHsmToken::Create("mtls");
    ASSERT_TRUE(token) << token.error().ToString();
    token_ = std::move(*token);
    ASSERT_TRUE(certs::GeneratePkcs11EcKey(token_->ConfigFor("client")).has_value());
    auto key = certs::OpenPkcs11PrivateKey(token_->ConfigFor("client"));
    ASSERT_TRUE(key) << key.error().ToString();
    key_ = std::move(*key);
    auto pub = key_->public_key().ToPem();
    ASSERT_TRUE(pub);
    std::ofstream(Path("client-pub.pem")) << *pub;

    // root -> intermediate -> client (the token's public key), root -> server (127.0.0.1);
    // other-root is a CA the client does not trust.
    const std::string d = ShellQuote(token_->dir());
    auto pki = RunShell(
        "set -e; cd " + d +
        "; ca() { openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes"
        " -keyout $1.key -out $1.pem -subj \"/CN=$1\" -days 1"
        " -addext basicConstraints=critical,CA:TRUE"
        " -addext keyUsage=critical,keyCertSign,cRLSign 2>/dev/null; }"
        "; ca root; ca other-root"
        "; csr() { openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes"
        " -keyout $1.key -out $1.csr -subj \"$2\" 2>/dev/null; }"
        "; sign() { printf '%b' \"$4\" > $1.ext; openssl x509 -req -in $1.csr -CA $2.pem"
        " -CAkey $2.key -set_serial 0x$(openssl rand -hex 8) -days 1 -extfile $1.ext"
        " -out $1.pem $3 2>/dev/null; }"
        "; csr inter /CN=intermediate"
        "; sign inter root '' 'basicConstraints=critical,CA:TRUE\\nkeyUsage=critical,keyCertSign'"
        "; csr server /CN=127.0.0.1"
        "; sign server root '' 'subjectAltName=IP:127.0.0.1\\nextendedKeyUsage=serverAuth'"
        "; csr client '/CN=" +
        kClientName +
        "'; sign client inter '-force_pubkey client-pub.pem' 'extendedKeyUsage=clientAuth'"
        "; cat client.pem inter.pem > client-chain.pem; cp root.pem bundle.pem");
    ASSERT_EQ(pki.exit_code, 0) << pki.output;
  }

  void TearDown() override {
    server_.reset();
    key_.reset();
    token_.reset();
  }

  std::string Path(const std::string& name) const { return token_->dir() + "/" + name; }

  // StartServer runs s_server with the root as its only client CA and returns its URL.
  std::string StartServer() {
    auto openssl = swtpm::FindExecutable("openssl");
    EXPECT_TRUE(openssl);
    const std::string log = Path("s_server.log");
    auto child = swtpm::ChildProcess::Spawn(
        {.program = *openssl,
         .args = {"s_server", "-accept", "127.0.0.1:0", "-cert", Path("server.pem"), "-key",
                  Path("server.key"), "-CAfile", Path("root.pem"), "-Verify", "2",
                  "-verify_return_error", "-www"},
         .output_path = log,
         .inherit_fds = {},
         .own_process_group = false});
    EXPECT_TRUE(child) << child.error().ToString();
    server_.emplace(std::move(*child));
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (std::chrono::steady_clock::now() < deadline) {
      const std::string text = ReadText(log);
      const size_t at = text.find("ACCEPT 127.0.0.1:");
      if (at != std::string::npos && text.find('\n', at) != std::string::npos) {
        return "https://127.0.0.1:" + std::to_string(std::stoi(text.substr(at + 17)));
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    ADD_FAILURE() << "s_server did not start: " << ReadText(log);
    return "";
  }

  ClientOptions Options(const std::string& url) const {
    ClientOptions options;
    options.base_url = url;
    options.ca_bundle_path = Path("bundle.pem");
    options.timeout = std::chrono::seconds(30);  // a handshake signed in SoftHSM, under ASan too
    options.client_certificate_path = Path("client-chain.pem");
    options.client_key = key_;
    return options;
  }

  std::unique_ptr<SoftHsmToken> token_;
  std::shared_ptr<const certs::Pkcs11PrivateKey> key_;
  std::optional<swtpm::ChildProcess> server_;
};

// The client presents its leaf and intermediate (the server knows only the root), signs the
// handshake in the token, and trusts the bundle it read at Create: the files replaced after
// Create (the server's certificate as the client chain, another CA as the bundle) change
// nothing.
TEST_F(ClientMtlsTest, PresentsTheChainCheckedAtCreateWhateverTheFilesSayLater) {
  const std::string url = StartServer();
  ASSERT_FALSE(url.empty());
  auto client = EnrollmentClient::Create(Options(url));
  ASSERT_TRUE(client) << client.error().ToString();
  ASSERT_EQ(RunShell("cd " + ShellQuote(token_->dir()) +
                     " && cp server.pem client-chain.pem && cp other-root.pem bundle.pem")
                .exit_code,
            0);
  for (int round = 0; round < 2; ++round) {  // a second connection builds a second context
    auto answer = (*client)->Send("GET", "/", "");
    ASSERT_TRUE(answer) << answer.error().ToString() << "\n" << ReadText(Path("s_server.log"));
    EXPECT_EQ(answer->status, 200);
    const std::string page(answer->body.begin(), answer->body.end());
    EXPECT_NE(page.find("Client certificate"), std::string::npos) << page;
    EXPECT_NE(page.find(std::string("Subject: CN=") + kClientName), std::string::npos) << page;
  }
}

// Only the bundle anchors the server: a server certificate from a CA outside it is refused,
// and so is a client whose key the certificate does not certify (at Create, before any
// connection).
TEST_F(ClientMtlsTest, RefusesAServerOutsideTheBundleAndACertificateForAnotherKey) {
  const std::string url = StartServer();
  ASSERT_FALSE(url.empty());
  ASSERT_EQ(
      RunShell("cp " + ShellQuote(Path("other-root.pem")) + " " + ShellQuote(Path("bundle.pem")))
          .exit_code,
      0);
  auto client = EnrollmentClient::Create(Options(url));
  ASSERT_TRUE(client) << client.error().ToString();
  auto answer = (*client)->Send("GET", "/", "");
  ASSERT_FALSE(answer);
  EXPECT_EQ(answer.error().reason, "client.unreachable");

  ClientOptions wrong = Options(url);
  wrong.client_certificate_path = Path("server.pem");
  auto refused = EnrollmentClient::Create(wrong);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().reason, "client.bad_credentials");
}

}  // namespace
}  // namespace edgetrust::enrollment::client
