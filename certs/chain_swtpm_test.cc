// VerifyChain's kEkCredential profile against the EK certificates swtpm_setup writes, signed by
// the test manufacturer CA (root + intermediate in $EDGETRUST_MANUFACTURER_CA_DIR).
#include <gtest/gtest.h>

#include <cstdlib>

#include "attestation/ek_certificate.h"
#include "certs/chain.h"
#include "common/file.h"
#include "swtpm/tpm_test.h"

namespace edgetrust::certs {
namespace {

std::vector<Certificate> ReadPemFile(const std::string& path) {
  auto bytes = ReadFile(path);
  EXPECT_TRUE(bytes.has_value()) << path;
  if (!bytes) return {};
  auto certs = Certificate::ChainFromPem(std::string(bytes->begin(), bytes->end()));
  EXPECT_TRUE(certs.has_value()) << path;
  return certs ? *certs : std::vector<Certificate>{};
}

class EkChainTest : public swtpm::TpmTest {};

TEST_F(EkChainTest, SwtpmEkCertificatesVerifyAgainstTheManufacturerCa) {
  const char* dir = std::getenv("EDGETRUST_MANUFACTURER_CA_DIR");
  ASSERT_NE(dir, nullptr);
  auto roots = ReadPemFile(std::string(dir) + "/swtpm-localca-rootca-cert.pem");
  auto intermediates = ReadPemFile(std::string(dir) + "/issuercert.pem");
  ASSERT_EQ(roots.size(), 1u);
  ASSERT_EQ(intermediates.size(), 1u);
  std::time_t now = std::time(nullptr);
  for (auto type : {attestation::EkType::kRsa2048, attestation::EkType::kEccP384}) {
    auto ek = attestation::ReadEkCertificate(tpm(), type);
    ASSERT_TRUE(ek.has_value()) << ek.error().ToString();
    auto ok = VerifyChain(*ek, intermediates, roots, ChainProfile::kEkCredential, now);
    EXPECT_TRUE(ok.has_value()) << ok.error().ToString();
    // Without the intermediate there is no path; as a device identity it has no clientAuth.
    auto no_path = VerifyChain(*ek, {}, roots, ChainProfile::kEkCredential, now);
    ASSERT_FALSE(no_path.has_value());
    EXPECT_EQ(no_path.error().reason, "chain.untrusted");
    auto wrong_profile = VerifyChain(*ek, intermediates, roots, ChainProfile::kDeviceIdentity, now);
    ASSERT_FALSE(wrong_profile.has_value());
    EXPECT_EQ(wrong_profile.error().code, ErrorCode::kPermissionDenied);
  }
}

}  // namespace
}  // namespace edgetrust::certs
