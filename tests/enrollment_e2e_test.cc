// End-to-end enrollment (issue 3 §4): devices in swtpm enroll with the real edgetrust-enrolld
// over TLS (SoftHSM CA key, SQLite registry), individually and through the manufacturer-CA
// group, for RSA-2048 and ECC P-384 EKs; the issued chain satisfies `openssl verify`; renewal
// is signed by the identity key inside the TPM; revocation reaches the CRL and stops
// renewals; a service restart keeps every enrolled device.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <fstream>

#include "certs/certificate.h"
#include "tests/enrollment_e2e_fixture.h"

namespace edgetrust::e2e {
namespace {

using attestation::EkType;
using swtpm::RunCommand;
using swtpm::ShellQuote;

std::string NormalizeSerial(std::string hex) {
  std::transform(hex.begin(), hex.end(), hex.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  hex.erase(std::remove(hex.begin(), hex.end(), ':'), hex.end());
  size_t nonzero = hex.find_first_not_of('0');
  return nonzero == std::string::npos ? "0" : hex.substr(nonzero);
}

class EnrollmentE2e : public EnrollmentE2eTest {
 protected:
  // EnrollAndCheck enrolls `device` and checks the answer against the registry and the audit.
  void EnrollAndCheck(TpmDevice& device, const std::string& expected_enrollment) {
    const int64_t seq = LastAuditSequence();
    auto enrolled = Enroll(device);
    ASSERT_TRUE(enrolled.has_value()) << enrolled.error().ToString();
    EXPECT_EQ(enrolled->device_id, device.id());
    EXPECT_FALSE(enrolled->serial.empty());
    EXPECT_EQ(CurrentSerial(device.id()), enrolled->serial);
    EXPECT_EQ(CertificateCount(device.id()), 1);
    OperatorAnswer a = Operator("GET", "/v1/operator/devices/" + device.id());
    ASSERT_EQ(a.status, 200) << a.body;
    EXPECT_EQ(a.json().value("enrollment", ""), expected_enrollment);
    EXPECT_EQ(a.json().value("status", ""), "active");
    EXPECT_TRUE(AuditHas(device.id(), "challenge", "ok", "ok", seq));
    EXPECT_TRUE(AuditHas(device.id(), "complete", "ok", "ok", seq));
    auto chain = certs::Certificate::ChainFromPem(enrolled->certificate_chain_pem);
    ASSERT_TRUE(chain.has_value());
    ASSERT_GE(chain->size(), 2u);
    EXPECT_EQ(chain->front().SerialHex(), enrolled->serial);
    auto leaf_key = chain->front().public_key();
    ASSERT_TRUE(leaf_key.has_value());
    EXPECT_TRUE(leaf_key->Equals(*device.identity_public().ToPublicKey()));
  }
};

TEST_F(EnrollmentE2e, IndividualEnrollmentWithRsa2048Ek) {
  auto device = NewDevice("ind-rsa", EkType::kRsa2048);
  ASSERT_NE(device, nullptr);
  ASSERT_TRUE(RegisterIndividual(device->id(), device->ek_public()));
  EnrollAndCheck(*device, "individual");
}

TEST_F(EnrollmentE2e, IndividualEnrollmentWithEccP384Ek) {
  auto device = NewDevice("ind-p384", EkType::kEccP384);
  ASSERT_NE(device, nullptr);
  ASSERT_TRUE(RegisterIndividual(device->id(), device->ek_public()));
  EnrollAndCheck(*device, "individual");
}

TEST_F(EnrollmentE2e, GroupEnrollmentWithRsa2048EkCertificate) {
  ASSERT_TRUE(EnsureSwtpmGroup());
  auto device = NewDevice("grp-rsa", EkType::kRsa2048, /*provisioned_ek=*/true);
  ASSERT_NE(device, nullptr);
  auto request = device->ChallengeRequest();
  ASSERT_TRUE(request.has_value()) << request.error().ToString();
  ASSERT_TRUE(request->ek_certificate.has_value()) << "swtpm has no RSA EK certificate";
  EnrollAndCheck(*device, "group:swtpm-manufacturer");
}

TEST_F(EnrollmentE2e, GroupEnrollmentWithEccP384EkCertificate) {
  ASSERT_TRUE(EnsureSwtpmGroup());
  auto device = NewDevice("grp-p384", EkType::kEccP384, /*provisioned_ek=*/true);
  ASSERT_NE(device, nullptr);
  auto request = device->ChallengeRequest();
  ASSERT_TRUE(request.has_value()) << request.error().ToString();
  ASSERT_TRUE(request->ek_certificate.has_value()) << "swtpm has no P-384 EK certificate";
  EnrollAndCheck(*device, "group:swtpm-manufacturer");
}

TEST_F(EnrollmentE2e, IssuedChainPassesOpensslVerify) {
  auto device = NewDevice("verify");
  ASSERT_NE(device, nullptr);
  ASSERT_TRUE(RegisterIndividual(device->id(), device->ek_public()));
  auto enrolled = Enroll(*device);
  ASSERT_TRUE(enrolled.has_value()) << enrolled.error().ToString();
  auto chain = certs::Certificate::ChainFromPem(enrolled->certificate_chain_pem);
  ASSERT_TRUE(chain.has_value());
  auto leaf_pem = chain->front().ToPem();
  ASSERT_TRUE(leaf_pem.has_value());
  std::ofstream(Path("leaf.pem")) << *leaf_pem;
  Answer ca = Get("/v1/ca");
  ASSERT_EQ(ca.status, 200);
  std::ofstream(Path("ca.pem")) << ca.body;

  auto verify = RunCommand("openssl verify -CAfile " + ShellQuote(Path("ca.pem")) + " " +
                           ShellQuote(Path("leaf.pem")));
  EXPECT_EQ(verify.exit_code, 0) << verify.output;
  EXPECT_NE(verify.output.find(": OK"), std::string::npos) << verify.output;
  // The service's trust anchor is what GET /v1/ca serves.
  auto same = RunCommand("cmp " + ShellQuote(Path("ca.pem")) + " " +
                         ShellQuote(enrolld().ca_bundle_path()));
  EXPECT_EQ(same.exit_code, 0) << same.output;
  auto text = RunCommand("openssl x509 -noout -subject -ext subjectAltName,basicConstraints -in " +
                         ShellQuote(Path("leaf.pem")));
  EXPECT_NE(text.output.find("CN = " + device->id()), std::string::npos) << text.output;
  EXPECT_NE(text.output.find("urn:edgetrust:device:" + device->id()), std::string::npos)
      << text.output;
  EXPECT_EQ(text.output.find("CA:TRUE"), std::string::npos) << text.output;
}

TEST_F(EnrollmentE2e, RenewalSignedByTheIdentityKeyInTheTpm) {
  auto device = NewDevice("renew");
  ASSERT_NE(device, nullptr);
  ASSERT_TRUE(RegisterIndividual(device->id(), device->ek_public()));
  auto enrolled = Enroll(*device);
  ASSERT_TRUE(enrolled.has_value()) << enrolled.error().ToString();
  const int64_t seq = LastAuditSequence();

  auto renewed = Renew(*device);
  ASSERT_TRUE(renewed.has_value()) << renewed.error().ToString();
  EXPECT_EQ(renewed->device_id, device->id());
  EXPECT_NE(renewed->serial, enrolled->serial);
  EXPECT_EQ(CurrentSerial(device->id()), renewed->serial);
  EXPECT_EQ(CertificateCount(device->id()), 2);
  EXPECT_TRUE(AuditHas(device->id(), "renew", "ok", "ok", seq));

  // Renewing again with the new certificate works too.
  auto again = Renew(*device);
  ASSERT_TRUE(again.has_value()) << again.error().ToString();
  EXPECT_EQ(CertificateCount(device->id()), 3);
}

TEST_F(EnrollmentE2e, RevokedDeviceIsInTheCrlAndCannotRenew) {
  auto device = NewDevice("revoke");
  ASSERT_NE(device, nullptr);
  ASSERT_TRUE(RegisterIndividual(device->id(), device->ek_public()));
  auto enrolled = Enroll(*device);
  ASSERT_TRUE(enrolled.has_value()) << enrolled.error().ToString();
  Answer before = Get("/v1/crl");
  ASSERT_EQ(before.status, 200);

  ASSERT_TRUE(DeviceAction(device->id(), "revoke"));
  OperatorAnswer status = Operator("GET", "/v1/operator/devices/" + device->id());
  EXPECT_EQ(status.json().value("status", ""), "revoked") << status.body;

  Answer crl = Get("/v1/crl");
  ASSERT_EQ(crl.status, 200);
  std::ofstream(Path("crl.der"), std::ios::binary) << crl.body;
  auto text = RunCommand("openssl crl -inform DER -text -noout -in " + ShellQuote(Path("crl.der")) +
                         " -CAfile " + ShellQuote(enrolld().ca_bundle_path()));
  ASSERT_EQ(text.exit_code, 0) << text.output;
  EXPECT_NE(text.output.find("verify OK"), std::string::npos) << text.output;
  bool listed = false;
  const std::string want = NormalizeSerial(enrolled->serial);
  for (size_t pos = text.output.find("Serial Number:"); pos != std::string::npos;
       pos = text.output.find("Serial Number:", pos + 1)) {
    size_t start = text.output.find_first_not_of(' ', pos + 14);
    size_t end = text.output.find('\n', start);
    if (NormalizeSerial(text.output.substr(start, end - start)) == want) listed = true;
  }
  EXPECT_TRUE(listed) << "serial " << enrolled->serial << " not in\n" << text.output;

  const int64_t seq = LastAuditSequence();
  auto nonce = client().NewNonce();
  ASSERT_TRUE(nonce.has_value());
  auto body = device->RenewBody(*nonce);
  ASSERT_TRUE(body.has_value()) << body.error().ToString();
  Answer renew = Post("/v1/devices/" + device->id() + "/renew", *body);
  EXPECT_TRUE(Rejected(renew, 403, "jws.revoked"));
  EXPECT_TRUE(NothingIssued(device->id(), 1, enrolled->serial));
  EXPECT_TRUE(AuditHas(device->id(), "renew", "jws.revoked", "rejected", seq));
}

TEST_F(EnrollmentE2e, RestartKeepsEveryEnrolledDevice) {
  std::vector<std::unique_ptr<TpmDevice>> devices;
  for (EkType type : {EkType::kEccP256, EkType::kRsa2048}) {
    auto device = NewDevice("restart", type);
    ASSERT_NE(device, nullptr);
    ASSERT_TRUE(RegisterIndividual(device->id(), device->ek_public()));
    auto enrolled = Enroll(*device);
    ASSERT_TRUE(enrolled.has_value()) << enrolled.error().ToString();
    devices.push_back(std::move(device));
  }
  auto restarted = enrolld().Restart();
  ASSERT_TRUE(restarted.has_value()) << restarted.error().ToString() << enrolld().output();

  for (const auto& device : devices) {
    SCOPED_TRACE(device->id());
    EXPECT_EQ(CurrentSerial(device->id()), device->enrollment().serial);
    const std::string old_serial = device->enrollment().serial;
    auto renewed = Renew(*device);
    ASSERT_TRUE(renewed.has_value()) << renewed.error().ToString();
    EXPECT_NE(renewed->serial, old_serial);
    EXPECT_EQ(CertificateCount(device->id()), 2);
  }
  // The registry still pins each id to its EK after the restart (THREATS E4).
  OperatorAnswer list = Operator("GET", "/v1/operator/devices?limit=1000");
  ASSERT_EQ(list.status, 200) << list.body;
  size_t found = 0;
  const nlohmann::json listed = list.json();
  for (const auto& d : listed["devices"]) {
    for (const auto& device : devices) found += d.value("device_id", "") == device->id();
  }
  EXPECT_EQ(found, devices.size()) << list.body.substr(0, 600);
}

}  // namespace
}  // namespace edgetrust::e2e
