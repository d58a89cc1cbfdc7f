// NV counters on a real (software) TPM: they start uninitialized, count, survive a TPM restart,
// and cannot be defined twice.
#include "attestation/nv.h"

#include <gtest/gtest.h>

#include "swtpm/tpm_test.h"

namespace edgetrust::attestation {
namespace {

constexpr TPM2_HANDLE kIndex = 0x01500016;

class NvCounterTest : public swtpm::TpmTest {};

TEST_F(NvCounterTest, CountsAndSurvivesRestart) {
  ASSERT_TRUE(UndefineNvIndex(tpm(), kIndex).has_value());
  ASSERT_TRUE(DefineNvCounter(tpm(), kIndex).has_value());
  auto before = ReadNvCounter(tpm(), kIndex);
  ASSERT_FALSE(before.has_value());
  EXPECT_EQ(before.error().reason, "tpm.nv_uninitialized");

  auto first = IncrementNvCounter(tpm(), kIndex);
  ASSERT_TRUE(first.has_value()) << first.error().ToString();
  auto second = IncrementNvCounter(tpm(), kIndex);
  ASSERT_TRUE(second.has_value());
  EXPECT_EQ(*second, *first + 1);

  auto twice = DefineNvCounter(tpm(), kIndex);
  ASSERT_FALSE(twice.has_value());
  EXPECT_EQ(twice.error().code, ErrorCode::kAlreadyExists);

  RestartSwtpm();
  auto after = ReadNvCounter(tpm(), kIndex);
  ASSERT_TRUE(after.has_value()) << after.error().ToString();
  EXPECT_EQ(*after, *second);

  auto r = Tpm2Tools("tpm2_nvread -C o -s 8 0x01500016 | xxd -p");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  char expected[17];
  std::snprintf(expected, sizeof(expected), "%016llx", static_cast<unsigned long long>(*after));
  EXPECT_NE(r.output.find(expected), std::string::npos) << r.output;

  ASSERT_TRUE(UndefineNvIndex(tpm(), kIndex).has_value());
  auto gone = ReadNvCounter(tpm(), kIndex);
  ASSERT_FALSE(gone.has_value());
  EXPECT_EQ(gone.error().reason, "tpm.handle");
}

}  // namespace
}  // namespace edgetrust::attestation
