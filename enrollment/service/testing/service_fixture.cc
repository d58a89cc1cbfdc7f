#include "enrollment/service/testing/service_fixture.h"

#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <stdlib.h>

#include <cstdlib>
#include <filesystem>

#include "attestation/software_activate.h"
#include "attestation/templates.h"
#include "certs/csr.h"
#include "certs/testing/software_signer.h"
#include "common/crypto.h"
#include "common/openssl.h"
#include "enrollment/api/jws.h"
#include "enrollment/service/policy.h"

namespace edgetrust::enrollment::service::testing {
namespace {

using attestation::TpmPublic;

template <typename T>
T Must(Result<T> r, const char* what) {
  if (!r) {
    ADD_FAILURE() << what << ": " << r.error().ToString();
    std::abort();
  }
  return std::move(*r);
}

void MustOk(int rc, const char* what) {
  if (rc != 1) {
    ADD_FAILURE() << what << " failed";
    std::abort();
  }
}

std::shared_ptr<evp_pkey_st> NewEcKey() {
  EVP_PKEY* key = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
  if (key == nullptr) std::abort();
  return std::shared_ptr<evp_pkey_st>(key, EVP_PKEY_free);
}

std::shared_ptr<evp_pkey_st> ReadPrivate(const std::string& pem) {
  OpenSslPtr<BIO> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  EVP_PKEY* key = PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr);
  if (key == nullptr) std::abort();
  return std::shared_ptr<evp_pkey_st>(key, EVP_PKEY_free);
}

std::shared_ptr<evp_pkey_st> ReadPublic(const std::string& pem) {
  OpenSslPtr<BIO> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  EVP_PKEY* key = PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr);
  if (key == nullptr) std::abort();
  return std::shared_ptr<evp_pkey_st>(key, EVP_PKEY_free);
}

void SetName(X509_NAME* name, const std::string& cn) {
  MustOk(X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                                    reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1, 0),
         "X509_NAME_add_entry");
}

void AddExt(X509* cert, X509* issuer, int nid, const std::string& value) {
  X509V3_CTX ctx;
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str());
  if (ext == nullptr) std::abort();
  MustOk(X509_add_ext(cert, ext, -1), "X509_add_ext");
  X509_EXTENSION_free(ext);
}

// NewCert: v3 certificate with serial, names and validity; the caller adds extensions.
std::shared_ptr<x509_st> NewCert(EVP_PKEY* subject_key, const std::string& subject_cn, X509* issuer,
                                 std::time_t not_before, std::time_t not_after) {
  std::shared_ptr<x509_st> cert(X509_new(), X509_free);
  static long serial = 1000;
  MustOk(X509_set_version(cert.get(), 2), "X509_set_version");
  MustOk(ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), ++serial), "serial");
  SetName(X509_get_subject_name(cert.get()), subject_cn);
  MustOk(X509_set_issuer_name(cert.get(), issuer ? X509_get_subject_name(issuer)
                                                 : X509_get_subject_name(cert.get())),
         "issuer");
  if (ASN1_TIME_set(X509_getm_notBefore(cert.get()), not_before) == nullptr ||
      ASN1_TIME_set(X509_getm_notAfter(cert.get()), not_after) == nullptr) {
    std::abort();
  }
  MustOk(X509_set_pubkey(cert.get(), subject_key), "X509_set_pubkey");
  return cert;
}

Bytes Der(X509* cert) {
  unsigned char* out = nullptr;
  const int len = i2d_X509(cert, &out);
  if (len <= 0) std::abort();
  Bytes der(out, out + len);
  OPENSSL_free(out);
  return der;
}

api::PcrMap ToMap(const attestation::PcrValues& values) {
  api::PcrMap map;
  for (const auto& v : values) map[std::string(HashAlgorithmName(v.alg))][v.index] = v.digest;
  return map;
}

store::AuditRecord OperatorAudit(const std::string& action, const std::string& subject) {
  store::AuditRecord a;
  a.actor = "operator:test";
  a.action = action;
  a.subject = subject;
  a.outcome = "ok";
  a.reason = "ok";
  return a;
}

}  // namespace

// --- ManufacturerCa ---

ManufacturerCa::ManufacturerCa(const std::string& common_name) : key_(NewEcKey()) {
  const std::time_t now = std::time(nullptr);
  cert_ = NewCert(key_.get(), common_name, nullptr, now - 86400, now + 3650L * 86400);
  AddExt(cert_.get(), cert_.get(), NID_basic_constraints, "critical,CA:TRUE");
  AddExt(cert_.get(), cert_.get(), NID_key_usage, "critical,keyCertSign,cRLSign");
  AddExt(cert_.get(), cert_.get(), NID_subject_key_identifier, "hash");
  if (X509_sign(cert_.get(), key_.get(), EVP_sha256()) <= 0) std::abort();
}

std::string ManufacturerCa::pem() const {
  return Must(Must(certs::Certificate::FromDer(Der(cert_.get())), "ca").ToPem(), "pem");
}

Bytes ManufacturerCa::IssueEkCertificate(const std::string& ek_public_pem, std::time_t not_before,
                                         std::time_t not_after,
                                         const std::string& key_usage) const {
  auto ek = ReadPublic(ek_public_pem);
  auto cert = NewCert(ek.get(), "tpm ek", cert_.get(), not_before, not_after);
  AddExt(cert.get(), cert_.get(), NID_key_usage, key_usage);
  AddExt(cert.get(), cert_.get(), NID_authority_key_identifier, "keyid:always");
  if (X509_sign(cert.get(), key_.get(), EVP_sha256()) <= 0) std::abort();
  return Der(cert.get());
}

Bytes SelfSignedEkCertificate(const std::string& ek_private_pem, std::time_t now) {
  auto key = ReadPrivate(ek_private_pem);
  auto cert = NewCert(key.get(), "self-made ek", nullptr, now - 3600, now + 86400);
  AddExt(cert.get(), cert.get(), NID_key_usage, "critical,keyAgreement");
  if (X509_sign(cert.get(), key.get(), EVP_sha256()) <= 0) std::abort();
  return Der(cert.get());
}

// --- SimDevice ---

SimDevice::SimDevice(std::string id)
    : SimDevice(std::move(id),
                attestation::AttestationKeyTemplate(attestation::KeyAlgorithm::kEccP256)) {}

SimDevice::SimDevice(std::string id, const TPM2B_PUBLIC& ak_template)
    : id_(std::move(id)),
      ek_(attestation::testing::GenerateKey(
          attestation::EkTemplate(attestation::EkType::kEccP256))),
      ak_(std::make_shared<attestation::testing::SoftwareKey>(
          Must(attestation::testing::SoftwareKey::Create(ak_template), "AK"))),
      identity_(attestation::testing::GenerateKey(
          attestation::IdentityKeyTemplate(attestation::KeyAlgorithm::kEccP256))) {
  identity_signer_ = std::make_shared<certs::testing::SoftwareSigner>(
      ReadPrivate(identity_.private_pem), Must(PublicKey::FromPem(identity_.public_pem), "key"),
      certs::SignatureAlgorithm::kEcdsaSha256);
}

TpmPublic SimDevice::ek_public() const { return Must(TpmPublic::FromStruct(ek_.pub), "EK"); }

Bytes SimDevice::identity_public() const {
  return Must(TpmPublic::FromStruct(identity_.pub), "identity").Marshal();
}

api::ChallengeRequest SimDevice::ChallengeRequest() const {
  return api::ChallengeRequest{id_, ek_public().Marshal(), ek_certificate,
                               ak_->public_area().Marshal()};
}

SecretBytes SimDevice::Activate(const api::ChallengeResponse& challenge) const {
  const Bytes name = Must(ak_->public_area().Name(), "AK name");
  return Must(attestation::ActivateCredentialInSoftware(
                  ek_.private_pem, ek_public(), name,
                  attestation::CredentialBlob{challenge.id_object, challenge.encrypted_secret}),
              "activate");
}

api::QuoteEvidence SimDevice::Quote(ByteView qualifying, const attestation::PcrValues& values,
                                    const Tweak& tweak) const {
  TPMS_ATTEST attest = Must(attestation::testing::QuoteAttest(qualifying, values), "quote");
  if (tweak) tweak(attest);
  auto signed_attest = Must(ak_->Sign(attest), "sign quote");
  return api::QuoteEvidence{signed_attest.attest, signed_attest.signature, ToMap(values)};
}

api::CertifyEvidence SimDevice::Certify(ByteView qualifying, const Tweak& tweak) const {
  const Bytes name = Must(Must(TpmPublic::FromStruct(identity_.pub), "id").Name(), "name");
  TPMS_ATTEST attest = attestation::testing::CertifyAttest(qualifying, name);
  if (tweak) tweak(attest);
  auto signed_attest = Must(ak_->Sign(attest), "sign certify");
  return api::CertifyEvidence{signed_attest.attest, signed_attest.signature, identity_public()};
}

api::CertifyEvidence SimDevice::CertifyPublic(ByteView qualifying, const TPM2B_PUBLIC& pub) const {
  const TpmPublic parsed = Must(TpmPublic::FromStruct(pub), "public");
  TPMS_ATTEST attest = attestation::testing::CertifyAttest(qualifying, Must(parsed.Name(), "name"));
  auto signed_attest = Must(ak_->Sign(attest), "sign certify");
  return api::CertifyEvidence{signed_attest.attest, signed_attest.signature, parsed.Marshal()};
}

Bytes SimDevice::Qualifying(const api::ChallengeResponse& challenge) const {
  SecretBytes secret = Activate(challenge);
  return Must(Digest(HashAlgorithm::kSha256, Concat({secret.RevealForCrypto(), challenge.nonce})),
              "qualifying");
}

Bytes SimDevice::Csr() const { return Must(certs::BuildCsr(*identity_signer_, id_), "csr"); }

api::Evidence SimDevice::Evidence(ByteView qualifying, const attestation::PcrValues& values,
                                  const Tweak& quote_tweak) const {
  return api::Evidence{Quote(qualifying, values, quote_tweak), Certify(qualifying), Csr()};
}

api::CompleteRequest SimDevice::Complete(const api::ChallengeResponse& challenge,
                                         const attestation::PcrValues& values,
                                         const Tweak& quote_tweak) const {
  SecretBytes secret = Activate(challenge);
  const Bytes qualifying = Must(
      Digest(HashAlgorithm::kSha256, Concat({secret.RevealForCrypto(), challenge.nonce})), "q");
  const Bytes proof =
      Must(Hmac(HashAlgorithm::kSha256, secret.RevealForCrypto(),
                Concat({AsBytes("edgetrust-enrollment-proof-v1"), challenge.challenge_id})),
           "proof");
  return api::CompleteRequest{challenge.challenge_id, proof,
                              Evidence(qualifying, values, quote_tweak)};
}

attestation::PcrValues PcrsFor(const std::string& selection, uint8_t fill) {
  attestation::PcrValues values;
  for (const auto& bank : Must(attestation::ParsePcrSelection(selection), "selection")) {
    for (uint32_t i : bank.indices) {
      values.push_back({bank.alg, i, Bytes(DigestSize(bank.alg), static_cast<uint8_t>(fill + i))});
    }
  }
  return values;
}

// --- ServiceFixture ---

void ServiceFixture::SetUp() {
  char tmpl[] = "/tmp/edgetrust-service-test-XXXXXX";
  ASSERT_NE(mkdtemp(tmpl), nullptr);
  dir_ = tmpl;
  now_ = std::time(nullptr);
  store_ = Must(store::SqliteStore::Open(dir_ + "/registry.db"), "store");
  ca_signer_ = Must(certs::testing::SoftwareSigner::Create(KeyType::kEcP256), "CA key");
  auto ca_cert = Must(certs::MakeSelfSignedCa(*ca_signer_, "edgetrust test device CA",
                                              std::chrono::hours(24 * 3650), now()),
                      "CA cert");
  ca_ = std::make_shared<certs::CertificateAuthority>(
      Must(certs::CertificateAuthority::Create(ca_signer_, {ca_cert}), "CA"));
  challenges_ = std::make_shared<InMemoryChallengeStore>(options_.max_pending_challenges);
  nonces_ = std::make_shared<InMemoryNonceStore>(1000, options_.nonce_ttl);
  metrics_ = std::make_shared<Metrics>();
  audit_ = std::make_shared<MemoryAuditSink>();
  ServiceDependencies deps{
      store_, ca_, challenges_, nonces_, metrics_, audit_, [this] { return now_.load(); }};
  service_ = Must(EnrollmentService::Create(std::move(deps), options_), "service");
}

void ServiceFixture::TearDown() {
  service_.reset();
  store_.reset();
  std::filesystem::remove_all(dir_);
}

void ServiceFixture::AddIndividual(const SimDevice& device, bool enabled,
                                   const std::string& policy) {
  store::IndividualEnrollment e;
  e.registration_id = device.id();
  e.ek_digest_hex = Must(attestation::EkDigestHex(device.ek_public()), "digest");
  e.enabled = enabled;
  e.pcr_policy_id = policy;
  e.created_at = now();
  auto put = store_->PutIndividual(e, OperatorAudit("enrollment.create", device.id()));
  ASSERT_TRUE(put.has_value()) << put.error().ToString();
}

void ServiceFixture::AddGroup(const std::string& group_id, const std::string& ca_pem, bool enabled,
                              const std::string& policy) {
  store::GroupEnrollment g;
  g.group_id = group_id;
  g.manufacturer_ca_pem = ca_pem;
  g.enabled = enabled;
  g.pcr_policy_id = policy;
  g.created_at = now();
  auto put = store_->PutGroup(g, OperatorAudit("group.create", group_id));
  ASSERT_TRUE(put.has_value()) << put.error().ToString();
}

void ServiceFixture::AddPolicy(const std::string& id, const std::string& selection,
                               const attestation::PcrValues& golden) {
  store::PcrPolicy p;
  p.id = id;
  p.selection = selection;
  for (const auto& v : golden) {
    p.golden.push_back({std::string(HashAlgorithmName(v.alg)), v.index, HexEncode(v.digest)});
  }
  auto put = store_->PutPcrPolicy(p, OperatorAudit("pcr_policy.create", id));
  ASSERT_TRUE(put.has_value()) << put.error().ToString();
}

void ServiceFixture::SetDeviceStatus(const std::string& id, store::DeviceStatus status) {
  auto set = store_->UpdateDeviceStatus(id, status, "operator", OperatorAudit("device.status", id));
  ASSERT_TRUE(set.has_value()) << set.error().ToString();
}

Result<api::EnrollmentResponse> ServiceFixture::Enroll(const SimDevice& device,
                                                       const attestation::PcrValues& values) {
  auto challenge = service_->Challenge(device.ChallengeRequest());
  if (!challenge) return Fail(challenge.error());
  return service_->Complete(device.Complete(*challenge, values));
}

std::string ServiceFixture::SignedRenew(const SimDevice& device, const Bytes& leaf_der,
                                        const std::string& path,
                                        const attestation::PcrValues& values) {
  const std::string nonce = Must(service_->NewNonce(), "nonce");
  const Bytes nonce_bytes = Must(api::Base64UrlDecode(nonce), "nonce bytes");
  const Bytes qualifying = Must(
      Digest(HashAlgorithm::kSha256, Concat({AsBytes("edgetrust-renew-v1"), nonce_bytes})), "q");
  const std::string payload = api::ToJson(api::RenewPayload{device.Evidence(qualifying, values)});
  return Must(api::SignJws(device.identity_signer(), nonce, path, {leaf_der}, payload), "jws");
}

bool ServiceFixture::HasAudit(const std::string& reason) const {
  store::AuditQuery q;
  q.outcome = "rejected";
  q.limit = 1000;
  auto records = store_->QueryAudit(q);
  if (!records) return false;
  bool in_store = false;
  for (const auto& r : *records) in_store = in_store || r.reason == reason;
  bool in_sink = false;
  for (const auto& r : audit_->records()) in_sink = in_sink || r.reason == reason;
  return in_store && in_sink;
}

void ServiceFixture::ExpectRejected(const Error& error, ErrorCode code, const std::string& reason,
                                    const std::string& device_id,
                                    const std::string& serial_before) {
  EXPECT_EQ(error.reason, reason) << error.ToString();
  EXPECT_EQ(error.code, code) << error.ToString();
  EXPECT_TRUE(HasAudit(reason)) << "no audit record with reason " << reason;
  if (device_id.empty()) return;
  auto device = store_->GetDevice(device_id);
  if (serial_before.empty()) {
    EXPECT_TRUE(!device.has_value() || device->current_serial.empty())
        << "a certificate was issued to " << device_id;
  } else {
    ASSERT_TRUE(device.has_value());
    EXPECT_EQ(device->current_serial, serial_before) << "a new certificate was issued";
  }
}

}  // namespace edgetrust::enrollment::service::testing
