#include "enrollment/server/routes.h"

#include <gtest/gtest.h>

#include <set>

namespace edgetrust::enrollment::server {
namespace {

TEST(RoutesTest, MatchPathCapturesParameters) {
  auto p = MatchPath("/v1/devices/{id}/renew", "/v1/devices/device-0001/renew");
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->at("id"), "device-0001");
  EXPECT_TRUE(MatchPath("/v1/ca", "/v1/ca").has_value());
}

TEST(RoutesTest, MatchPathRejectsOtherShapes) {
  EXPECT_FALSE(MatchPath("/v1/devices/{id}/renew", "/v1/devices//renew").has_value());
  EXPECT_FALSE(MatchPath("/v1/devices/{id}/renew", "/v1/devices/a/b/renew").has_value());
  EXPECT_FALSE(MatchPath("/v1/ca", "/v1/ca/").has_value());
  EXPECT_FALSE(MatchPath("/v1/ca", "/v1/cab").has_value());
  EXPECT_FALSE(MatchPath("/v1/ca", "v1/ca").has_value());
  EXPECT_FALSE(MatchPath("/v1/ca", "").has_value());
}

TEST(RoutesTest, TablesHaveNoDuplicates) {
  for (const auto* table : {&DeviceRoutes(), &OperatorRoutes()}) {
    std::set<std::string> seen;
    for (const Route& r : *table) {
      EXPECT_TRUE(seen.insert(r.method + " " + r.path).second) << r.method << " " << r.path;
      EXPECT_FALSE(r.name.empty());
    }
  }
}

}  // namespace
}  // namespace edgetrust::enrollment::server
