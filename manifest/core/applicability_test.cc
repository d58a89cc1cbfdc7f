// CheckTarget / CheckFreshness / CheckApplies (THREATS M7), table-driven: each row names the
// device, the clock and the expected reason ("" = applies).
#include "manifest/core/applicability.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace edgetrust::manifest {
namespace {

constexpr std::time_t kIssued = 1795600000;  // 2026-11-25T09:46:40Z
constexpr std::time_t kExpires = kIssued + 30 * 86400;

Manifest MakeManifest(std::vector<std::string> ids, std::vector<std::string> tags) {
  Manifest m;
  m.deployment_id = "fleet-a";
  m.version = 42;
  m.issued_at = kIssued;
  m.expires_at = kExpires;
  m.target.device_ids = std::move(ids);
  m.target.tags = std::move(tags);
  return m;
}

struct Case {
  const char* label;
  std::vector<std::string> target_ids;
  std::vector<std::string> target_tags;
  DeviceIdentity device;
  std::time_t now;
  std::string reason;  // "" when the manifest applies
};

void ExpectStatus(const Status& s, const std::string& reason, const char* label) {
  if (reason.empty()) {
    EXPECT_TRUE(s.has_value()) << label << ": " << s.error().ToString();
    return;
  }
  ASSERT_FALSE(s.has_value()) << label << ": expected " << reason;
  EXPECT_EQ(s.error().reason, reason) << label;
  EXPECT_EQ(s.error().code, ErrorCode::kPermissionDenied) << label;
}

TEST(ApplicabilityTest, TargetAndFreshnessTable) {
  const std::time_t mid = kIssued + 86400;
  const std::vector<Case> cases = {
      {"listed device id", {"gw-0001"}, {}, {{"gw-0001"}, {}}, mid, ""},
      {"one of several ids", {"gw-0001", "gw-0002"}, {}, {{"gw-0002"}, {}}, mid, ""},
      {"device known by two ids", {"gw-0002"}, {}, {{"serial-9", "gw-0002"}, {}}, mid, ""},
      {"shared tag", {}, {"line7"}, {{"gw-0009"}, {"line6", "line7"}}, mid, ""},
      {"id no, tag yes", {"gw-0001"}, {"line7"}, {{"gw-0009"}, {"line7"}}, mid, ""},
      {"id yes, tag no", {"gw-0001"}, {"line7"}, {{"gw-0001"}, {"line8"}}, mid, ""},
      {"another device", {"gw-0001"}, {}, {{"gw-0002"}, {}}, mid, "manifest.not_for_device"},
      {"another tag", {}, {"line7"}, {{"gw-0001"}, {"line8"}}, mid, "manifest.not_for_device"},
      {"case differs",
       {"GW-0001"},
       {"Line7"},
       {{"gw-0001"}, {"line7"}},
       mid,
       "manifest.not_for_device"},
      {"prefix is not a match", {"gw-0001"}, {}, {{"gw-000"}, {}}, mid, "manifest.not_for_device"},
      {"tag is not an id", {"line7"}, {}, {{"gw-0001"}, {"line7"}}, mid, "manifest.not_for_device"},
      {"id is not a tag", {}, {"gw-0001"}, {{"gw-0001"}, {}}, mid, "manifest.not_for_device"},
      {"anonymous device", {"gw-0001"}, {"line7"}, {}, mid, "manifest.not_for_device"},
      {"at issuedAt", {"gw-0001"}, {}, {{"gw-0001"}, {}}, kIssued, ""},
      {"one second before expiresAt", {"gw-0001"}, {}, {{"gw-0001"}, {}}, kExpires - 1, ""},
      {"at expiresAt", {"gw-0001"}, {}, {{"gw-0001"}, {}}, kExpires, "manifest.expired"},
      {"long after", {"gw-0001"}, {}, {{"gw-0001"}, {}}, kExpires + 86400, "manifest.expired"},
      {"skew allowed", {"gw-0001"}, {}, {{"gw-0001"}, {}}, kIssued - kMaxIssuedAtSkew, ""},
      {"one second past skew",
       {"gw-0001"},
       {},
       {{"gw-0001"}, {}},
       kIssued - kMaxIssuedAtSkew - 1,
       "manifest.not_yet_valid"},
      {"clock at epoch", {"gw-0001"}, {}, {{"gw-0001"}, {}}, 0, "manifest.not_yet_valid"},
      {"target checked first",
       {"gw-0001"},
       {},
       {{"gw-0002"}, {}},
       kExpires,
       "manifest.not_for_device"},
  };
  for (const Case& c : cases) {
    const Manifest m = MakeManifest(c.target_ids, c.target_tags);
    ExpectStatus(CheckApplies(m, c.device, c.now), c.reason, c.label);
  }
}

TEST(ApplicabilityTest, PartsAreIndependent) {
  const Manifest m = MakeManifest({"gw-0001"}, {});
  // CheckTarget ignores time, CheckFreshness ignores the device.
  ExpectStatus(CheckTarget(m, {{"gw-0001"}, {}}), "", "target only");
  ExpectStatus(CheckTarget(m, {{"gw-0002"}, {}}), "manifest.not_for_device", "target only");
  ExpectStatus(CheckFreshness(m, kIssued + 1), "", "freshness only");
  ExpectStatus(CheckFreshness(m, kExpires), "manifest.expired", "freshness only");
  ExpectStatus(CheckFreshness(m, kIssued - kMaxIssuedAtSkew - 1), "manifest.not_yet_valid",
               "freshness only");
}

TEST(ApplicabilityTest, MessagesNameTheTimesAndTargets) {
  const Manifest m = MakeManifest({"gw-0001"}, {"line7"});
  auto expired = CheckFreshness(m, kExpires);
  ASSERT_FALSE(expired.has_value());
  EXPECT_NE(expired.error().message.find("expired at 2026-12-25T09:46:40Z"), std::string::npos)
      << expired.error().message;
  auto other = CheckTarget(m, {{"gw-0002"}, {"line8"}});
  ASSERT_FALSE(other.has_value());
  EXPECT_NE(other.error().message.find("[gw-0001]"), std::string::npos) << other.error().message;
  EXPECT_NE(other.error().message.find("[gw-0002]"), std::string::npos) << other.error().message;
}

}  // namespace
}  // namespace edgetrust::manifest
