#include "manifest/jws/signer_trust.h"

#include <openssl/err.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include <cstring>

#include "common/openssl.h"
#include "manifest/jws/envelope.h"

namespace edgetrust::manifest::jws::internal {
namespace {

using CrlList = std::vector<std::shared_ptr<X509_CRL>>;

std::unexpected<Error> Denied(std::string reason, std::string message, uint64_t native = 0) {
  return Fail(ErrorCode::kPermissionDenied, std::move(reason), std::move(message), native);
}

std::unexpected<Error> BadPolicy(std::string reason, std::string message) {
  return Fail(ErrorCode::kInvalidArgument, std::move(reason), std::move(message));
}

bool HasEku(X509* x, const std::string& oid) {
  OpenSslPtr<EXTENDED_KEY_USAGE> eku(
      static_cast<EXTENDED_KEY_USAGE*>(X509_get_ext_d2i(x, NID_ext_key_usage, nullptr, nullptr)));
  for (int i = 0; eku && i < sk_ASN1_OBJECT_num(eku.get()); ++i) {
    char text[80];
    if (OBJ_obj2txt(text, sizeof(text), sk_ASN1_OBJECT_value(eku.get(), i), 1) > 0 && oid == text) {
      return true;
    }
  }
  return false;
}

Status CheckProfile(const certs::Certificate& leaf, const std::string& eku) {
  X509* x = leaf.get0_x509();
  const uint32_t flags = X509_get_extension_flags(x);
  if ((flags & EXFLAG_INVALID) != 0) return Denied("jws.signer_profile", "invalid extensions");
  if ((flags & EXFLAG_CA) != 0) return Denied("jws.signer_profile", "the signer is a CA");
  if ((flags & EXFLAG_KUSAGE) == 0 || (X509_get_key_usage(x) & KU_DIGITAL_SIGNATURE) == 0) {
    return Denied("jws.signer_profile", "the signer's keyUsage lacks digitalSignature");
  }
  if (!HasEku(x, eku)) {
    return Denied("jws.signer_profile", "the signer lacks the EKU " + eku);
  }
  auto key = leaf.public_key();
  if (!key) return Denied("jws.signer_profile", "the signer's key is not supported");
  const bool strong = (key->type() == KeyType::kRsa && key->bits() >= 2048) ||
                      key->type() == KeyType::kEcP256 || key->type() == KeyType::kEcP384;
  if (!strong) return Denied("jws.signer_profile", "the signer's key is weak or unsupported");
  return Ok();
}

bool CrlCurrentAt(X509_CRL* crl, std::time_t now) {
  const ASN1_TIME* next = X509_CRL_get0_nextUpdate(crl);
  return !(X509_cmp_time(X509_CRL_get0_lastUpdate(crl), &now) > 0 || next == nullptr ||
           X509_cmp_time(next, &now) <= 0);
}

// CheckRevocation looks at each certificate of the verified path below the root and adds each
// CRL it applies to `applied`.
Status CheckRevocation(STACK_OF(X509) * path, const CrlList& crls, std::time_t now,
                       CrlList& applied) {
  const int n = sk_X509_num(path);
  for (int depth = 0; depth + 1 < n; ++depth) {
    X509* cert = sk_X509_value(path, depth);
    X509* issuer = sk_X509_value(path, depth + 1);
    for (const auto& crl : crls) {
      if (X509_NAME_cmp(X509_CRL_get_issuer(crl.get()), X509_get_subject_name(issuer)) != 0) {
        continue;
      }
      const std::string at = " (depth " + std::to_string(depth) + ")";
      if (X509_CRL_verify(crl.get(), X509_get0_pubkey(issuer)) != 1) {
        ERR_clear_error();
        return Denied("jws.crl_invalid", "a CRL naming the issuer is not signed by it" + at);
      }
      if (!CrlCurrentAt(crl.get(), now)) {
        return Denied("jws.crl_stale", "the CRL of the issuer is not current" + at);
      }
      X509_REVOKED* revoked = nullptr;
      if (X509_CRL_get0_by_serial(crl.get(), &revoked, X509_get0_serialNumber(cert)) == 1) {
        return Denied("jws.signer_revoked", "certificate revoked" + at);
      }
      applied.push_back(crl);
    }
  }
  return Ok();
}

// IsDottedOid: two or more arcs of decimal digits separated by single dots, that OpenSSL reads.
bool IsDottedOid(const std::string& oid) {
  size_t arcs = 0;
  size_t digits = 0;
  for (char c : oid) {
    if (c >= '0' && c <= '9') {
      ++digits;
    } else if (c == '.' && digits > 0) {
      ++arcs;
      digits = 0;
    } else {
      return false;
    }
  }
  if (digits == 0 || arcs < 1) return false;
  OpenSslPtr<ASN1_OBJECT> obj(OBJ_txt2obj(oid.c_str(), /*no_name=*/1));
  ERR_clear_error();
  return obj != nullptr;
}

}  // namespace

bool TrustEvidence::CurrentAt(std::time_t now) const {
  for (const auto& x : path) {
    // X509_verify_cert: not yet valid when notBefore > now, expired when notAfter <= now; an
    // unreadable time (0) fails either way.
    if (X509_cmp_time(X509_get0_notBefore(x.get()), &now) != -1 ||
        X509_cmp_time(X509_get0_notAfter(x.get()), &now) != 1) {
      return false;
    }
  }
  for (const auto& crl : crls) {
    if (!CrlCurrentAt(crl.get(), now)) return false;
  }
  return true;
}

Result<SignerTrust> SignerTrust::Create(const TrustPolicy& policy) {
  if (policy.roots.empty()) return BadPolicy("policy.bad_root", "no pinned root");
  for (const certs::Certificate& root : policy.roots) {
    X509* x = root.get0_x509();
    if (X509_check_issued(x, x) != X509_V_OK || X509_check_ca(x) == 0) {
      return BadPolicy("policy.bad_root",
                       "pinned root " + root.subject() + " is not a self-signed CA certificate");
    }
  }
  if (!IsDottedOid(policy.signer_eku)) {
    return BadPolicy("policy.bad_eku", "signer_eku must be a dotted OID");
  }
  if (policy.min_signers < 1 || policy.min_signers > kMaxSignatures) {
    return BadPolicy("policy.bad_min_signers",
                     "min_signers must be 1 to " + std::to_string(kMaxSignatures));
  }
  SignerTrust trust;
  trust.roots_ = policy.roots;
  trust.store_.reset(X509_STORE_new(), X509_STORE_free);
  if (!trust.store_) {
    return Fail(OpenSslError(ErrorCode::kInternal, "crypto.openssl", "X509_STORE_new"));
  }
  for (const certs::Certificate& root : trust.roots_) {
    if (X509_STORE_add_cert(trust.store_.get(), root.get0_x509()) != 1) {
      return Fail(OpenSslError(ErrorCode::kInternal, "crypto.openssl", "X509_STORE_add_cert"));
    }
  }
  trust.eku_ = policy.signer_eku;
  trust.min_signers_ = policy.min_signers;
  for (const Bytes& der : policy.crls) {
    const unsigned char* p = der.data();
    std::shared_ptr<X509_CRL> crl(d2i_X509_CRL(nullptr, &p, static_cast<long>(der.size())),
                                  X509_CRL_free);
    if (!crl || p != der.data() + der.size()) {
      ERR_clear_error();
      return BadPolicy("policy.bad_crl", "a CRL does not parse");
    }
    trust.crls_.push_back(std::move(crl));
  }
  return trust;
}

Result<TrustEvidence> SignerTrust::CheckSigner(const certs::Certificate& leaf,
                                               std::span<const certs::Certificate> intermediates,
                                               std::time_t now) const {
  X509* leaf_x = leaf.get0_x509();
  if (X509_check_issued(leaf_x, leaf_x) == X509_V_OK) {
    return Denied("jws.untrusted_chain", "the signer certificate is self-issued");
  }
  OpenSslPtr<STACK_OF(X509)> untrusted(sk_X509_new_null());
  OpenSslPtr<X509_STORE_CTX> ctx(X509_STORE_CTX_new());
  if (!untrusted || !ctx) {
    return Fail(OpenSslError(ErrorCode::kInternal, "crypto.openssl", "X509_STORE_CTX"));
  }
  for (const certs::Certificate& cert : intermediates) {
    if (X509_add_cert(untrusted.get(), cert.get0_x509(), X509_ADD_FLAG_UP_REF) != 1) {
      return Fail(OpenSslError(ErrorCode::kInternal, "crypto.openssl", "X509_add_cert"));
    }
  }
  if (X509_STORE_CTX_init(ctx.get(), store_.get(), leaf_x, untrusted.get()) != 1) {
    return Fail(OpenSslError(ErrorCode::kInternal, "crypto.openssl", "X509_STORE_CTX_init"));
  }
  X509_STORE_CTX_set_time(ctx.get(), 0, now);
  // leaf + up to kMaxX5c - 1 intermediates + root.
  X509_VERIFY_PARAM_set_depth(X509_STORE_CTX_get0_param(ctx.get()), static_cast<int>(kMaxX5c));
  if (X509_verify_cert(ctx.get()) != 1) {
    const int err = X509_STORE_CTX_get_error(ctx.get());
    ERR_clear_error();
    const bool validity =
        err == X509_V_ERR_CERT_HAS_EXPIRED || err == X509_V_ERR_CERT_NOT_YET_VALID;
    return Denied(validity ? "jws.signer_expired" : "jws.untrusted_chain",
                  std::string("signer chain rejected: ") + X509_verify_cert_error_string(err) +
                      " at depth " + std::to_string(X509_STORE_CTX_get_error_depth(ctx.get())),
                  static_cast<uint64_t>(err));
  }
  if (auto profile = CheckProfile(leaf, eku_); !profile) return Fail(profile.error());
  STACK_OF(X509)* path = X509_STORE_CTX_get0_chain(ctx.get());
  TrustEvidence evidence;
  if (auto revocation = CheckRevocation(path, crls_, now, evidence.crls); !revocation) {
    return Fail(revocation.error());
  }
  for (int i = 0; i < sk_X509_num(path); ++i) {
    X509* x = sk_X509_value(path, i);
    if (X509_up_ref(x) != 1) {
      return Fail(OpenSslError(ErrorCode::kInternal, "crypto.openssl", "X509_up_ref"));
    }
    evidence.path.emplace_back(x, X509_free);
  }
  return evidence;
}

}  // namespace edgetrust::manifest::jws::internal
