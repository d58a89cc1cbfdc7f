// Single use, expiry, tombstones and capacity of the in-memory challenge store (THREATS E7).
#include "enrollment/service/challenge_store.h"

#include <gtest/gtest.h>

namespace edgetrust::enrollment::service {
namespace {

PendingChallenge Challenge(std::time_t expires_at) {
  PendingChallenge c;
  c.secret = SecretBytes::CopyFrom(Bytes(32, 1));
  c.nonce = Bytes(32, 2);
  c.registration_id = "device-1";
  c.expires_at = expires_at;
  return c;
}

void ExpectError(const Status& s, ErrorCode code, const std::string& reason) {
  ASSERT_FALSE(s.has_value()) << "expected " << reason;
  EXPECT_EQ(s.error().code, code);
  EXPECT_EQ(s.error().reason, reason);
}

template <typename T>
void ExpectError(const Result<T>& r, ErrorCode code, const std::string& reason) {
  ASSERT_FALSE(r.has_value()) << "expected " << reason;
  EXPECT_EQ(r.error().code, code);
  EXPECT_EQ(r.error().reason, reason);
}

TEST(ChallengeStoreTest, TakeIsSingleUseAndReplayIsUsed) {
  InMemoryChallengeStore store(10);
  const Bytes id(16, 0xaa);
  ASSERT_TRUE(store.Put(id, Challenge(160), 100).has_value());
  auto taken = store.Take(id, 110);
  ASSERT_TRUE(taken.has_value());
  EXPECT_EQ(taken->registration_id, "device-1");
  EXPECT_EQ(taken->secret.size(), 32u);
  ExpectError(store.Take(id, 111), ErrorCode::kFailedPrecondition, "challenge.used");
  // After the challenge's expiry the tombstone may go; the id stays refused.
  auto later = store.Take(id, 1000);
  EXPECT_FALSE(later.has_value());
}

TEST(ChallengeStoreTest, UnknownAndExpired) {
  InMemoryChallengeStore store(10);
  ExpectError(store.Take(Bytes(16, 1), 100), ErrorCode::kNotFound, "challenge.unknown");
  ASSERT_TRUE(store.Put(Bytes(16, 2), Challenge(160), 100).has_value());
  ExpectError(store.Take(Bytes(16, 2), 160), ErrorCode::kFailedPrecondition, "challenge.expired");
  // An expired challenge is gone after the attempt.
  EXPECT_FALSE(store.Take(Bytes(16, 2), 161).has_value());
}

TEST(ChallengeStoreTest, CapacityIsBoundedAndSweepsExpired) {
  InMemoryChallengeStore store(2);
  ASSERT_TRUE(store.Put(Bytes(16, 1), Challenge(160), 100).has_value());
  ASSERT_TRUE(store.Put(Bytes(16, 2), Challenge(170), 100).has_value());
  ExpectError(store.Put(Bytes(16, 3), Challenge(170), 101), ErrorCode::kResourceExhausted,
              "challenge.capacity");
  // Once the first one expired, there is room again.
  EXPECT_TRUE(store.Put(Bytes(16, 3), Challenge(200), 165).has_value());
  EXPECT_EQ(store.pending_count(), 2u);
  ExpectError(store.Put(Bytes(16, 3), Challenge(200), 165), ErrorCode::kResourceExhausted,
              "challenge.capacity");
}

TEST(ChallengeStoreTest, ReusedIdIsRefused) {
  InMemoryChallengeStore store(10);
  ASSERT_TRUE(store.Put(Bytes(16, 1), Challenge(160), 100).has_value());
  ExpectError(store.Put(Bytes(16, 1), Challenge(160), 100), ErrorCode::kAlreadyExists,
              "challenge.exists");
  ASSERT_TRUE(store.Take(Bytes(16, 1), 100).has_value());
  ExpectError(store.Put(Bytes(16, 1), Challenge(160), 100), ErrorCode::kAlreadyExists,
              "challenge.exists");
}

}  // namespace
}  // namespace edgetrust::enrollment::service
