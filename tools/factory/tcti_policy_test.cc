// CheckTcti: only TCTIs that cannot run code in the station, software TPMs only on test rigs.
#include "tools/factory/tcti_policy.h"

#include <gtest/gtest.h>

#include <string>

namespace edgetrust::factory {
namespace {

TEST(TctiPolicyTest, AcceptsAttachedTpms) {
  for (const char* tcti : {"device", "device:/dev/tpmrm0", "device:/dev/tpm0",
                           "device:/dev/tpmrm12", "tabrmd", "tabrmd:bus_type=session"}) {
    EXPECT_TRUE(CheckTcti(tcti, false).has_value()) << tcti;
  }
}

TEST(TctiPolicyTest, SoftwareTpmsOnlyOnTestRigs) {
  for (const char* tcti : {"swtpm", "swtpm:host=127.0.0.1,port=2321", "mssim:port=2321"}) {
    auto refused = CheckTcti(tcti, false);
    ASSERT_FALSE(refused.has_value()) << tcti;
    EXPECT_EQ(refused.error().reason, "factory.tcti_refused");
    EXPECT_NE(refused.error().message.find("software_tpm = true"), std::string::npos);
    EXPECT_TRUE(CheckTcti(tcti, true).has_value()) << tcti;
  }
}

TEST(TctiPolicyTest, RefusesWhatCouldRunCode) {
  for (const char* tcti :
       {"cmd:tpm2-simulator", "cmd:sh -c 'rm -rf /'", "/tmp/evil.so", "./libtss2-tcti-x.so:conf",
        "libtss2-tcti-device.so.0:/dev/tpmrm0", "device:/etc/passwd", "device:/dev/tpmrm",
        "device:/dev/tpmrmX", "device:/dev/../dev/tpmrm0", "spi-helper", "", ":"}) {
    for (bool software : {false, true}) {
      auto refused = CheckTcti(tcti, software);
      ASSERT_FALSE(refused.has_value()) << tcti;
      EXPECT_EQ(refused.error().code, ErrorCode::kInvalidArgument);
      EXPECT_EQ(refused.error().reason, "factory.tcti_refused") << tcti;
    }
  }
}

}  // namespace
}  // namespace edgetrust::factory
