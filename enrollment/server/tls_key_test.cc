// TlsKey without a token: URI and module errors. TlsKey with a real SoftHSM token, next to the
// device-CA signer, is covered by certs_pkcs11_signer_softhsm_test (Pkcs11PrivateKey) and by
// the enrolld e2e tests.
#include "enrollment/server/tls_key.h"

#include <gtest/gtest.h>
#include <stdlib.h>

namespace edgetrust::enrollment::server {
namespace {

certs::Pkcs11Config ConfigFor(const std::string& module, const std::string& uri) {
  setenv("EDGETRUST_TLS_KEY_TEST_PIN", "1234", 1);
  return certs::Pkcs11Config{
      module, uri,
      certs::PinSource{certs::PinSource::Kind::kEnvironment, "EDGETRUST_TLS_KEY_TEST_PIN"}};
}

TEST(TlsKeyTest, RejectsBadUrisBeforeLoadingAnything) {
  for (const char* bad : {
           "file:/etc/key.pem",                         // not PKCS#11
           "pkcs11:object=tls",                         // no token
           "pkcs11:token=t",                            // no object or id
           "pkcs11:token=t;object=tls?pin-value=1234",  // PIN in the URI
           "pkcs11:token=t;object=tls;type=cert",       // not a private key
           "pkcs11:token=t;object=tls;bogus=3",         // unsupported attribute
           "pkcs11:token=t;object=%4",                  // truncated escape
           "pkcs11:token=t;object=%zz",                 // bad escape
       }) {
    auto key = TlsKey::Open(ConfigFor("/nonexistent/libpkcs11.so", bad));
    ASSERT_FALSE(key.has_value()) << bad;
    EXPECT_EQ(key.error().code, ErrorCode::kInvalidArgument) << bad;
    EXPECT_EQ(key.error().reason, "pkcs11.bad_uri") << bad;
  }
}

TEST(TlsKeyTest, MissingModuleIsUnavailable) {
  auto key = TlsKey::Open(ConfigFor("/nonexistent/libpkcs11.so", "pkcs11:token=t;object=tls"));
  ASSERT_FALSE(key.has_value());
  EXPECT_EQ(key.error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(key.error().reason, "pkcs11.module");
}

TEST(TlsKeyTest, MissingPinIsNotFound) {
  certs::Pkcs11Config config = ConfigFor("/nonexistent/libpkcs11.so", "pkcs11:token=t;object=tls");
  config.pin.location = "EDGETRUST_TLS_KEY_TEST_UNSET_PIN";
  auto key = TlsKey::Open(config);
  ASSERT_FALSE(key.has_value());
  EXPECT_EQ(key.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(key.error().reason, "pin.missing");
}

}  // namespace
}  // namespace edgetrust::enrollment::server
