// IssueEkCertificate with in-process keys: the TCG EK profile contents read back with OpenSSL,
// VerifyChain(kEkCredential) and `openssl verify` as oracles, and the CAs it must refuse.
#include "certs/ek_credential.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <map>

#include "certs/certificate_authority.h"
#include "certs/chain.h"
#include "certs/testing/software_signer.h"
#include "common/file.h"
#include "common/openssl.h"
#include "common/testing/shell.h"

namespace edgetrust::certs {
namespace {

using test_util::RunCommand;
using test_util::ShellQuote;
using testing::SoftwareSigner;

constexpr std::time_t kNow = 1800000000;  // 2027-01-15
constexpr auto kYear = std::chrono::hours(24 * 365);

std::unique_ptr<SoftwareSigner> NewSigner(KeyType type) {
  auto signer = SoftwareSigner::Create(type);
  EXPECT_TRUE(signer.has_value()) << signer.error().ToString();
  return signer ? std::move(*signer) : nullptr;
}

TpmDescription SwtpmDescription() { return {"id:49424D00", "swtpm", "id:20191023"}; }

class EkCredentialTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ca_signer_ = NewSigner(KeyType::kEcP384);
    ASSERT_NE(ca_signer_, nullptr);
    auto ca = MakeSelfSignedCa(*ca_signer_, "Factory EK CA", 10 * kYear, kNow);
    ASSERT_TRUE(ca.has_value()) << ca.error().ToString();
    ca_.emplace(std::move(*ca));
  }

  Result<Certificate> Issue(const PublicKey& ek, std::time_t now = kNow,
                            std::chrono::seconds lifetime = 20 * kYear) {
    return IssueEkCertificate(*ca_signer_, *ca_, {ek, SwtpmDescription(), lifetime}, now);
  }

  std::unique_ptr<SoftwareSigner> ca_signer_;
  std::optional<Certificate> ca_;
};

// SanAttributes reads the critical SAN's single directoryName as {OID: UTF8String value}.
std::map<std::string, std::string> SanAttributes(const Certificate& cert) {
  int critical = -1;
  OpenSslPtr<GENERAL_NAMES> names(static_cast<GENERAL_NAMES*>(
      X509_get_ext_d2i(cert.get0_x509(), NID_subject_alt_name, &critical, nullptr)));
  EXPECT_EQ(critical, 1);
  std::map<std::string, std::string> out;
  if (!names || sk_GENERAL_NAME_num(names.get()) != 1) {
    ADD_FAILURE() << "expected exactly one SAN entry";
    return out;
  }
  int type = 0;
  auto* dir = static_cast<X509_NAME*>(
      GENERAL_NAME_get0_value(sk_GENERAL_NAME_value(names.get(), 0), &type));
  EXPECT_EQ(type, GEN_DIRNAME);
  for (int i = 0; type == GEN_DIRNAME && i < X509_NAME_entry_count(dir); ++i) {
    const X509_NAME_ENTRY* entry = X509_NAME_get_entry(dir, i);
    char oid[64];
    OBJ_obj2txt(oid, sizeof(oid), X509_NAME_ENTRY_get_object(entry), 1);
    const ASN1_STRING* value = X509_NAME_ENTRY_get_data(entry);
    EXPECT_EQ(ASN1_STRING_type(value), V_ASN1_UTF8STRING) << oid;
    out[oid] = std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(value)),
                           static_cast<size_t>(ASN1_STRING_length(value)));
  }
  return out;
}

class EkKeyTypeTest : public EkCredentialTest, public ::testing::WithParamInterface<KeyType> {};

TEST_P(EkKeyTypeTest, IssuesTcgProfileCertificateThatVerifies) {
  auto ek = NewSigner(GetParam());
  ASSERT_NE(ek, nullptr);
  auto cert = Issue(ek->public_key());
  ASSERT_TRUE(cert.has_value()) << cert.error().ToString();

  auto verified = VerifyChain(*cert, {}, {&*ca_, 1}, ChainProfile::kEkCredential, kNow);
  EXPECT_TRUE(verified.has_value()) << verified.error().ToString();
  auto key = cert->public_key();
  ASSERT_TRUE(key.has_value());
  EXPECT_TRUE(key->Equals(ek->public_key()));
  X509* x = cert->get0_x509();
  EXPECT_EQ(X509_get_version(x), X509_VERSION_3);
  EXPECT_EQ(X509_NAME_entry_count(X509_get_subject_name(x)), 0);
  EXPECT_EQ(cert->issuer(), "CN=Factory EK CA");

  std::map<std::string, std::string> expected = {
      {"2.23.133.2.1", "id:49424D00"}, {"2.23.133.2.2", "swtpm"}, {"2.23.133.2.3", "id:20191023"}};
  EXPECT_EQ(SanAttributes(*cert), expected);

  uint32_t flags = X509_get_extension_flags(x);
  EXPECT_EQ(flags & EXFLAG_CA, 0u);
  EXPECT_NE(flags & EXFLAG_BCONS, 0u);
  uint32_t want_ku = GetParam() == KeyType::kRsa ? KU_KEY_ENCIPHERMENT : KU_KEY_AGREEMENT;
  EXPECT_EQ(X509_get_key_usage(x), want_ku);
  for (int nid : {NID_basic_constraints, NID_key_usage, NID_subject_alt_name}) {
    EXPECT_EQ(X509_EXTENSION_get_critical(X509_get_ext(x, X509_get_ext_by_NID(x, nid, -1))), 1)
        << OBJ_nid2sn(nid);
  }
  OpenSslPtr<EXTENDED_KEY_USAGE> eku(
      static_cast<EXTENDED_KEY_USAGE*>(X509_get_ext_d2i(x, NID_ext_key_usage, nullptr, nullptr)));
  ASSERT_TRUE(eku);
  ASSERT_EQ(sk_ASN1_OBJECT_num(eku.get()), 1);
  char oid[64];
  OBJ_obj2txt(oid, sizeof(oid), sk_ASN1_OBJECT_value(eku.get(), 0), 1);
  EXPECT_STREQ(oid, "2.23.133.8.1");
  const ASN1_OCTET_STRING* aki = X509_get0_authority_key_id(x);
  const ASN1_OCTET_STRING* ca_ski = X509_get0_subject_key_id(ca_->get0_x509());
  ASSERT_NE(aki, nullptr);
  EXPECT_EQ(ASN1_OCTET_STRING_cmp(aki, ca_ski), 0);
  EXPECT_EQ(cert->not_before(), kNow - 300);
}

INSTANTIATE_TEST_SUITE_P(EkKeys, EkKeyTypeTest,
                         ::testing::Values(KeyType::kRsa, KeyType::kEcP384, KeyType::kEcP256),
                         [](const auto& param_info) {
                           KeyType type = param_info.param;
                           return type == KeyType::kRsa ? std::string("Rsa2048")
                                                        : std::string(CurveName(type)).erase(1, 1);
                         });

TEST_F(EkCredentialTest, SerialsArePositiveAndFresh) {
  auto ek = NewSigner(KeyType::kEcP256);
  auto first = Issue(ek->public_key());
  auto second = Issue(ek->public_key());
  ASSERT_TRUE(first.has_value() && second.has_value());
  EXPECT_EQ(ASN1_STRING_type(X509_get0_serialNumber(first->get0_x509())), V_ASN1_INTEGER);
  EXPECT_EQ(first->SerialHex().size(), 32u);
  EXPECT_NE(first->SerialHex(), second->SerialHex());
}

TEST_F(EkCredentialTest, LifetimeIsClippedToTheCa) {
  auto ek = NewSigner(KeyType::kEcP256);
  auto cert = Issue(ek->public_key(), kNow, 20 * kYear);
  ASSERT_TRUE(cert.has_value());
  EXPECT_EQ(cert->not_after(), ca_->not_after());
  auto short_lived = Issue(ek->public_key(), kNow, std::chrono::hours(24));
  ASSERT_TRUE(short_lived.has_value());
  EXPECT_EQ(short_lived->not_after(), kNow + 24 * 3600);
}

TEST_F(EkCredentialTest, RefusesCaOutsideItsValidity) {
  auto ek = NewSigner(KeyType::kEcP256);
  for (std::time_t at : {kNow - 3600, kNow + 11 * 365 * 24 * 3600}) {
    auto cert = Issue(ek->public_key(), at);
    ASSERT_FALSE(cert.has_value());
    EXPECT_EQ(cert.error().code, ErrorCode::kFailedPrecondition);
    EXPECT_EQ(cert.error().reason, "ca.expired");
  }
}

TEST_F(EkCredentialTest, RefusesNonCaAndMismatchedSigner) {
  auto ek = NewSigner(KeyType::kEcP256);
  std::shared_ptr<const Signer> shared_ca(NewSigner(KeyType::kEcP384));
  auto issuing = MakeSelfSignedCa(*shared_ca, "Device CA", kYear, kNow);
  ASSERT_TRUE(issuing.has_value());
  auto device_ca = CertificateAuthority::Create(shared_ca, {*issuing});
  ASSERT_TRUE(device_ca.has_value());
  std::shared_ptr<SoftwareSigner> device = NewSigner(KeyType::kEcP256);
  auto leaf = device_ca->Issue(device->public_key(), {"device-1", {}, {}, kYear}, kNow);
  ASSERT_TRUE(leaf.has_value()) << leaf.error().ToString();

  EkCertificateRequest request{ek->public_key(), SwtpmDescription(), kYear};
  auto not_ca = IssueEkCertificate(*device, *leaf, request, kNow);
  ASSERT_FALSE(not_ca.has_value());
  EXPECT_EQ(not_ca.error().reason, "ca.not_a_ca");
  auto mismatch = IssueEkCertificate(*device, *ca_, request, kNow);
  ASSERT_FALSE(mismatch.has_value());
  EXPECT_EQ(mismatch.error().reason, "ca.key_mismatch");
}

TEST_F(EkCredentialTest, RefusesMalformedTpmDescription) {
  auto ek = NewSigner(KeyType::kEcP256);
  for (TpmDescription tpm : {TpmDescription{"IBM", "swtpm", "id:20191023"},
                             TpmDescription{"id:49424D00", "", "id:20191023"},
                             TpmDescription{"id:49424D00", "swtpm", "id:2019102"},
                             TpmDescription{"id:49424D00", "bad\nmodel", "id:20191023"}}) {
    auto cert = IssueEkCertificate(*ca_signer_, *ca_, {ek->public_key(), tpm, kYear}, kNow);
    ASSERT_FALSE(cert.has_value());
    EXPECT_EQ(cert.error().reason, "ca.bad_profile") << tpm.manufacturer_id << "/" << tpm.model;
  }
}

TEST_F(EkCredentialTest, OpenSslVerifyAcceptsTheCertificate) {
  auto ek = NewSigner(KeyType::kRsa);
  auto cert = Issue(ek->public_key());
  ASSERT_TRUE(cert.has_value()) << cert.error().ToString();
  std::string dir = "/tmp/edgetrust-ek-credential-XXXXXX";
  ASSERT_NE(mkdtemp(dir.data()), nullptr);
  auto ca_pem = ca_->ToPem();
  auto ek_pem = cert->ToPem();
  ASSERT_TRUE(ca_pem.has_value() && ek_pem.has_value());
  ASSERT_TRUE(WriteFileAtomic(dir + "/ca.pem", AsBytes(*ca_pem), 0600).has_value());
  ASSERT_TRUE(WriteFileAtomic(dir + "/ek.pem", AsBytes(*ek_pem), 0600).has_value());
  auto verify = RunCommand("openssl verify -attime " + std::to_string(kNow) + " -CAfile " +
                           ShellQuote(dir + "/ca.pem") + " " + ShellQuote(dir + "/ek.pem"));
  EXPECT_EQ(verify.exit_code, 0) << verify.output;
  auto text = RunCommand("openssl x509 -noout -text -in " + ShellQuote(dir + "/ek.pem"));
  EXPECT_NE(text.output.find(
                "DirName:/2.23.133.2.1=id:49424D00/2.23.133.2.2=swtpm/2.23.133.2.3=id:20191023"),
            std::string::npos)
      << text.output;
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace edgetrust::certs
