// Replay-Nonces: single use, expiry, bounded (THREATS E15).
#include "enrollment/service/nonce_store.h"

#include <gtest/gtest.h>

#include "enrollment/api/wire.h"

namespace edgetrust::enrollment::service {
namespace {

TEST(NonceStoreTest, IssuedNonceIsUsableOnce) {
  InMemoryNonceStore store(10, std::chrono::seconds(300));
  auto nonce = store.Issue(100);
  ASSERT_TRUE(nonce.has_value());
  auto bytes = api::Base64UrlDecode(*nonce);
  ASSERT_TRUE(bytes.has_value());
  EXPECT_EQ(bytes->size(), 16u);
  EXPECT_TRUE(store.Consume(*nonce, 200).has_value());
  auto again = store.Consume(*nonce, 201);
  ASSERT_FALSE(again.has_value());
  EXPECT_EQ(again.error().reason, "jws.bad_nonce");
  EXPECT_EQ(again.error().code, ErrorCode::kPermissionDenied);
}

TEST(NonceStoreTest, UnknownAndExpiredAreRefused) {
  InMemoryNonceStore store(10, std::chrono::seconds(300));
  EXPECT_EQ(store.Consume("AAAAAAAAAAAAAAAAAAAAAA", 100).error().reason, "jws.bad_nonce");
  EXPECT_EQ(store.Consume("", 100).error().reason, "jws.bad_nonce");
  auto nonce = store.Issue(100);
  ASSERT_TRUE(nonce.has_value());
  EXPECT_EQ(store.Consume(*nonce, 400).error().reason, "jws.bad_nonce");
}

TEST(NonceStoreTest, CapacityIsBounded) {
  InMemoryNonceStore store(2, std::chrono::seconds(300));
  ASSERT_TRUE(store.Issue(100).has_value());
  ASSERT_TRUE(store.Issue(100).has_value());
  auto full = store.Issue(101);
  ASSERT_FALSE(full.has_value());
  EXPECT_EQ(full.error().reason, "nonce.capacity");
  EXPECT_EQ(full.error().code, ErrorCode::kResourceExhausted);
  EXPECT_TRUE(store.Issue(400).has_value());  // the old ones expired
}

}  // namespace
}  // namespace edgetrust::enrollment::service
