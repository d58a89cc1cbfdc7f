// Quote verification against evidence crafted with a software AK: covers the E8/E9 rows of
// THREATS.md, including forgeries a real TPM would never produce (wrong magic, wrong type).
#include "attestation/quote_verifier.h"

#include <gtest/gtest.h>

#include "attestation/templates.h"
#include "attestation/testing/software_key.h"

namespace edgetrust::attestation {
namespace {

using testing::QuoteAttest;
using testing::SignedAttest;
using testing::SoftwareKey;

PcrValues SamplePcrs() {
  PcrValues values;
  for (uint32_t i : {0u, 1u, 16u}) {
    values.push_back(PcrValue{HashAlgorithm::kSha256, i, Bytes(32, static_cast<uint8_t>(i + 1))});
  }
  return values;
}

class QuoteVerifierTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto ak = SoftwareKey::Create(AttestationKeyTemplate(KeyAlgorithm::kEccP256));
    ASSERT_TRUE(ak.has_value()) << ak.error().ToString();
    ak_ = std::make_unique<SoftwareKey>(std::move(*ak));
  }

  SignedAttest SignQuote(const TPMS_ATTEST& attest) {
    auto s = ak_->Sign(attest);
    EXPECT_TRUE(s.has_value());
    return *s;
  }

  TPMS_ATTEST Attest(const PcrValues& values) {
    auto a = QuoteAttest(nonce_, values);
    EXPECT_TRUE(a.has_value());
    return *a;
  }

  Result<VerifiedQuote> Verify(const SignedAttest& q, const PcrValues& values,
                               PcrSelection required = {}) {
    return VerifyQuote(ak_->public_area(), q.attest, q.signature, values,
                       QuoteExpectations{nonce_, std::move(required)});
  }

  std::unique_ptr<SoftwareKey> ak_;
  Bytes nonce_ = Bytes(32, 0x5a);
};

void ExpectRejected(const Result<VerifiedQuote>& r, const std::string& reason) {
  ASSERT_FALSE(r.has_value()) << "expected " << reason;
  EXPECT_EQ(r.error().reason, reason) << r.error().ToString();
}

TEST_F(QuoteVerifierTest, AcceptsGenuineQuote) {
  PcrValues values = SamplePcrs();
  auto verified = Verify(SignQuote(Attest(values)), values, *ParsePcrSelection("sha256:0,16"));
  ASSERT_TRUE(verified.has_value()) << verified.error().ToString();
  ASSERT_EQ(verified->pcr_values().size(), 3u);
  EXPECT_EQ(verified->pcr_values()[2].index, 16u);
  EXPECT_EQ(verified->clock().clock, 123456u);
}

TEST_F(QuoteVerifierTest, RejectsWrongNonce) {
  PcrValues values = SamplePcrs();
  TPMS_ATTEST attest = Attest(values);
  attest.extraData.buffer[0] ^= 1;
  ExpectRejected(Verify(SignQuote(attest), values), "quote.nonce_mismatch");
}

TEST_F(QuoteVerifierTest, RejectsWrongMagic) {
  PcrValues values = SamplePcrs();
  TPMS_ATTEST attest = Attest(values);
  attest.magic = 0x12345678;
  ExpectRejected(Verify(SignQuote(attest), values), "quote.bad_magic");
}

TEST_F(QuoteVerifierTest, RejectsWrongAttestType) {
  PcrValues values = SamplePcrs();
  TPMS_ATTEST attest = testing::CertifyAttest(nonce_, Bytes(34, 1));
  ExpectRejected(Verify(SignQuote(attest), values), "quote.wrong_type");
}

TEST_F(QuoteVerifierTest, RejectsSignatureByAnotherKey) {
  PcrValues values = SamplePcrs();
  auto other = SoftwareKey::Create(AttestationKeyTemplate(KeyAlgorithm::kEccP256));
  ASSERT_TRUE(other.has_value());
  auto forged = other->Sign(Attest(values));
  ASSERT_TRUE(forged.has_value());
  ExpectRejected(Verify(*forged, values), "quote.bad_signature");
}

TEST_F(QuoteVerifierTest, RejectsAlteredAttest) {
  PcrValues values = SamplePcrs();
  SignedAttest q = SignQuote(Attest(values));
  q.attest[q.attest.size() - 1] ^= 0x01;  // inside the PCR digest
  ExpectRejected(Verify(q, values), "quote.bad_signature");
}

TEST_F(QuoteVerifierTest, RejectsSignatureWithAnotherHash) {
  PcrValues values = SamplePcrs();
  SignedAttest q = SignQuote(Attest(values));
  q.signature[3] = 0x0c;  // TPMT_SIGNATURE.signature.hash: SHA256 (0x000b) -> SHA384 (0x000c)
  ExpectRejected(Verify(q, values), "quote.bad_signature");
}

TEST_F(QuoteVerifierTest, RejectsChangedPcrValue) {
  PcrValues values = SamplePcrs();
  SignedAttest q = SignQuote(Attest(values));
  values[1].digest[0] ^= 0xff;
  ExpectRejected(Verify(q, values), "quote.pcr_digest_mismatch");
}

TEST_F(QuoteVerifierTest, RejectsPcrOutsideSignedSelection) {
  PcrValues values = SamplePcrs();
  SignedAttest q = SignQuote(Attest(values));
  PcrValues extra = values;
  extra.push_back(PcrValue{HashAlgorithm::kSha256, 23, Bytes(32, 0)});
  ExpectRejected(Verify(q, extra), "quote.pcr_values_mismatch");
  PcrValues missing(values.begin(), values.begin() + 2);
  ExpectRejected(Verify(q, missing), "quote.pcr_values_mismatch");
  PcrValues short_digest = values;
  short_digest[0].digest.pop_back();
  ExpectRejected(Verify(q, short_digest), "quote.pcr_values_mismatch");
}

TEST_F(QuoteVerifierTest, RejectsSelectionNarrowerThanPolicy) {
  PcrValues values = SamplePcrs();
  ExpectRejected(Verify(SignQuote(Attest(values)), values, *ParsePcrSelection("sha256:0,7")),
                 "quote.pcr_selection_narrow");
}

TEST_F(QuoteVerifierTest, RejectsMalformedAttest) {
  PcrValues values = SamplePcrs();
  SignedAttest q = SignQuote(Attest(values));
  SignedAttest truncated = q;
  truncated.attest.resize(truncated.attest.size() / 2);
  ExpectRejected(Verify(truncated, values), "quote.malformed");
  SignedAttest trailing = q;
  trailing.attest.push_back(0);
  ExpectRejected(Verify(trailing, values), "quote.malformed");
  SignedAttest bad_sig = q;
  bad_sig.signature.resize(5);
  ExpectRejected(Verify(bad_sig, values), "quote.malformed");
  ExpectRejected(VerifyQuote(ak_->public_area(), {}, {}, values, QuoteExpectations{nonce_, {}}),
                 "quote.malformed");
}

TEST_F(QuoteVerifierTest, RejectsKeyThatIsNotAnAttestationKey) {
  auto not_ak = SoftwareKey::Create(IdentityKeyTemplate(KeyAlgorithm::kEccP256));
  ASSERT_TRUE(not_ak.has_value());
  PcrValues values = SamplePcrs();
  auto q = not_ak->Sign(Attest(values));
  ASSERT_TRUE(q.has_value());
  auto r = VerifyQuote(not_ak->public_area(), q->attest, q->signature, values,
                       QuoteExpectations{nonce_, {}});
  ExpectRejected(r, "ak.not_restricted");
}

}  // namespace
}  // namespace edgetrust::attestation
