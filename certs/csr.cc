#include "certs/csr.h"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include "certs/certificate_authority.h"
#include "certs/x509_sign.h"
#include "certs/x509_util.h"
#include "common/openssl.h"

namespace edgetrust::certs {
namespace {

using internal::NameText;

std::unexpected<Error> Malformed(std::string message) {
  ERR_clear_error();
  return Fail(ErrorCode::kInvalidArgument, "csr.malformed", std::move(message));
}

std::unexpected<Error> Weak(std::string message) {
  return Fail(ErrorCode::kPermissionDenied, "csr.weak_algorithm", std::move(message));
}

OpenSslPtr<STACK_OF(X509_EXTENSION)> Extensions(X509_REQ* req) {
  OpenSslPtr<STACK_OF(X509_EXTENSION)> exts(X509_REQ_get_extensions(req));
  ERR_clear_error();
  return exts;
}

// PssHashIsStrong reads the RSASSA-PSS parameters: SHA-256 or stronger for both the message
// hash and MGF1 (absent parameters mean SHA-1, which is refused).
bool PssHashIsStrong(const X509_ALGOR* alg) {
  const ASN1_TYPE* param = alg->parameter;
  if (param == nullptr || param->type != V_ASN1_SEQUENCE) return false;
  const ASN1_STRING* seq = param->value.sequence;
  const unsigned char* p = ASN1_STRING_get0_data(seq);
  RSA_PSS_PARAMS* pss = d2i_RSA_PSS_PARAMS(nullptr, &p, ASN1_STRING_length(seq));
  if (pss == nullptr) return false;
  auto strong = [](const X509_ALGOR* h) {
    if (h == nullptr) return false;
    int nid = OBJ_obj2nid(h->algorithm);
    return nid == NID_sha256 || nid == NID_sha384 || nid == NID_sha512;
  };
  bool ok = strong(pss->hashAlgorithm);
  if (ok) {
    // maskGenAlgorithm = mgf1 with its hash as parameter.
    const X509_ALGOR* mgf = pss->maskGenAlgorithm;
    ok = false;
    if (mgf != nullptr && OBJ_obj2nid(mgf->algorithm) == NID_mgf1 && mgf->parameter != nullptr &&
        mgf->parameter->type == V_ASN1_SEQUENCE) {
      const ASN1_STRING* mseq = mgf->parameter->value.sequence;
      const unsigned char* mp = ASN1_STRING_get0_data(mseq);
      X509_ALGOR* mhash = d2i_X509_ALGOR(nullptr, &mp, ASN1_STRING_length(mseq));
      ok = strong(mhash);
      X509_ALGOR_free(mhash);
    }
  }
  RSA_PSS_PARAMS_free(pss);
  return ok;
}

// BuildRequest makes and signs a CSR for signer's key with subject CN=`common_name` and the
// requested `extensions`.
Result<Bytes> BuildRequest(const Signer& signer, std::string_view common_name,
                           STACK_OF(X509_EXTENSION) * extensions) {
  if (common_name.empty()) {
    return Fail(ErrorCode::kInvalidArgument, "csr.bad_subject", "empty common name");
  }
  OpenSslPtr<X509_REQ> req(X509_REQ_new());
  auto name = internal::MakeName(std::string(common_name));
  if (!name) return Fail(name.error());
  if (!req || X509_REQ_set_version(req.get(), 0) != 1 ||
      X509_REQ_set_subject_name(req.get(), name->get()) != 1 ||
      X509_REQ_set_pubkey(req.get(), signer.public_key().get0_evp()) != 1) {
    return std::unexpected(OpenSslError(ErrorCode::kInternal, "crypto.openssl", "X509_REQ"));
  }
  if (extensions != nullptr && X509_REQ_add_extensions(req.get(), extensions) != 1) {
    return std::unexpected(
        OpenSslError(ErrorCode::kInternal, "crypto.openssl", "X509_REQ_add_extensions"));
  }
  return internal::SignCsr(signer, req.get());
}

}  // namespace

Result<Csr> Csr::FromDer(ByteView der) {
  const unsigned char* p = der.data();
  X509_REQ* raw = d2i_X509_REQ(nullptr, &p, static_cast<long>(der.size()));
  std::shared_ptr<X509_req_st> req(raw, X509_REQ_free);
  if (raw == nullptr) return Malformed("not a DER PKCS#10 request");
  if (p != der.data() + der.size()) return Malformed("trailing bytes after the request");
  return Csr(std::move(req), Bytes(der.begin(), der.end()));
}

Result<Csr> Csr::FromPem(std::string_view pem) {
  OpenSslPtr<BIO> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio) return Malformed("BIO");
  OpenSslPtr<X509_REQ> req(PEM_read_bio_X509_REQ(bio.get(), nullptr, nullptr, nullptr));
  if (!req) return Malformed("no PEM CERTIFICATE REQUEST block");
  int len = i2d_X509_REQ(req.get(), nullptr);
  if (len <= 0) return Malformed("cannot encode the request");
  Bytes der(static_cast<size_t>(len));
  unsigned char* out = der.data();
  i2d_X509_REQ(req.get(), &out);
  return FromDer(der);
}

Result<std::string> Csr::ToPem() const {
  OpenSslPtr<BIO> bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_X509_REQ(bio.get(), req_.get()) != 1) {
    return std::unexpected(OpenSslError(ErrorCode::kInternal, "crypto.openssl", "PEM_write"));
  }
  return internal::BioText(bio.get());
}

Result<PublicKey> Csr::public_key() const {
  EVP_PKEY* key = X509_REQ_get_pubkey(req_.get());  // get1
  if (key == nullptr) return Malformed("request public key does not parse");
  return PublicKey::Adopt(key);
}

std::string Csr::subject() const { return NameText(X509_REQ_get_subject_name(req_.get())); }

std::string Csr::requested_common_name() const {
  return internal::CommonName(X509_REQ_get_subject_name(req_.get()));
}

std::vector<std::string> Csr::requested_uri_sans() const {
  auto exts = Extensions(req_.get());
  OpenSslPtr<GENERAL_NAMES> names(static_cast<GENERAL_NAMES*>(
      X509V3_get_d2i(exts.get(), NID_subject_alt_name, nullptr, nullptr)));
  return internal::NamesOfType(names.get(), GEN_URI);
}

std::vector<std::string> Csr::requested_dns_sans() const {
  auto exts = Extensions(req_.get());
  OpenSslPtr<GENERAL_NAMES> names(static_cast<GENERAL_NAMES*>(
      X509V3_get_d2i(exts.get(), NID_subject_alt_name, nullptr, nullptr)));
  return internal::NamesOfType(names.get(), GEN_DNS);
}

bool Csr::requests_ca() const {
  auto exts = Extensions(req_.get());
  OpenSslPtr<BASIC_CONSTRAINTS> bc(static_cast<BASIC_CONSTRAINTS*>(
      X509V3_get_d2i(exts.get(), NID_basic_constraints, nullptr, nullptr)));
  if (bc && bc->ca != 0) return true;
  OpenSslPtr<ASN1_BIT_STRING> usage(
      static_cast<ASN1_BIT_STRING*>(X509V3_get_d2i(exts.get(), NID_key_usage, nullptr, nullptr)));
  return usage && (ASN1_BIT_STRING_get_bit(usage.get(), 5) == 1 ||  // keyCertSign
                   ASN1_BIT_STRING_get_bit(usage.get(), 6) == 1);   // cRLSign
}

bool Csr::has_extensions() const {
  auto exts = Extensions(req_.get());
  return exts && sk_X509_EXTENSION_num(exts.get()) > 0;
}

Status Csr::VerifySignature() const {
  const ASN1_BIT_STRING* sig = nullptr;
  const X509_ALGOR* alg = nullptr;
  X509_REQ_get0_signature(req_.get(), &sig, &alg);
  int nid = OBJ_obj2nid(alg->algorithm);
  switch (nid) {
    case NID_ecdsa_with_SHA256:
    case NID_ecdsa_with_SHA384:
    case NID_ecdsa_with_SHA512:
    case NID_sha256WithRSAEncryption:
    case NID_sha384WithRSAEncryption:
    case NID_sha512WithRSAEncryption:
      break;
    case NID_rsassaPss:
      if (!PssHashIsStrong(alg)) return Weak("RSASSA-PSS with a hash weaker than SHA-256");
      break;
    default:
      return Weak(std::string("signature algorithm ") + OBJ_nid2sn(nid) + " is not accepted");
  }
  auto key = public_key();
  if (!key) return Fail(key.error());
  if (key->type() == KeyType::kRsa && key->bits() < 2048) return Weak("RSA key under 2048 bits");
  if (X509_REQ_verify(req_.get(), key->get0_evp()) != 1) {
    ERR_clear_error();
    return Fail(ErrorCode::kPermissionDenied, "csr.bad_signature",
                "the request's self-signature does not verify");
  }
  return Ok();
}

Result<Bytes> BuildCsr(const Signer& signer, std::string_view common_name) {
  return BuildRequest(signer, common_name, nullptr);
}

Result<Bytes> MakeCaCsr(const Signer& signer, const std::string& common_name) {
  OpenSslPtr<STACK_OF(X509_EXTENSION)> exts(sk_X509_EXTENSION_new_null());
  if (!exts) return std::unexpected(OpenSslError(ErrorCode::kInternal, "crypto.openssl", "sk"));
  for (auto [nid, value] : {std::pair{NID_basic_constraints, "critical,CA:TRUE,pathlen:0"},
                            std::pair{NID_key_usage, "critical,keyCertSign,cRLSign"}}) {
    auto ext = internal::MakeExtension(nid, value);
    if (!ext) return Fail(ext.error());
    if (sk_X509_EXTENSION_push(exts.get(), ext->get()) <= 0) {
      return std::unexpected(OpenSslError(ErrorCode::kInternal, "crypto.openssl", "sk_push"));
    }
    ext->release();
  }
  return BuildRequest(signer, common_name, exts.get());
}

}  // namespace edgetrust::certs
