#include "enrollment/server/tls_key.h"

#include <gtest/gtest.h>

namespace edgetrust::enrollment::server {
namespace {

TEST(TlsKeyTest, ParsesTokenObjectAndId) {
  auto uri = ParsePkcs11KeyUri("pkcs11:token=edge%20trust;object=tls;id=%01%ff;type=private");
  ASSERT_TRUE(uri.has_value()) << uri.error().ToString();
  EXPECT_EQ(uri->token, "edge trust");
  EXPECT_EQ(uri->label, "tls");
  ASSERT_TRUE(uri->id.has_value());
  EXPECT_EQ(*uri->id, (Bytes{0x01, 0xff}));
}

TEST(TlsKeyTest, RejectsBadUris) {
  for (const char* bad : {
           "file:/etc/key.pem",                         // not PKCS#11
           "pkcs11:object=tls",                         // no token
           "pkcs11:token=t",                            // no object or id
           "pkcs11:token=t;object=tls?pin-value=1234",  // PIN in the URI
           "pkcs11:token=t;object=tls;type=cert",       // not a private key
           "pkcs11:token=t;object=tls;slot-id=3",       // unsupported attribute
           "pkcs11:token=t;object=%4",                  // truncated escape
           "pkcs11:token=t;object=%zz",                 // bad escape
           "pkcs11:token=t;objecttls",                  // no '='
       }) {
    auto uri = ParsePkcs11KeyUri(bad);
    ASSERT_FALSE(uri.has_value()) << bad;
    EXPECT_EQ(uri.error().code, ErrorCode::kInvalidArgument) << bad;
    EXPECT_EQ(uri.error().reason, "tls.bad_key_uri") << bad;
  }
}

TEST(TlsKeyTest, MissingModuleIsUnavailable) {
  auto key = TlsKey::Open("/nonexistent/libpkcs11.so", "pkcs11:token=t;object=tls",
                          SecretBytes::CopyFrom(Bytes{'1', '2'}));
  ASSERT_FALSE(key.has_value());
  EXPECT_EQ(key.error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(key.error().reason, "pkcs11.module");
}

}  // namespace
}  // namespace edgetrust::enrollment::server
