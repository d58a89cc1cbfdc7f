// The [gate] table: every key read, defaults, and each bad value named by file, line and key.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "daemon/config/config.h"
#include "daemon/config/config_test_util.h"

namespace edgetrust::daemon::config {
namespace {

using testing::kBase;
using testing::MarkedLine;

const std::string kGate =
    "[gate]\n"
    "trust_roots = \"/etc/edgetrust/manifest-roots.pem\"\n"
    "staging_dir = \"/var/lib/edgetrust-staging\"\n"
    "store_dir = \"/var/lib/edgetrust-images\"\n";

TEST(GateConfigTest, AbsentMeansDisabled) {
  auto config = ParseDaemonConfig(kBase, "c.toml");
  ASSERT_TRUE(config.has_value()) << config.error().ToString();
  EXPECT_FALSE(config->gate.enabled);
}

TEST(GateConfigTest, MinimalTableGetsTheDefaults) {
  auto config = ParseDaemonConfig(kBase + kGate, "c.toml");
  ASSERT_TRUE(config.has_value()) << config.error().ToString();
  const GateConfig& g = config->gate;
  EXPECT_TRUE(g.enabled);
  EXPECT_EQ(g.trust_roots, "/etc/edgetrust/manifest-roots.pem");
  EXPECT_EQ(g.staging_dir, "/var/lib/edgetrust-staging");
  EXPECT_EQ(g.store_dir, "/var/lib/edgetrust-images");
  EXPECT_TRUE(g.crls.empty());
  EXPECT_EQ(g.min_signers, 1u);
  EXPECT_EQ(g.signer_eku, "1.3.6.1.5.5.7.3.3");
  EXPECT_EQ(g.pcr, 15u);
  EXPECT_EQ(g.nv_index, 0x0100ED6Eu);
  EXPECT_EQ(g.max_version_jump, 100u);
  EXPECT_TRUE(g.tags.empty());
}

TEST(GateConfigTest, ParsesEveryKey) {
  auto config = ParseDaemonConfig(kBase + kGate +
                                      "crls = [\"/a.crl\", \"/b.crl\"]\n"
                                      "min_signers = 2\n"
                                      "signer_eku = \"1.3.6.1.4.1.55555.1\"\n"
                                      "pcr = 14\n"
                                      "nv_index = \"0x01000010\"\n"
                                      "max_version_jump = 5\n"
                                      "tags = [\"line7\", \"eu-west.1\"]\n",
                                  "c.toml");
  ASSERT_TRUE(config.has_value()) << config.error().ToString();
  const GateConfig& g = config->gate;
  EXPECT_EQ(g.crls, (std::vector<std::string>{"/a.crl", "/b.crl"}));
  EXPECT_EQ(g.min_signers, 2u);
  EXPECT_EQ(g.signer_eku, "1.3.6.1.4.1.55555.1");
  EXPECT_EQ(g.pcr, 14u);
  EXPECT_EQ(g.nv_index, 0x01000010u);
  EXPECT_EQ(g.max_version_jump, 5u);
  EXPECT_EQ(g.tags, (std::vector<std::string>{"line7", "eu-west.1"}));
  auto integer = ParseDaemonConfig(kBase + kGate + "nv_index = 16777232\n", "c.toml");
  ASSERT_TRUE(integer.has_value());
  EXPECT_EQ(integer->gate.nv_index, 0x01000010u);
}

TEST(GateConfigTest, GateEndpointsCanBeGranted) {
  auto config = ParseDaemonConfig(
      kBase + std::string("[[local_api.principals]]\nname = \"agent\"\nuid = 1000\n"
                          "endpoints = [\"plan\", \"report-health\", \"deploy\"]\n"),
      "c.toml");
  ASSERT_TRUE(config.has_value()) << config.error().ToString();
  EXPECT_TRUE(config->principals.at(0).endpoints.contains(api::Endpoint::kReportHealth));
}

TEST(GateConfigTest, BadValuesNameLineAndKey) {
  struct Bad {
    std::string text;
    std::string key;
  };
  const std::string missing_roots = "[gate] # <-\nstaging_dir = \"/s\"\nstore_dir = \"/i\"\n";
  for (const Bad& c : std::vector<Bad>{
           {missing_roots, "gate.trust_roots"},
           {kGate + "pcr = 16 # <-\n", "gate.pcr"},
           {kGate + "pcr = 23 # <-\n", "gate.pcr"},
           {kGate + "pcr = -1 # <-\n", "gate.pcr"},
           {kGate + "pcr = \"15\" # <-\n", "gate.pcr"},
           {kGate + "nv_index = \"0x01C00002\" # <-\n", "gate.nv_index"},
           {kGate + "nv_index = \"0x\" # <-\n", "gate.nv_index"},
           {kGate + "nv_index = \"0x0100ED6Eg\" # <-\n", "gate.nv_index"},
           {kGate + "nv_index = 5 # <-\n", "gate.nv_index"},
           {kGate + "min_signers = 0 # <-\n", "gate.min_signers"},
           {kGate + "min_signers = 9 # <-\n", "gate.min_signers"},
           {kGate + "max_version_jump = 0 # <-\n", "gate.max_version_jump"},
           {kGate + "signer_eku = \"codeSigning\" # <-\n", "gate.signer_eku"},
           {kGate + "signer_eku = \"1..3\" # <-\n", "gate.signer_eku"},
           {kGate + "tags = [\"ok\", \"../x\"] # <-\n", "gate.tags[1]"},
           {kGate + "tags = \"line7\" # <-\n", "gate.tags"},
           {kGate + "crls = [\"relative.crl\"] # <-\n", "gate.crls[0]"},
           {kGate + "store = \"/x\" # <-\n", "gate.store"},
           {"[gate]\ntrust_roots = \"roots.pem\" # <-\nstaging_dir = \"/s\"\nstore_dir = \"/i\"\n",
            "gate.trust_roots"},
       }) {
    std::string text = kBase + c.text;
    auto config = ParseDaemonConfig(text, "/etc/edgetrust/config.toml");
    ASSERT_FALSE(config.has_value()) << c.text;
    EXPECT_EQ(config.error().reason, "config.invalid");
    const std::string where =
        "/etc/edgetrust/config.toml:" + std::to_string(MarkedLine(text)) + ": " + c.key + ": ";
    EXPECT_NE(config.error().message.find(where), std::string::npos)
        << config.error().message << " (wanted " << where << ")";
  }
}

}  // namespace
}  // namespace edgetrust::daemon::config
