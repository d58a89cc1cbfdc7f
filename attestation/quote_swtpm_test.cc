// Quotes and certifies on a real (software) TPM, cross-checked with tpm2_quote and
// tpm2_checkquote in both directions.
#include "attestation/quote.h"

#include <gtest/gtest.h>

#include "attestation/certify_verifier.h"
#include "attestation/keys.h"
#include "attestation/pcr.h"
#include "attestation/primary_keys.h"
#include "attestation/quote_verifier.h"
#include "attestation/sign.h"
#include "common/file.h"
#include "swtpm/tpm_test.h"

namespace edgetrust::attestation {
namespace {

using swtpm::ShellQuote;

class QuoteTest : public swtpm::TpmTest {
 protected:
  KeyBlob NewKey(const TPM2B_PUBLIC& tmpl) {
    auto blob = CreateKey(tpm(), srk().handle, tmpl);
    EXPECT_TRUE(blob.has_value()) << blob.error().ToString();
    return blob ? *blob : KeyBlob{};
  }
  TpmPublic Public(const KeyBlob& blob) { return *TpmPublic::FromStruct(blob.public_area); }

  void Save(const std::string& name, ByteView data) {
    ASSERT_TRUE(WriteFileAtomic(Path(name), data).has_value());
  }
  void SavePem(const std::string& name, const TpmPublic& pub) {
    Save(name, AsBytes(*pub.ToPublicKey()->ToPem()));
  }
  // CheckQuote runs tpm2_checkquote on files in the scratch directory.
  int CheckQuote(const std::string& selection, const std::string& nonce_hex) {
    auto r = swtpm::RunCommand("cd " + ShellQuote(scratch()) +
                               " && tpm2_checkquote -u ak.pem -m quote.attest -s quote.sig "
                               "-f quote.pcrs -l " +
                               selection + " -g sha256 -q " + nonce_hex);
    return r.exit_code;
  }

  Bytes nonce_ = Bytes{0xde, 0xad, 0xbe, 0xef, 1, 2, 3, 4};
};

TEST_F(QuoteTest, OurQuotePassesOurVerifierAndTpm2CheckQuote) {
  for (KeyAlgorithm alg : {KeyAlgorithm::kEccP256, KeyAlgorithm::kRsa2048}) {
    SCOPED_TRACE(alg == KeyAlgorithm::kEccP256 ? "ecc" : "rsa");
    KeyBlob ak_blob = NewKey(AttestationKeyTemplate(alg));
    auto digest = Digest(HashAlgorithm::kSha256, AsBytes("firmware-v1"));
    ASSERT_TRUE(ExtendPcr(tpm(), 16, HashAlgorithm::kSha256, *digest).has_value());
    auto selection = *ParsePcrSelection("sha256:0,1,16");
    QuoteEvidence q;
    {
      auto ak = LoadKey(tpm(), srk().handle, ak_blob);
      ASSERT_TRUE(ak.has_value()) << ak.error().ToString();
      auto quote = Quote(tpm(), *ak, nonce_, selection);
      ASSERT_TRUE(quote.has_value()) << quote.error().ToString();
      q = *quote;
    }
    auto verified = VerifyQuote(Public(ak_blob), q.attest, q.signature, q.pcr_values,
                                QuoteExpectations{nonce_, selection});
    ASSERT_TRUE(verified.has_value()) << verified.error().ToString();
    ASSERT_EQ(verified->pcr_values().size(), 3u);
    EXPECT_NE(verified->pcr_values()[2].digest, Bytes(32, 0)) << "PCR 16 was extended";

    SavePem("ak.pem", Public(ak_blob));
    Save("quote.attest", q.attest);
    Save("quote.sig", q.signature);
    Save("quote.pcrs", ConcatPcrValues(q.pcr_values));
    EXPECT_EQ(CheckQuote("sha256:0,1,16", HexEncode(nonce_)), 0);

    // Wrong nonce, a changed PCR value, another key: both verifiers refuse.
    Bytes other_nonce = nonce_;
    other_nonce[0] ^= 1;
    auto wrong_nonce = VerifyQuote(Public(ak_blob), q.attest, q.signature, q.pcr_values,
                                   QuoteExpectations{other_nonce, {}});
    ASSERT_FALSE(wrong_nonce.has_value());
    EXPECT_EQ(wrong_nonce.error().reason, "quote.nonce_mismatch");
    EXPECT_NE(CheckQuote("sha256:0,1,16", HexEncode(other_nonce)), 0);

    PcrValues changed = q.pcr_values;
    changed[0].digest[0] ^= 1;
    auto wrong_pcr =
        VerifyQuote(Public(ak_blob), q.attest, q.signature, changed, QuoteExpectations{nonce_, {}});
    ASSERT_FALSE(wrong_pcr.has_value());
    EXPECT_EQ(wrong_pcr.error().reason, "quote.pcr_digest_mismatch");
    Save("quote.pcrs", ConcatPcrValues(changed));
    EXPECT_NE(CheckQuote("sha256:0,1,16", HexEncode(nonce_)), 0);
    Save("quote.pcrs", ConcatPcrValues(q.pcr_values));

    KeyBlob other = NewKey(AttestationKeyTemplate(alg));
    auto wrong_key = VerifyQuote(Public(other), q.attest, q.signature, q.pcr_values,
                                 QuoteExpectations{nonce_, {}});
    ASSERT_FALSE(wrong_key.has_value());
    EXPECT_EQ(wrong_key.error().reason, "quote.bad_signature");
    SavePem("ak.pem", Public(other));
    EXPECT_NE(CheckQuote("sha256:0,1,16", HexEncode(nonce_)), 0);
  }
}

TEST_F(QuoteTest, Tpm2QuotePassesOurVerifier) {
  auto r = Tpm2Tools(
      "tpm2_createak -C 0x81010001 -c ak.ctx -G ecc -g sha256 -s ecdsa -u ak.pub -f tss -n ak.name"
      " && tpm2_quote -c ak.ctx -l sha256:0,7,16 -q " +
      HexEncode(nonce_) + " -g sha256 -m quote.attest -s quote.sig -o quote.pcrs -F values");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  auto ak_bytes = ReadFile(Path("ak.pub"));
  auto attest = ReadFile(Path("quote.attest"));
  auto sig = ReadFile(Path("quote.sig"));
  auto pcrs = ReadFile(Path("quote.pcrs"));
  ASSERT_TRUE(ak_bytes && attest && sig && pcrs);
  auto ak = TpmPublic::Parse(*ak_bytes);
  ASSERT_TRUE(ak.has_value()) << ak.error().ToString();
  ASSERT_EQ(pcrs->size(), 3u * 32);
  PcrValues values;
  uint32_t indices[] = {0, 7, 16};
  for (size_t i = 0; i < 3; ++i) {
    values.push_back(PcrValue{HashAlgorithm::kSha256, indices[i],
                              Bytes(pcrs->begin() + i * 32, pcrs->begin() + (i + 1) * 32)});
  }
  auto verified = VerifyQuote(*ak, *attest, *sig, values, QuoteExpectations{nonce_, {}});
  ASSERT_TRUE(verified.has_value()) << verified.error().ToString();

  Bytes other_nonce(nonce_.size(), 0);
  auto wrong = VerifyQuote(*ak, *attest, *sig, values, QuoteExpectations{other_nonce, {}});
  ASSERT_FALSE(wrong.has_value());
  EXPECT_EQ(wrong.error().reason, "quote.nonce_mismatch");
}

TEST_F(QuoteTest, CertifyOfIdentityKeyVerifiesAndOthersAreRejected) {
  KeyBlob ak_blob = NewKey(AttestationKeyTemplate(KeyAlgorithm::kEccP256));
  KeyBlob id_blob = NewKey(IdentityKeyTemplate(KeyAlgorithm::kEccP256));
  TPM2B_PUBLIC exportable_tmpl = IdentityKeyTemplate(KeyAlgorithm::kEccP256);
  exportable_tmpl.publicArea.objectAttributes &= ~(TPMA_OBJECT_FIXEDTPM | TPMA_OBJECT_FIXEDPARENT);
  KeyBlob exportable_blob = NewKey(exportable_tmpl);
  KeyBlob restricted_blob = NewKey(AttestationKeyTemplate(KeyAlgorithm::kEccP256));

  auto certify = [&](const KeyBlob& object) {
    auto ak = LoadKey(tpm(), srk().handle, ak_blob);
    EXPECT_TRUE(ak.has_value());
    auto obj = LoadKey(tpm(), srk().handle, object);
    EXPECT_TRUE(obj.has_value()) << obj.error().ToString();
    auto evidence = Certify(tpm(), *obj, *ak, nonce_);
    EXPECT_TRUE(evidence.has_value()) << evidence.error().ToString();
    return *evidence;
  };

  CertifyEvidence good = certify(id_blob);
  auto verified =
      VerifyCertify(Public(ak_blob), good.attest, good.signature, Public(id_blob), nonce_);
  ASSERT_TRUE(verified.has_value()) << verified.error().ToString();

  auto other_name =
      VerifyCertify(Public(ak_blob), good.attest, good.signature, Public(exportable_blob), nonce_);
  ASSERT_FALSE(other_name.has_value());
  EXPECT_EQ(other_name.error().reason, "certify.name_mismatch");

  CertifyEvidence exportable = certify(exportable_blob);
  auto not_fixed = VerifyCertify(Public(ak_blob), exportable.attest, exportable.signature,
                                 Public(exportable_blob), nonce_);
  ASSERT_FALSE(not_fixed.has_value());
  EXPECT_EQ(not_fixed.error().reason, "identity.not_fixed_tpm");

  CertifyEvidence restricted = certify(restricted_blob);
  auto is_restricted = VerifyCertify(Public(ak_blob), restricted.attest, restricted.signature,
                                     Public(restricted_blob), nonce_);
  ASSERT_FALSE(is_restricted.has_value());
  EXPECT_EQ(is_restricted.error().reason, "identity.restricted");
}

TEST_F(QuoteTest, IdentityKeySignsDigests) {
  KeyBlob id_blob = NewKey(IdentityKeyTemplate(KeyAlgorithm::kEccP256));
  Bytes message = ToBytes("certificate signing request bytes");
  auto digest = Digest(HashAlgorithm::kSha256, message);
  auto id = LoadKey(tpm(), srk().handle, id_blob);
  ASSERT_TRUE(id.has_value());
  auto sig = SignDigest(tpm(), *id, *digest);
  ASSERT_TRUE(sig.has_value()) << sig.error().ToString();
  auto key = Public(id_blob).ToPublicKey();
  ASSERT_TRUE(key.has_value());
  EXPECT_TRUE(
      key->Verify(SignatureScheme::kEcdsaDer, HashAlgorithm::kSha256, message, *sig).has_value());
  auto bad = key->Verify(SignatureScheme::kEcdsaDer, HashAlgorithm::kSha256,
                         AsBytes("other message"), *sig);
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error().reason, "signature.invalid");
}

}  // namespace
}  // namespace edgetrust::attestation
