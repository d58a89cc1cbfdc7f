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

TEST(NonceStoreTest, FullStoreEvictsTheOldestOutstandingNonce) {
  InMemoryNonceStore store(2, std::chrono::seconds(300));
  auto oldest = store.Issue(100);
  auto middle = store.Issue(101);
  ASSERT_TRUE(oldest.has_value());
  ASSERT_TRUE(middle.has_value());
  auto newest = store.Issue(102);  // full: evicts `oldest`, never refuses
  ASSERT_TRUE(newest.has_value());
  auto evicted = store.Consume(*oldest, 103);
  ASSERT_FALSE(evicted.has_value());
  EXPECT_EQ(evicted.error().code, ErrorCode::kPermissionDenied);
  EXPECT_EQ(evicted.error().reason, "jws.bad_nonce");
  EXPECT_TRUE(store.Consume(*middle, 103).has_value());
  EXPECT_TRUE(store.Consume(*newest, 103).has_value());
}

TEST(NonceStoreTest, FloodDoesNotBlockARenewal) {
  // A flood of GET /v1/ca answers fills the store; an honest client retries once after
  // "jws.bad_nonce" with the nonce of that answer, and succeeds.
  InMemoryNonceStore store(64, std::chrono::seconds(300));
  auto honest = store.Issue(100);
  ASSERT_TRUE(honest.has_value());
  for (int i = 0; i < 10'000; ++i) ASSERT_TRUE(store.Issue(100).has_value());
  auto first = store.Consume(*honest, 101);
  ASSERT_FALSE(first.has_value());
  EXPECT_EQ(first.error().reason, "jws.bad_nonce");
  auto retry = store.Issue(101);  // the Replay-Nonce of the badNonce answer
  ASSERT_TRUE(retry.has_value());
  EXPECT_TRUE(store.Consume(*retry, 102).has_value());
}

TEST(NonceStoreTest, ExpiredNoncesGoFirst) {
  InMemoryNonceStore store(2, std::chrono::seconds(10));
  ASSERT_TRUE(store.Issue(100).has_value());
  auto live = store.Issue(200);
  ASSERT_TRUE(live.has_value());
  ASSERT_TRUE(store.Issue(205).has_value());  // evicts the expired one, keeps `live`
  EXPECT_TRUE(store.Consume(*live, 206).has_value());
}

}  // namespace
}  // namespace edgetrust::enrollment::service
