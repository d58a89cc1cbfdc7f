// The factory station's path on a TPM that left the "manufacturer" without EK certificates:
// describe the TPM, issue an EK certificate from a test CA, write it to the TCG NV index, and
// read it back with our code, tpm2_nvread and `openssl verify`. Also the retries a station
// crash leaves behind, and the refusals (another certificate present, too large, not DER).
#include "attestation/ek_certificate.h"

#include <gtest/gtest.h>

#include <ctime>
#include <fstream>
#include <iterator>

#include "attestation/capabilities.h"
#include "attestation/nv.h"
#include "attestation/primary_keys.h"
#include "certs/certificate_authority.h"
#include "certs/chain.h"
#include "certs/ek_credential.h"
#include "certs/testing/software_signer.h"
#include "common/crypto.h"
#include "common/file.h"
#include "swtpm/tpm_test.h"

namespace edgetrust::attestation {
namespace {

constexpr auto kYear = std::chrono::hours(24 * 365);

struct TestCa {
  std::shared_ptr<certs::testing::SoftwareSigner> signer;
  std::optional<certs::Certificate> certificate;
};

TestCa& Ca() {
  static TestCa ca;
  return ca;
}

// NoEkCertsTest runs on a swtpm whose EKs have no certificates, with a test factory CA.
class NoEkCertsTest : public swtpm::TpmTest {
 protected:
  static void SetUpTestSuite() {
    swtpm::SwtpmOptions options;
    options.with_ek_certs = false;
    SetUpTestSuiteWith(options);
    auto signer = certs::testing::SoftwareSigner::Create(KeyType::kEcP384);
    ASSERT_TRUE(signer.has_value()) << signer.error().ToString();
    Ca().signer = std::move(*signer);
    auto cert = certs::MakeSelfSignedCa(*Ca().signer, "Factory EK CA", 30 * kYear, Now());
    ASSERT_TRUE(cert.has_value()) << cert.error().ToString();
    Ca().certificate = std::move(*cert);
  }
  static std::time_t Now() { return std::time(nullptr); }
};

TEST_F(NoEkCertsTest, WritesIndicesLargerThanOneNvBufferInChunks) {
  constexpr TPM2_HANDLE kIndex = 0x01500020;
  auto buffer_max = GetTpmProperty(tpm(), TPM2_PT_NV_BUFFER_MAX);
  ASSERT_TRUE(buffer_max.has_value());
  ASSERT_LT(*buffer_max, 2000u);
  auto data = RandomBytes(2000);
  ASSERT_TRUE(data.has_value());
  ASSERT_TRUE(UndefineNvIndex(tpm(), kIndex).has_value());
  ASSERT_TRUE(DefineNvIndex(tpm(), kIndex, kFactoryEkCertificateNvAttributes, 2000).has_value());
  auto written = WriteNvIndex(tpm(), kIndex, *data);
  ASSERT_TRUE(written.has_value()) << written.error().ToString();
  auto read = ReadNvIndex(tpm(), kIndex);
  ASSERT_TRUE(read.has_value()) << read.error().ToString();
  EXPECT_EQ(*read, *data);
  ASSERT_TRUE(WriteLockNvIndex(tpm(), kIndex).has_value());
  EXPECT_FALSE(WriteNvIndex(tpm(), kIndex, *data).has_value());
  EXPECT_TRUE(UndefineNvIndex(tpm(), kIndex).has_value());
}

class EkCertificateWriteTest : public NoEkCertsTest, public ::testing::WithParamInterface<EkType> {
 protected:
  TPM2_HANDLE Index() const { return GetEkProfile(GetParam()).cert_nv_index; }

  // IssueFor issues a fresh certificate (new serial) for the EK of GetParam().
  certs::Certificate IssueFor(const PersistentKey& ek) {
    auto key = ek.public_area.ToPublicKey();
    EXPECT_TRUE(key.has_value());
    auto tpm_description = DescribeTpm(tpm());
    EXPECT_TRUE(tpm_description.has_value()) << tpm_description.error().ToString();
    auto cert = certs::IssueEkCertificate(*Ca().signer, *Ca().certificate,
                                          {*key, *tpm_description, 20 * kYear}, Now());
    EXPECT_TRUE(cert.has_value()) << cert.error().ToString();
    if (!cert) throw std::runtime_error("cannot issue: " + cert.error().ToString());
    return *cert;
  }

  PersistentKey Ek() {
    auto ek = EnsureEk(tpm(), GetParam());
    EXPECT_TRUE(ek.has_value()) << ek.error().ToString();
    if (!ek) throw std::runtime_error("no EK: " + ek.error().ToString());
    return std::move(*ek);
  }

  void ExpectReadBack(const certs::Certificate& issued, const PersistentKey& ek) {
    auto read = ReadEkCertificate(tpm(), GetParam());
    ASSERT_TRUE(read.has_value()) << read.error().ToString();
    EXPECT_EQ(read->der(), issued.der());
    EXPECT_TRUE(CheckEkCertificateKey(*read, ek.public_area).has_value());
    auto chain = certs::VerifyChain(*read, {}, {&*Ca().certificate, 1},
                                    certs::ChainProfile::kEkCredential, Now());
    EXPECT_TRUE(chain.has_value()) << chain.error().ToString();
  }
};

TEST_P(EkCertificateWriteTest, WritesReadsAndNeverOverwrites) {
  ASSERT_TRUE(UndefineNvIndex(tpm(), Index()).has_value());
  auto none = ReadEkCertificate(tpm(), GetParam());
  ASSERT_FALSE(none.has_value());
  EXPECT_EQ(none.error().reason, "ek.no_certificate");

  auto tpm_description = DescribeTpm(tpm());
  ASSERT_TRUE(tpm_description.has_value()) << tpm_description.error().ToString();
  EXPECT_EQ(tpm_description->manufacturer_id, "id:49424D00");  // swtpm reports "IBM"
  EXPECT_FALSE(tpm_description->model.empty());
  EXPECT_EQ(tpm_description->version_id.size(), 11u);

  PersistentKey ek = Ek();
  certs::Certificate issued = IssueFor(ek);
  auto written = WriteEkCertificate(tpm(), GetParam(), issued.der());
  ASSERT_TRUE(written.has_value()) << written.error().ToString();
  ExpectReadBack(issued, ek);
  auto info = ReadNvIndexInfo(tpm(), Index());
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->attributes,
            kFactoryEkCertificateNvAttributes | TPMA_NV_WRITTEN | TPMA_NV_WRITELOCKED);

  EXPECT_TRUE(WriteEkCertificate(tpm(), GetParam(), issued.der()).has_value());
  certs::Certificate other = IssueFor(ek);
  auto again = WriteEkCertificate(tpm(), GetParam(), other.der());
  ASSERT_FALSE(again.has_value());
  EXPECT_EQ(again.error().code, ErrorCode::kAlreadyExists);
  EXPECT_EQ(again.error().reason, "ek.certificate_present");
  ExpectReadBack(issued, ek);

  char index_text[16];
  std::snprintf(index_text, sizeof(index_text), "0x%08x", Index());
  auto nvread = Tpm2Tools(std::string("tpm2_nvread -C o -o ek.der ") + index_text);
  ASSERT_EQ(nvread.exit_code, 0) << nvread.output;
  std::ifstream in(Path("ek.der"), std::ios::binary);
  Bytes from_tools((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(from_tools, issued.der());
  auto ca_pem = Ca().certificate->ToPem();
  ASSERT_TRUE(ca_pem.has_value());
  ASSERT_TRUE(WriteFileAtomic(Path("ca.pem"), AsBytes(*ca_pem), 0600).has_value());
  auto verify = swtpm::RunCommand("cd " + swtpm::ShellQuote(scratch()) +
                                  " && openssl x509 -inform DER -in ek.der -out ek.pem && openssl "
                                  "verify -CAfile ca.pem ek.pem");
  EXPECT_EQ(verify.exit_code, 0) << verify.output;
}

TEST_P(EkCertificateWriteTest, FinishesWhatACrashLeftBehind) {
  PersistentKey ek = Ek();
  certs::Certificate issued = IssueFor(ek);
  const TPMA_NV attrs = kFactoryEkCertificateNvAttributes;
  const auto size = static_cast<uint16_t>(issued.der().size());
  // Defined with the right size, defined for a certificate of another size, written but not
  // locked, half written (the first chunk of another certificate's bytes) and not locked.
  for (int crash = 0; crash < 4; ++crash) {
    SCOPED_TRACE(crash);
    ASSERT_TRUE(UndefineNvIndex(tpm(), Index()).has_value());
    ASSERT_TRUE(DefineNvIndex(tpm(), Index(), attrs, crash == 1 ? size + 2 : size).has_value());
    if (crash == 0) {  // defined, never written: no certificate yet, as the station sees it
      auto none = ReadEkCertificate(tpm(), GetParam());
      ASSERT_FALSE(none.has_value());
      EXPECT_EQ(none.error().reason, "ek.no_certificate");
    }
    if (crash == 2) {
      ASSERT_TRUE(WriteNvIndex(tpm(), Index(), issued.der()).has_value());
    }
    if (crash == 3) {
      certs::Certificate other = IssueFor(ek);
      ASSERT_TRUE(WriteNvIndex(tpm(), Index(), ByteView(other.der().data(), size / 2)).has_value());
      auto torn = ReadEkCertificate(tpm(), GetParam());
      ASSERT_FALSE(torn.has_value());
      EXPECT_EQ(torn.error().reason, "cert.malformed");
    }
    auto written = WriteEkCertificate(tpm(), GetParam(), issued.der());
    ASSERT_TRUE(written.has_value()) << written.error().ToString();
    ExpectReadBack(issued, ek);
    auto info = ReadNvIndexInfo(tpm(), Index());
    ASSERT_TRUE(info.has_value());
    EXPECT_TRUE(info->WriteLocked());
    EXPECT_EQ(info->data_size, size);
  }
}

// What is not ours, or is a whole certificate, is never replaced, locked or not.
TEST_P(EkCertificateWriteTest, LeavesOtherIndicesAndWholeCertificatesAlone) {
  PersistentKey ek = Ek();
  certs::Certificate issued = IssueFor(ek);
  certs::Certificate other = IssueFor(ek);
  const auto size = static_cast<uint16_t>(issued.der().size());
  // Someone else's empty index (authwrite instead of ownerwrite).
  ASSERT_TRUE(UndefineNvIndex(tpm(), Index()).has_value());
  const TPMA_NV foreign =
      (kFactoryEkCertificateNvAttributes & ~TPMA_NV_OWNERWRITE) | TPMA_NV_AUTHWRITE;
  ASSERT_TRUE(DefineNvIndex(tpm(), Index(), foreign, size).has_value());
  auto mismatch = WriteEkCertificate(tpm(), GetParam(), issued.der());
  ASSERT_FALSE(mismatch.has_value());
  EXPECT_EQ(mismatch.error().reason, "ek.nv_index_mismatch");
  auto kept = ReadNvIndexInfo(tpm(), Index());
  ASSERT_TRUE(kept.has_value());
  EXPECT_EQ(kept->attributes, foreign);
  // Our attributes, unlocked, holding another whole certificate.
  ASSERT_TRUE(UndefineNvIndex(tpm(), Index()).has_value());
  ASSERT_TRUE(DefineNvIndex(tpm(), Index(), kFactoryEkCertificateNvAttributes,
                            static_cast<uint16_t>(other.der().size()))
                  .has_value());
  ASSERT_TRUE(WriteNvIndex(tpm(), Index(), other.der()).has_value());
  auto present = WriteEkCertificate(tpm(), GetParam(), issued.der());
  ASSERT_FALSE(present.has_value());
  EXPECT_EQ(present.error().reason, "ek.certificate_present");
  ExpectReadBack(other, ek);
}

TEST_P(EkCertificateWriteTest, RefusesWhatIsNotACertificateOrTooLarge) {
  auto malformed = WriteEkCertificate(tpm(), GetParam(), AsBytes("not a certificate"));
  ASSERT_FALSE(malformed.has_value());
  EXPECT_EQ(malformed.error().reason, "cert.malformed");

  // A valid certificate larger than TPM_PT_NV_INDEX_MAX (2048 on swtpm).
  auto ca = certs::CertificateAuthority::Create(Ca().signer, {*Ca().certificate});
  ASSERT_TRUE(ca.has_value());
  certs::LeafProfile big{"big", {}, {}, kYear};
  for (int i = 0; i < 100; ++i) {
    big.dns_sans.push_back("host-" + std::to_string(i) + ".factory-line.example");
  }
  auto huge = ca->Issue(Ca().signer->public_key(), big, Now());
  ASSERT_TRUE(huge.has_value()) << huge.error().ToString();
  ASSERT_GT(huge->der().size(), 2048u);
  auto too_large = WriteEkCertificate(tpm(), GetParam(), huge->der());
  ASSERT_FALSE(too_large.has_value());
  EXPECT_EQ(too_large.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(too_large.error().reason, "ek.certificate_too_large");
}

INSTANTIATE_TEST_SUITE_P(EkTypes, EkCertificateWriteTest,
                         ::testing::Values(EkType::kRsa2048, EkType::kEccP384, EkType::kEccP256),
                         [](const auto& param_info) {
                           return std::string(GetEkProfile(param_info.param).name);
                         });

}  // namespace
}  // namespace edgetrust::attestation
