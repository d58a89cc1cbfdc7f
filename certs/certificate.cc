#include "certs/certificate.h"

#include <openssl/asn1.h>
#include <openssl/err.h>
#include <openssl/pem.h>

#include <cctype>

#include "common/openssl.h"

namespace edgetrust::certs {
namespace {

std::unexpected<Error> Malformed(std::string message) {
  return Fail(ErrorCode::kInvalidArgument, "cert.malformed", std::move(message));
}

std::string NameText(const X509_NAME* name) {
  OpenSslPtr<BIO> bio(BIO_new(BIO_s_mem()));
  if (!bio || X509_NAME_print_ex(bio.get(), name, 0, XN_FLAG_RFC2253) < 0) return "";
  char* data = nullptr;
  long len = BIO_get_mem_data(bio.get(), &data);
  return len > 0 ? std::string(data, static_cast<size_t>(len)) : std::string();
}

std::time_t AsnTime(const ASN1_TIME* t) {
  std::tm tm{};
  if (ASN1_TIME_to_tm(t, &tm) != 1) return 0;
  return timegm(&tm);
}

}  // namespace

Result<Certificate> Certificate::FromDer(ByteView der) {
  const unsigned char* p = der.data();
  X509* raw = d2i_X509(nullptr, &p, static_cast<long>(der.size()));
  std::shared_ptr<x509_st> x509(raw, X509_free);
  if (raw == nullptr) {
    ERR_clear_error();
    return Malformed("not a DER X.509 certificate");
  }
  if (p != der.data() + der.size()) return Malformed("trailing bytes after the certificate");
  return Certificate(std::move(x509), Bytes(der.begin(), der.end()));
}

Result<std::vector<Certificate>> Certificate::ChainFromPem(std::string_view pem) {
  OpenSslPtr<BIO> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio) return std::unexpected(OpenSslError(ErrorCode::kInternal, "crypto.openssl", "BIO"));
  std::vector<Certificate> out;
  for (;;) {
    OpenSslPtr<X509> x509(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
    if (!x509) break;
    int len = i2d_X509(x509.get(), nullptr);
    if (len <= 0) return Malformed("cannot encode certificate");
    Bytes der(static_cast<size_t>(len));
    unsigned char* p = der.data();
    i2d_X509(x509.get(), &p);
    out.push_back(Certificate(std::shared_ptr<x509_st>(x509.release(), X509_free), std::move(der)));
  }
  ERR_clear_error();  // the loop ends on "no start line"
  if (out.empty()) return Malformed("no PEM CERTIFICATE block");
  return out;
}

Result<Certificate> Certificate::FromPem(std::string_view pem) {
  auto chain = ChainFromPem(pem);
  if (!chain) return Fail(chain.error());
  return std::move(chain->front());
}

Result<std::string> Certificate::ToPem() const {
  OpenSslPtr<BIO> bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_X509(bio.get(), x509_.get()) != 1) {
    return std::unexpected(OpenSslError(ErrorCode::kInternal, "crypto.openssl", "PEM_write"));
  }
  char* data = nullptr;
  long len = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(len));
}

std::string Certificate::subject() const { return NameText(X509_get_subject_name(x509_.get())); }
std::string Certificate::issuer() const { return NameText(X509_get_issuer_name(x509_.get())); }
std::time_t Certificate::not_before() const { return AsnTime(X509_get0_notBefore(x509_.get())); }
std::time_t Certificate::not_after() const { return AsnTime(X509_get0_notAfter(x509_.get())); }

std::string Certificate::SerialHex() const {
  OpenSslPtr<BIGNUM> bn(ASN1_INTEGER_to_BN(X509_get0_serialNumber(x509_.get()), nullptr));
  if (!bn) return "";
  char* hex = BN_bn2hex(bn.get());
  std::string out = hex != nullptr ? hex : "";
  OPENSSL_free(hex);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

Result<PublicKey> Certificate::public_key() const {
  EVP_PKEY* key = X509_get_pubkey(x509_.get());  // get1: one reference for us
  if (key == nullptr) return Malformed("certificate public key does not parse");
  return PublicKey::Adopt(key);
}

}  // namespace edgetrust::certs
