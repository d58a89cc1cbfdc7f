// CertificateAuthority, BuildCsr and VerifyChain with in-process keys, judged by the openssl CLI.
#include "certs/certificate_authority.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "certs/chain.h"
#include "certs/csr.h"
#include "certs/testing/softhsm_token.h"
#include "certs/testing/software_signer.h"
#include "common/file.h"

namespace edgetrust::certs {
namespace {

using testing::RunShell;
using testing::ShellQuote;
using testing::SoftwareSigner;

constexpr std::time_t kNow = 1800000000;  // 2027-01-15
constexpr auto kYear = std::chrono::hours(24 * 365);

class TempDirTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string templ = "/tmp/edgetrust-ca-test.XXXXXX";
    ASSERT_NE(mkdtemp(templ.data()), nullptr);
    dir_ = templ;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string Write(const std::string& name, ByteView data) {
    std::string path = dir_ + "/" + name;
    EXPECT_TRUE(WriteFileAtomic(path, data, 0600).has_value());
    return ShellQuote(path);
  }
  std::string WritePem(const std::string& name, const Certificate& cert) {
    auto pem = cert.ToPem();
    EXPECT_TRUE(pem.has_value());
    return Write(name, AsBytes(*pem));
  }
  std::string dir_;
};

std::shared_ptr<SoftwareSigner> NewSigner(KeyType type,
                                          std::optional<SignatureAlgorithm> alg = std::nullopt) {
  auto signer = SoftwareSigner::Create(type, alg);
  EXPECT_TRUE(signer.has_value()) << signer.error().ToString();
  return std::move(*signer);
}

CertificateAuthority NewCa(std::shared_ptr<const Signer> signer, std::time_t now = kNow) {
  auto cert = MakeSelfSignedCa(*signer, "Test Enrollment CA", 10 * kYear, now);
  EXPECT_TRUE(cert.has_value()) << cert.error().ToString();
  auto ca = CertificateAuthority::Create(std::move(signer), {*cert});
  EXPECT_TRUE(ca.has_value()) << ca.error().ToString();
  return std::move(*ca);
}

LeafProfile DeviceProfile() {
  return LeafProfile{"device-0001",
                     {"urn:edgetrust:device:0001"},
                     {"device-0001.example"},
                     std::chrono::hours(24 * 30)};
}

struct AlgCase {
  KeyType key;
  SignatureAlgorithm alg;
};

class CaAlgorithmTest : public TempDirTest, public ::testing::WithParamInterface<AlgCase> {};

TEST_P(CaAlgorithmTest, IssuesLeafCrlAndCsrThatOpenSslAccepts) {
  auto signer = NewSigner(GetParam().key, GetParam().alg);
  CertificateAuthority ca = NewCa(signer);
  auto device = NewSigner(KeyType::kEcP256);
  auto leaf = ca.Issue(device->public_key(), DeviceProfile(), kNow);
  ASSERT_TRUE(leaf.has_value()) << leaf.error().ToString();
  EXPECT_EQ(leaf->subject(), "CN=device-0001");
  EXPECT_EQ(leaf->issuer(), "CN=Test Enrollment CA");
  EXPECT_EQ(leaf->not_before(), kNow - 300);
  EXPECT_EQ(leaf->not_after(), kNow + 30 * 24 * 3600);
  EXPECT_EQ(leaf->SerialHex().size(), 32u);
  EXPECT_TRUE(VerifyChain(*leaf, {}, ca.chain(), ChainProfile::kDeviceIdentity, kNow).has_value());

  std::string ca_pem = WritePem("ca.pem", ca.certificate());
  std::string leaf_pem = WritePem("leaf.pem", *leaf);
  // -attime: the certificates are valid around kNow, not necessarily around the wall clock.
  auto verify = RunShell("openssl verify -attime " + std::to_string(kNow) +
                         " -purpose sslclient -CAfile " + ca_pem + " " + leaf_pem);
  EXPECT_EQ(verify.exit_code, 0) << verify.output;
  auto text = RunShell("openssl x509 -noout -text -in " + leaf_pem);
  EXPECT_NE(text.output.find("URI:urn:edgetrust:device:0001"), std::string::npos) << text.output;
  EXPECT_NE(text.output.find("DNS:device-0001.example"), std::string::npos);
  EXPECT_NE(text.output.find("TLS Web Client Authentication"), std::string::npos);
  EXPECT_NE(text.output.find("CA:FALSE"), std::string::npos);

  auto crl = ca.IssueCrl({{leaf->SerialHex(), kNow}}, 7, kNow, std::chrono::hours(24));
  ASSERT_TRUE(crl.has_value()) << crl.error().ToString();
  std::string crl_path = Write("crl.der", *crl);
  auto crl_check =
      RunShell("openssl crl -inform DER -in " + crl_path + " -noout -text -CAfile " + ca_pem);
  EXPECT_EQ(crl_check.exit_code, 0) << crl_check.output;
  EXPECT_NE(crl_check.output.find("verify OK"), std::string::npos) << crl_check.output;
  EXPECT_NE(crl_check.output.find("X509v3 CRL Number: \n                7"), std::string::npos)
      << crl_check.output;
  std::string upper = leaf->SerialHex();
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  EXPECT_NE(crl_check.output.find(upper), std::string::npos) << crl_check.output;

  auto csr_der = BuildCsr(*signer, "csr-subject");
  ASSERT_TRUE(csr_der.has_value()) << csr_der.error().ToString();
  auto req = RunShell("openssl req -inform DER -noout -verify -in " + Write("r.der", *csr_der));
  EXPECT_EQ(req.exit_code, 0) << req.output;
  auto csr = Csr::FromDer(*csr_der);
  ASSERT_TRUE(csr.has_value());
  EXPECT_TRUE(csr->VerifySignature().has_value());
  EXPECT_EQ(csr->requested_common_name(), "csr-subject");
  EXPECT_FALSE(csr->has_extensions());
}

INSTANTIATE_TEST_SUITE_P(
    Algorithms, CaAlgorithmTest,
    ::testing::Values(AlgCase{KeyType::kEcP256, SignatureAlgorithm::kEcdsaSha256},
                      AlgCase{KeyType::kEcP384, SignatureAlgorithm::kEcdsaSha384},
                      AlgCase{KeyType::kRsa, SignatureAlgorithm::kRsaPkcs1Sha256},
                      AlgCase{KeyType::kRsa, SignatureAlgorithm::kRsaPssSha256}),
    [](const ::testing::TestParamInfo<AlgCase>& param_info) {
      std::string name(SignatureAlgorithmName(param_info.param.alg));
      for (char& c : name) c = c == '-' ? '_' : c;
      return name;
    });

TEST_F(TempDirTest, CaCsrRequestsCaExtensions) {
  auto signer = NewSigner(KeyType::kEcP256);
  auto der = MakeCaCsr(*signer, "Intermediate");
  ASSERT_TRUE(der.has_value());
  auto csr = Csr::FromDer(*der);
  ASSERT_TRUE(csr.has_value());
  EXPECT_TRUE(csr->requests_ca());
  EXPECT_TRUE(csr->has_extensions());
  EXPECT_TRUE(csr->VerifySignature().has_value());
}

TEST(CsrTest, TamperedRequestFailsVerification) {
  auto signer = NewSigner(KeyType::kEcP256);
  auto der = BuildCsr(*signer, "device");
  ASSERT_TRUE(der.has_value());
  Bytes tampered = *der;
  size_t pos = std::string(tampered.begin(), tampered.end()).find("device");
  ASSERT_NE(pos, std::string::npos);
  tampered[pos] = 'D';
  auto csr = Csr::FromDer(tampered);
  ASSERT_TRUE(csr.has_value());
  auto st = csr->VerifySignature();
  ASSERT_FALSE(st.has_value());
  EXPECT_EQ(st.error().code, ErrorCode::kPermissionDenied);
  EXPECT_EQ(st.error().reason, "csr.bad_signature");

  Bytes trailing = *der;
  trailing.push_back(0);
  auto bad = Csr::FromDer(trailing);
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error().reason, "csr.malformed");
}

TEST(CaTest, RefusesMismatchedKeyBadProfileAndExpiredCa) {
  auto signer = NewSigner(KeyType::kEcP256);
  auto other = NewSigner(KeyType::kEcP256);
  auto cert = MakeSelfSignedCa(*signer, "CA", kYear, kNow);
  ASSERT_TRUE(cert.has_value());
  auto mismatch = CertificateAuthority::Create(other, {*cert});
  ASSERT_FALSE(mismatch.has_value());
  EXPECT_EQ(mismatch.error().reason, "ca.key_mismatch");

  CertificateAuthority ca = NewCa(signer);
  auto leaf = ca.Issue(other->public_key(), DeviceProfile(), kNow);
  ASSERT_TRUE(leaf.has_value());
  auto not_ca = CertificateAuthority::Create(other, {*leaf});
  ASSERT_FALSE(not_ca.has_value());
  EXPECT_EQ(not_ca.error().reason, "ca.not_a_ca");

  for (LeafProfile bad :
       {LeafProfile{"", {}, {}, kYear}, LeafProfile{"x", {"no scheme"}, {}, kYear},
        LeafProfile{"x", {}, {"bad_name.example"}, kYear},
        LeafProfile{"x", {}, {}, std::chrono::seconds(0)}}) {
    auto r = ca.Issue(other->public_key(), bad, kNow);
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
    EXPECT_EQ(r.error().reason, "ca.bad_profile");
  }
  auto expired = ca.Issue(other->public_key(), DeviceProfile(), kNow + 11 * 365 * 24 * 3600);
  ASSERT_FALSE(expired.has_value());
  EXPECT_EQ(expired.error().code, ErrorCode::kFailedPrecondition);
  EXPECT_EQ(expired.error().reason, "ca.expired");
}

TEST(CaTest, LeafLifetimeIsClippedToTheCa) {
  auto signer = NewSigner(KeyType::kEcP256);
  auto cert = MakeSelfSignedCa(*signer, "CA", std::chrono::hours(24), kNow);
  ASSERT_TRUE(cert.has_value());
  auto ca = CertificateAuthority::Create(signer, {*cert});
  ASSERT_TRUE(ca.has_value());
  auto leaf = ca->Issue(signer->public_key(), DeviceProfile(), kNow);
  ASSERT_TRUE(leaf.has_value());
  EXPECT_EQ(leaf->not_after(), cert->not_after());
}

void ExpectDenied(const Status& st, const std::string& reason) {
  ASSERT_FALSE(st.has_value()) << "expected " << reason;
  EXPECT_EQ(st.error().code, ErrorCode::kPermissionDenied);
  EXPECT_EQ(st.error().reason, reason) << st.error().message;
}

TEST(ChainTest, RejectsWithTheDocumentedReasons) {
  auto root_signer = NewSigner(KeyType::kEcP256);
  CertificateAuthority root = NewCa(root_signer);
  CertificateAuthority other = NewCa(NewSigner(KeyType::kEcP256));
  auto device = NewSigner(KeyType::kEcP256);
  auto leaf = root.Issue(device->public_key(), DeviceProfile(), kNow);
  ASSERT_TRUE(leaf.has_value());
  const auto roots = root.chain();
  ExpectDenied(VerifyChain(*leaf, {}, roots, ChainProfile::kDeviceIdentity, kNow + 60 * 24 * 3600),
               "chain.expired");
  ExpectDenied(VerifyChain(*leaf, {}, roots, ChainProfile::kDeviceIdentity, kNow - 3600),
               "chain.not_yet_valid");
  ExpectDenied(VerifyChain(*leaf, {}, other.chain(), ChainProfile::kDeviceIdentity, kNow),
               "chain.untrusted");
  ExpectDenied(VerifyChain(root.certificate(), {}, roots, ChainProfile::kTlsClient, kNow),
               "chain.untrusted");  // self-signed leaf, even though it is a trusted root
  ExpectDenied(VerifyChain(*leaf, {}, roots, ChainProfile::kEkCredential, kNow),
               "chain.bad_key_usage");  // a device certificate is not an EK credential
  // A leaf used as an issuer: CA:FALSE.
  auto leaf_ca = CertificateAuthority::Create(device, {*leaf});
  EXPECT_FALSE(leaf_ca.has_value());
  EXPECT_TRUE(VerifyChain(*leaf, {}, roots, ChainProfile::kTlsClient, kNow).has_value());
}

}  // namespace
}  // namespace edgetrust::certs
