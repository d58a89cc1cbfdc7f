#include "certs/chain.h"

#include <openssl/err.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include <cstring>

#include "common/openssl.h"

namespace edgetrust::certs {
namespace {

constexpr char kTcgEkCertificate[] = "2.23.133.8.1";

std::unexpected<Error> Denied(std::string reason, std::string message, uint64_t native = 0) {
  return Fail(ErrorCode::kPermissionDenied, std::move(reason), std::move(message), native);
}

std::string_view ReasonFor(int err) {
  switch (err) {
    case X509_V_ERR_CERT_HAS_EXPIRED:
      return "chain.expired";
    case X509_V_ERR_CERT_NOT_YET_VALID:
      return "chain.not_yet_valid";
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
    case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
    case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
    case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
    case X509_V_ERR_CERT_SIGNATURE_FAILURE:
      return "chain.untrusted";
    case X509_V_ERR_INVALID_CA:
    case X509_V_ERR_INVALID_PURPOSE:
    case X509_V_ERR_KEYUSAGE_NO_CERTSIGN:
    case X509_V_ERR_PATH_LENGTH_EXCEEDED:
      return "chain.bad_key_usage";
    case X509_V_ERR_UNHANDLED_CRITICAL_EXTENSION:
    case X509_V_ERR_INVALID_EXTENSION:
      return "chain.bad_extension";
    default:
      return "chain.invalid";
  }
}

bool HasEkuOid(X509* x, const char* oid) {
  OpenSslPtr<EXTENDED_KEY_USAGE> eku(
      static_cast<EXTENDED_KEY_USAGE*>(X509_get_ext_d2i(x, NID_ext_key_usage, nullptr, nullptr)));
  for (int i = 0; eku && i < sk_ASN1_OBJECT_num(eku.get()); ++i) {
    char text[80];
    if (OBJ_obj2txt(text, sizeof(text), sk_ASN1_OBJECT_value(eku.get(), i), 1) > 0 &&
        std::strcmp(text, oid) == 0) {
      return true;
    }
  }
  return false;
}

Status CheckLeafProfile(X509* leaf, ChainProfile profile) {
  uint32_t flags = X509_get_extension_flags(leaf);
  if ((flags & EXFLAG_CA) != 0) return Denied("chain.bad_key_usage", "the leaf is a CA");
  bool has_ku = (flags & EXFLAG_KUSAGE) != 0;
  uint32_t ku = X509_get_key_usage(leaf);
  if (profile == ChainProfile::kEkCredential) {
    int type = EVP_PKEY_get_base_id(X509_get0_pubkey(leaf));
    uint32_t needed = type == EVP_PKEY_RSA ? KU_KEY_ENCIPHERMENT : KU_KEY_AGREEMENT;
    if (!has_ku || (ku & needed) == 0) {
      return Denied("chain.bad_key_usage",
                    "EK certificate keyUsage lacks keyEncipherment (RSA) / keyAgreement (ECC)");
    }
    if ((flags & EXFLAG_XKUSAGE) != 0 && !HasEkuOid(leaf, kTcgEkCertificate)) {
      return Denied("chain.bad_key_usage", "EK certificate EKU lacks tcg-kp-EKCertificate");
    }
    return Ok();
  }
  if ((flags & EXFLAG_XKUSAGE) == 0 || (X509_get_extended_key_usage(leaf) & XKU_SSL_CLIENT) == 0) {
    return Denied("chain.bad_key_usage", "the leaf has no EKU clientAuth");
  }
  if (profile == ChainProfile::kDeviceIdentity && !has_ku) {
    return Denied("chain.bad_key_usage", "device identity certificate without keyUsage");
  }
  if (has_ku && (ku & KU_DIGITAL_SIGNATURE) == 0) {
    return Denied("chain.bad_key_usage", "the leaf keyUsage lacks digitalSignature");
  }
  return Ok();
}

}  // namespace

Status VerifyChain(const Certificate& leaf, std::span<const Certificate> intermediates,
                   std::span<const Certificate> roots, ChainProfile profile, std::time_t at) {
  X509* leaf_x = leaf.get0_x509();
  if (X509_check_issued(leaf_x, leaf_x) == X509_V_OK) {
    return Denied("chain.untrusted", "the leaf is self-signed");
  }
  OpenSslPtr<X509_STORE> store(X509_STORE_new());
  OpenSslPtr<STACK_OF(X509)> untrusted(sk_X509_new_null());
  OpenSslPtr<X509_STORE_CTX> ctx(X509_STORE_CTX_new());
  if (!store || !untrusted || !ctx) {
    return std::unexpected(OpenSslError(ErrorCode::kInternal, "crypto.openssl", "X509_STORE"));
  }
  for (const Certificate& root : roots) {
    if (X509_STORE_add_cert(store.get(), root.get0_x509()) != 1) {
      return std::unexpected(
          OpenSslError(ErrorCode::kInternal, "crypto.openssl", "X509_STORE_add_cert"));
    }
  }
  for (const Certificate& cert : intermediates) {
    if (X509_add_cert(untrusted.get(), cert.get0_x509(), X509_ADD_FLAG_UP_REF) != 1) {
      return std::unexpected(OpenSslError(ErrorCode::kInternal, "crypto.openssl", "X509_add_cert"));
    }
  }
  if (X509_STORE_CTX_init(ctx.get(), store.get(), leaf_x, untrusted.get()) != 1) {
    return std::unexpected(
        OpenSslError(ErrorCode::kInternal, "crypto.openssl", "X509_STORE_CTX_init"));
  }
  X509_STORE_CTX_set_time(ctx.get(), 0, at);
  if (profile != ChainProfile::kEkCredential &&
      X509_STORE_CTX_set_purpose(ctx.get(), X509_PURPOSE_SSL_CLIENT) != 1) {
    return std::unexpected(OpenSslError(ErrorCode::kInternal, "crypto.openssl", "set_purpose"));
  }
  if (X509_verify_cert(ctx.get()) != 1) {
    int err = X509_STORE_CTX_get_error(ctx.get());
    ERR_clear_error();
    return Denied(std::string(ReasonFor(err)),
                  std::string("certificate chain rejected: ") + X509_verify_cert_error_string(err) +
                      " at depth " + std::to_string(X509_STORE_CTX_get_error_depth(ctx.get())),
                  static_cast<uint64_t>(err));
  }
  return CheckLeafProfile(leaf_x, profile);
}

}  // namespace edgetrust::certs
