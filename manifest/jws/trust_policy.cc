#include "manifest/jws/trust_policy.h"

#include <openssl/err.h>
#include <openssl/pem.h>

#include <cstring>

#include "common/openssl.h"

namespace edgetrust::manifest::jws {
namespace {

std::unexpected<Error> BadCrl(std::string message) {
  return Fail(ErrorCode::kInvalidArgument, "policy.bad_crl", std::move(message));
}

Result<Bytes> CrlDer(X509_CRL* crl) {
  unsigned char* out = nullptr;
  const int len = i2d_X509_CRL(crl, &out);
  if (len <= 0) return Fail(OpenSslError(ErrorCode::kInternal, "crypto.openssl", "i2d_X509_CRL"));
  Bytes der(out, out + len);
  OPENSSL_free(out);
  return der;
}

}  // namespace

Result<std::vector<certs::Certificate>> RootsFromPem(std::string_view pem) {
  auto roots = certs::Certificate::ChainFromPem(pem);
  if (!roots) {
    return Fail(ErrorCode::kInvalidArgument, "policy.bad_root",
                "root bundle: " + roots.error().message);
  }
  return roots;
}

Result<std::vector<Bytes>> CrlsFromPemOrDer(ByteView data) {
  static constexpr char kPemMarker[] = "-----BEGIN X509 CRL-----";
  const std::string_view text(reinterpret_cast<const char*>(data.data()), data.size());
  std::vector<Bytes> out;
  if (text.find(kPemMarker) == std::string_view::npos) {
    const unsigned char* p = data.data();
    OpenSslPtr<X509_CRL> crl(d2i_X509_CRL(nullptr, &p, static_cast<long>(data.size())));
    if (!crl || p != data.data() + data.size()) {
      ERR_clear_error();
      return BadCrl("not one DER CRL");
    }
    auto der = CrlDer(crl.get());
    if (!der) return Fail(der.error());
    out.push_back(std::move(*der));
    return out;
  }
  OpenSslPtr<BIO> bio(BIO_new_mem_buf(data.data(), static_cast<int>(data.size())));
  if (!bio) return Fail(OpenSslError(ErrorCode::kInternal, "crypto.openssl", "BIO_new_mem_buf"));
  while (true) {
    OpenSslPtr<X509_CRL> crl(PEM_read_bio_X509_CRL(bio.get(), nullptr, nullptr, nullptr));
    if (!crl) break;
    auto der = CrlDer(crl.get());
    if (!der) return Fail(der.error());
    out.push_back(std::move(*der));
  }
  // The loop ends at end of input (PEM_R_NO_START_LINE) or at a block that does not parse.
  const unsigned long last = ERR_peek_last_error();
  ERR_clear_error();
  if (ERR_GET_REASON(last) != PEM_R_NO_START_LINE) return BadCrl("a PEM CRL does not parse");
  if (out.empty()) return BadCrl("no X509 CRL block");
  return out;
}

}  // namespace edgetrust::manifest::jws
