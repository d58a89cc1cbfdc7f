// EnrollmentClient without a service: option checks and an unreachable peer. The round trips
// against a running service are end-to-end tests (tests/).
#include "enrollment/client/enrollment_client.h"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>

#include "common/file.h"
#include "enrollment/client/testing/manufacturer_ca.h"

namespace edgetrust::enrollment::client {
namespace {

class EnrollmentClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/enrollment-client-test.XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    auto ca = testing::TestManufacturerCa::Generate("client test CA");
    ASSERT_TRUE(ca.has_value()) << ca.error().ToString();
    bundle_ = dir_ + "/ca.pem";
    ASSERT_TRUE(WriteFileAtomic(bundle_, AsBytes(*ca->certificate().ToPem())).has_value());
  }
  void TearDown() override { std::system(("rm -rf " + dir_).c_str()); }

  // ClosedPort is a loopback port nothing listens on (bound, never listened, then closed).
  static int ClosedPort() {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
    socklen_t len = sizeof(addr);
    getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    close(fd);
    return ntohs(addr.sin_port);
  }

  std::string dir_;
  std::string bundle_;
};

TEST_F(EnrollmentClientTest, RejectsBadOptions) {
  auto no_bundle = EnrollmentClient::Create({"https://127.0.0.1:1", dir_ + "/missing.pem"});
  ASSERT_FALSE(no_bundle.has_value());
  EXPECT_EQ(no_bundle.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(no_bundle.error().reason, "client.bad_ca_bundle");

  ASSERT_TRUE(WriteFileAtomic(dir_ + "/junk.pem", AsBytes("not a certificate")).has_value());
  auto junk = EnrollmentClient::Create({"https://127.0.0.1:1", dir_ + "/junk.pem"});
  ASSERT_FALSE(junk.has_value());
  EXPECT_EQ(junk.error().reason, "client.bad_ca_bundle");

  for (const char* url : {"http://127.0.0.1:1", "https://127.0.0.1:1/v1", "not a url"}) {
    auto bad = EnrollmentClient::Create({url, bundle_});
    ASSERT_FALSE(bad.has_value()) << url;
    EXPECT_EQ(bad.error().code, ErrorCode::kInvalidArgument) << url;
    EXPECT_EQ(bad.error().reason, "client.bad_url") << url;
  }
}

TEST_F(EnrollmentClientTest, UnreachableServiceIsUnavailable) {
  std::string url = "https://127.0.0.1:" + std::to_string(ClosedPort());
  auto client = EnrollmentClient::Create({url, bundle_, std::chrono::milliseconds(2000)});
  ASSERT_TRUE(client.has_value()) << client.error().ToString();
  auto nonce = (*client)->NewNonce();
  ASSERT_FALSE(nonce.has_value());
  EXPECT_EQ(nonce.error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(nonce.error().reason, "client.unreachable");
  auto challenge = (*client)->Challenge(api::ChallengeRequest{"device-1", {1}, {}, {2}});
  ASSERT_FALSE(challenge.has_value());
  EXPECT_EQ(challenge.error().reason, "client.unreachable");
  auto raw = (*client)->Send("POST", "/v1/attestation/complete", "{}");
  ASSERT_FALSE(raw.has_value());
  EXPECT_EQ(raw.error().reason, "client.unreachable");
}

TEST_F(EnrollmentClientTest, RenewRefusesAnInvalidDeviceIdBeforeSending) {
  auto client = EnrollmentClient::Create({"https://127.0.0.1:1", bundle_});
  ASSERT_TRUE(client.has_value());
  class NoSigner : public certs::Signer {
   public:
    certs::SignatureAlgorithm algorithm() const override {
      return certs::SignatureAlgorithm::kEcdsaSha256;
    }
    const PublicKey& public_key() const override { std::abort(); }
    Result<Bytes> Sign(ByteView) const override { std::abort(); }
  } signer;
  auto r = (*client)->Renew("../admin", api::RenewPayload{}, "nonce", signer, {});
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().reason, "request.bad_registration_id");
}

}  // namespace
}  // namespace edgetrust::enrollment::client
