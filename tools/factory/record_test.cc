#include "tools/factory/record.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "tools/factory/progress.h"

namespace edgetrust::factory {
namespace {

using nlohmann::ordered_json;

DeviceRecord Provisioned() {
  DeviceRecord r;
  r.device = {3, "swtpm:host=127.0.0.1,port=2321", {"line7"}, "SN-0042"};
  r.outcome = Outcome::kProvisioned;
  r.registration_id = "5f1c0a9e3d7b2a6c4e8f0b1d3a5c7e9f5f1c0a9e3d7b2a6c4e8f0b1d3a5c7e9f";
  r.ek_algorithm = "rsa2048";
  r.ek_certificate = "present";
  r.enrollment = "created";
  r.bundle = "written";
  r.bundle_dir = "/srv/bundles/5f1c";
  r.times = {.total = 1234.56, .tpm = 800.04, .hsm = 100.0, .service = 200.5};
  r.finished_at = "2025-03-01T10:00:00Z";
  return r;
}

DeviceRecord Failed() {
  DeviceRecord r;
  r.device = {7, "device:/dev/tpmrm1", {}, ""};
  r.outcome = Outcome::kFailed;
  r.failed_step = "tpm";
  r.error = Error{ErrorCode::kUnavailable, "tpm.unavailable", "cannot open device:/dev/tpmrm1"};
  r.times = {.total = 12.0, .tpm = 12.0};
  r.finished_at = "2025-03-01T10:00:01Z";
  return r;
}

TEST(OutcomeNameTest, Names) {
  EXPECT_STREQ(OutcomeName(Outcome::kProvisioned), "provisioned");
  EXPECT_STREQ(OutcomeName(Outcome::kUnchanged), "unchanged");
  EXPECT_STREQ(OutcomeName(Outcome::kFailed), "failed");
}

TEST(ToJsonLineTest, KeysInTheDocumentedOrder) {
  const std::string line = ToJsonLine(Provisioned());
  EXPECT_EQ(line.find('\n'), std::string::npos);
  const ordered_json j = ordered_json::parse(line);
  std::vector<std::string> keys;
  for (const auto& [key, value] : j.items()) keys.push_back(key);
  EXPECT_EQ(keys, (std::vector<std::string>{"line", "tcti", "serial", "outcome", "registration_id",
                                            "ek_algorithm", "ek_certificate",
                                            "ek_certificate_serial", "enrollment", "bundle",
                                            "bundle_dir", "error", "timing_ms", "finished_at"}));
  std::vector<std::string> timing;
  for (const auto& [key, value] : j["timing_ms"].items()) timing.push_back(key);
  EXPECT_EQ(timing, (std::vector<std::string>{"total", "tpm", "hsm", "service", "station"}));

  EXPECT_EQ(j["line"], 3);
  EXPECT_EQ(j["tcti"], "swtpm:host=127.0.0.1,port=2321");
  EXPECT_EQ(j["serial"], "SN-0042");
  EXPECT_EQ(j["outcome"], "provisioned");
  EXPECT_EQ(j["registration_id"], Provisioned().registration_id);
  EXPECT_EQ(j["ek_algorithm"], "rsa2048");
  EXPECT_EQ(j["ek_certificate"], "present");
  EXPECT_EQ(j["enrollment"], "created");
  EXPECT_EQ(j["bundle"], "written");
  EXPECT_EQ(j["bundle_dir"], "/srv/bundles/5f1c");
  EXPECT_TRUE(j["error"].is_null());
  EXPECT_EQ(j["finished_at"], "2025-03-01T10:00:00Z");
}

TEST(ToJsonLineTest, ErrorIsAnObjectWithStepReasonMessage) {
  const ordered_json j = ordered_json::parse(ToJsonLine(Failed()));
  EXPECT_EQ(j["outcome"], "failed");
  ASSERT_TRUE(j["error"].is_object());
  std::vector<std::string> keys;
  for (const auto& [key, value] : j["error"].items()) keys.push_back(key);
  EXPECT_EQ(keys, (std::vector<std::string>{"step", "reason", "message"}));
  EXPECT_EQ(j["error"]["step"], "tpm");
  EXPECT_EQ(j["error"]["reason"], "tpm.unavailable");
  EXPECT_EQ(j["error"]["message"], "cannot open device:/dev/tpmrm1");
  // Fields the station did not reach are "".
  for (const char* key : {"serial", "registration_id", "ek_algorithm", "ek_certificate",
                          "ek_certificate_serial", "enrollment", "bundle", "bundle_dir"}) {
    EXPECT_EQ(j[key], "") << key;
  }
}

struct TimingCase {
  PhaseTimes times;
  double total, tpm, hsm, service, station;
};

class TimingTest : public ::testing::TestWithParam<TimingCase> {};

TEST_P(TimingTest, StationIsTheRestRoundedToATenth) {
  DeviceRecord r = Provisioned();
  r.times = GetParam().times;
  const ordered_json t = ordered_json::parse(ToJsonLine(r))["timing_ms"];
  EXPECT_DOUBLE_EQ(t["total"].get<double>(), GetParam().total);
  EXPECT_DOUBLE_EQ(t["tpm"].get<double>(), GetParam().tpm);
  EXPECT_DOUBLE_EQ(t["hsm"].get<double>(), GetParam().hsm);
  EXPECT_DOUBLE_EQ(t["service"].get<double>(), GetParam().service);
  EXPECT_DOUBLE_EQ(t["station"].get<double>(), GetParam().station);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, TimingTest,
    ::testing::Values(
        // 1234.56 - 800.04 - 100 - 200.5 = 134.02
        TimingCase{{1234.56, 800.04, 100.0, 200.5}, 1234.6, 800.0, 100.0, 200.5, 134.0},
        TimingCase{{10.0, 2.0, 3.0, 4.0}, 10.0, 2.0, 3.0, 4.0, 1.0},
        // 1.04 - 0.45 - 0.45 = 0.14 -> 0.1: rounded from the exact rest, not from the rounded
        // parts (1.0 - 0.5 - 0.5 = 0.0).
        TimingCase{{1.04, 0.45, 0.45, 0.0}, 1.0, 0.5, 0.5, 0.0, 0.1},
        TimingCase{{100.29, 50.1, 0.13, 0.0}, 100.3, 50.1, 0.1, 0.0, 50.1},
        TimingCase{{0.04, 0.0, 0.0, 0.0}, 0.0, 0.0, 0.0, 0.0, 0.0},
        TimingCase{{5000.0, 0.0, 0.0, 0.0}, 5000.0, 0.0, 0.0, 0.0, 5000.0}));

TEST(ToJsonLineTest, HostileStringsStayValidJson) {
  DeviceRecord r = Failed();
  r.device.tcti = "cmd:\"quoted\" \\ back";
  r.error->message = "line1\nline2\t\x01 \xff";  // invalid UTF-8 from a device must not throw
  const std::string line = ToJsonLine(r);
  EXPECT_EQ(line.find('\n'), std::string::npos);
  const ordered_json j = ordered_json::parse(line);
  EXPECT_EQ(j["tcti"], "cmd:\"quoted\" \\ back");
  EXPECT_TRUE(j["error"]["message"].get<std::string>().starts_with("line1\nline2\t\x01 "));
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// Column is the display column (UTF-8 code points) where `what` starts in `line`.
size_t Column(const std::string& line, const std::string& what) {
  const size_t at = line.find(what);
  if (at == std::string::npos) return std::string::npos;
  size_t column = 0;
  for (size_t i = 0; i < at; ++i) column += (static_cast<unsigned char>(line[i]) & 0xC0) != 0x80;
  return column;
}

TEST(SummaryTableTest, HeaderRowsTotalsAndFailures) {
  DeviceRecord unchanged = Provisioned();
  unchanged.device.line = 4;
  unchanged.device.serial = "SN-0043";
  unchanged.outcome = Outcome::kUnchanged;
  unchanged.enrollment = "exists";
  unchanged.bundle = "unchanged";
  DeviceRecord failed2 = Failed();
  failed2.device.line = 9;
  failed2.device.tcti = "device:/dev/tpmrm2";
  failed2.failed_step = "register";
  failed2.error = Error{ErrorCode::kAlreadyExists, "factory.registration_conflict", "other EK"};

  const std::vector<DeviceRecord> records = {Provisioned(), unchanged, Failed(), failed2};
  const std::vector<std::string> lines = Lines(SummaryTable(records));
  ASSERT_EQ(lines.size(), 1 + records.size() + 1 + 2);

  // Header.
  for (const char* column : {"LINE", "SERIAL", "REGISTRATION ID", "RESULT"}) {
    EXPECT_NE(lines[0].find(column), std::string::npos) << column;
  }
  // One row per record, in order, starting with its line number.
  EXPECT_TRUE(lines[1].starts_with("3 ")) << lines[1];
  EXPECT_NE(lines[1].find("SN-0042"), std::string::npos);
  EXPECT_NE(lines[1].find("provisioned"), std::string::npos);
  EXPECT_EQ(lines[1].find(Provisioned().registration_id), std::string::npos)
      << "a 64-character id is shortened";
  EXPECT_NE(lines[1].find(Provisioned().registration_id.substr(0, 16)), std::string::npos);
  EXPECT_TRUE(lines[2].starts_with("4 ")) << lines[2];
  EXPECT_NE(lines[2].find("unchanged"), std::string::npos);
  EXPECT_TRUE(lines[3].starts_with("7 ")) << lines[3];
  EXPECT_NE(lines[3].find("failed at tpm: tpm.unavailable"), std::string::npos) << lines[3];
  EXPECT_TRUE(lines[4].starts_with("9 ")) << lines[4];
  EXPECT_NE(lines[4].find("failed at register: factory.registration_conflict"), std::string::npos);
  // Columns are aligned on the screen: the RESULT column starts at the same display column in
  // every row (a shortened id ends in "…", three bytes but one column).
  const size_t result_column = Column(lines[0], "RESULT");
  EXPECT_EQ(Column(lines[1], "provisioned"), result_column);
  EXPECT_EQ(Column(lines[2], "unchanged  "), Column(lines[0], "BUNDLE"));
  EXPECT_EQ(Column(lines[3], "failed at"), result_column);
  EXPECT_EQ(Column(lines[4], "failed at"), result_column);

  EXPECT_EQ(lines[5], "4 devices: 1 provisioned, 1 unchanged, 2 failed");
  EXPECT_NE(lines[6].find("line 7"), std::string::npos) << lines[6];
  EXPECT_NE(lines[6].find("device:/dev/tpmrm1"), std::string::npos) << lines[6];
  EXPECT_NE(lines[6].find("tpm.unavailable: cannot open device:/dev/tpmrm1"), std::string::npos)
      << lines[6];
  EXPECT_NE(lines[7].find("line 9"), std::string::npos) << lines[7];
  EXPECT_NE(lines[7].find("factory.registration_conflict: other EK"), std::string::npos)
      << lines[7];
}

TEST(SummaryTableTest, Totals) {
  struct Case {
    std::vector<Outcome> outcomes;
    std::string totals;
  };
  for (const Case& c : std::vector<Case>{
           {{}, "0 devices: 0 provisioned, 0 unchanged, 0 failed"},
           {{Outcome::kProvisioned}, "1 device: 1 provisioned, 0 unchanged, 0 failed"},
           {{Outcome::kUnchanged, Outcome::kUnchanged},
            "2 devices: 0 provisioned, 2 unchanged, 0 failed"},
           {{Outcome::kProvisioned, Outcome::kProvisioned, Outcome::kUnchanged,
             Outcome::kProvisioned},
            "4 devices: 3 provisioned, 1 unchanged, 0 failed"}}) {
    std::vector<DeviceRecord> records;
    for (Outcome o : c.outcomes) {
      DeviceRecord r = Provisioned();
      r.device.line = static_cast<int>(records.size()) + 1;
      r.outcome = o;
      records.push_back(r);
    }
    const std::vector<std::string> lines = Lines(SummaryTable(records));
    ASSERT_EQ(lines.size(), 1 + records.size() + 1);
    EXPECT_EQ(lines.back(), c.totals);
  }
}

TEST(SummaryTableTest, MissingFieldsAreDashes) {
  const std::vector<std::string> lines = Lines(SummaryTable({Failed()}));
  ASSERT_GE(lines.size(), 2u);
  EXPECT_NE(lines[1].find(" - "), std::string::npos) << lines[1];
}

TEST(FormatSecondsTest, DocumentedExamples) {
  struct Case {
    double seconds;
    const char* text;
  };
  for (const Case& c :
       {Case{4.2, "4.2s"}, Case{95, "1m35s"}, Case{4000, "1h06m"}, Case{0, "0.0s"},
        Case{0.04, "0.0s"}, Case{59.9, "59.9s"}, Case{60, "1m00s"}, Case{59.96, "1m00s"},
        Case{3599, "59m59s"}, Case{3599.6, "1h00m"}, Case{3600, "1h00m"}, Case{3659, "1h00m"},
        Case{3660, "1h01m"}, Case{36000, "10h00m"}}) {
    EXPECT_EQ(FormatSeconds(c.seconds), c.text) << c.seconds;
  }
}

}  // namespace
}  // namespace edgetrust::factory
