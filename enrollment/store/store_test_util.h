// Test helpers for the store tests: a private temporary directory and record builders.
#ifndef EDGETRUST_ENROLLMENT_STORE_STORE_TEST_UTIL_H_
#define EDGETRUST_ENROLLMENT_STORE_STORE_TEST_UTIL_H_

#include <gtest/gtest.h>
#include <stdlib.h>

#include <cstdio>
#include <filesystem>
#include <optional>
#include <string>

#include "common/error.h"
#include "enrollment/store/records.h"

namespace edgetrust::enrollment::store::testing {

// TempDirTest gives each test an empty private directory, removed afterwards.
class TempDirTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/edgetrust-store-test-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string DbPath() const { return dir_ + "/registry.db"; }
  std::string dir_;
};

// Ek returns a well-formed EK digest (64 lowercase hex digits) that differs per `n`.
inline std::string Ek(int n) {
  char buf[65];
  std::snprintf(buf, sizeof buf, "%064x", n);
  return buf;
}

inline AuditRecord Audit(const std::string& action, const std::string& subject,
                         const std::string& outcome = "ok", const std::string& reason = "ok") {
  AuditRecord a;
  a.time = 1700000000;
  a.actor = "operator:test";
  a.action = action;
  a.subject = subject;
  a.outcome = outcome;
  a.reason = reason;
  a.details = R"({"note":"test"})";
  return a;
}

inline Device MakeDevice(const std::string& id, int ek) {
  Device d;
  d.device_id = id;
  d.ek_digest_hex = Ek(ek);
  d.ak_public_b64 = "AK-" + id;
  d.enrollment = "individual";
  d.tpm_clock = 1000;
  d.tpm_reset_count = 1;
  d.tpm_restart_count = 2;
  d.created_at = 1700000000;
  d.updated_at = 1700000000;
  return d;
}

inline IssuedCertificate MakeCert(const std::string& serial, const std::string& device_id) {
  IssuedCertificate c;
  c.serial = serial;
  c.device_id = device_id;
  c.not_before = 1700000000;
  c.not_after = 1700000000 + 86400;
  c.issued_at = 1700000000;
  return c;
}

// Filter builds an AuditQuery (designated initializers would trip -Wmissing-field-initializers).
inline AuditQuery Filter(std::optional<std::string> subject = {},
                         std::optional<std::string> action = {},
                         std::optional<std::string> outcome = {}, int64_t after_sequence = 0,
                         int limit = 100) {
  AuditQuery q;
  q.subject = std::move(subject);
  q.action = std::move(action);
  q.outcome = std::move(outcome);
  q.after_sequence = after_sequence;
  q.limit = limit;
  return q;
}

// ExpectError checks both the code and the stable reason of a failed result.
template <typename R>
void ExpectError(const R& r, ErrorCode code, const std::string& reason) {
  ASSERT_FALSE(r.has_value()) << "expected " << reason;
  EXPECT_EQ(r.error().code, code) << r.error().ToString();
  EXPECT_EQ(r.error().reason, reason) << r.error().ToString();
}

}  // namespace edgetrust::enrollment::store::testing

#endif  // EDGETRUST_ENROLLMENT_STORE_STORE_TEST_UTIL_H_
