// The JSON-lines audit file: one whole line per record, appended.
#include "enrollment/service/audit_sink.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>
#include <vector>

namespace edgetrust::enrollment::service {
namespace {

store::AuditRecord Record(const std::string& reason, const std::string& details) {
  store::AuditRecord r;
  r.time = 1780000000;
  r.actor = "device:device-1";
  r.action = "complete";
  r.subject = "device-1";
  r.outcome = reason == "ok" ? "ok" : "rejected";
  r.reason = reason;
  r.details = details;
  return r;
}

TEST(AuditSinkTest, AppendsOneJsonLinePerRecord) {
  const std::string path = ::testing::TempDir() + "audit-" + std::to_string(::getpid()) + ".jsonl";
  std::filesystem::remove(path);
  {
    auto sink = FileAuditSink::Open(path, FsyncPolicy::kEveryRecord);
    ASSERT_TRUE(sink.has_value()) << sink.error().ToString();
    ASSERT_TRUE((*sink)->Write(Record("ok", R"({"serial":"0a"})")).has_value());
    ASSERT_TRUE((*sink)->Write(Record("quote.nonce_mismatch", "not json\n")).has_value());
  }
  {
    auto sink = FileAuditSink::Open(path, FsyncPolicy::kNever);  // reopen appends
    ASSERT_TRUE(sink.has_value());
    ASSERT_TRUE((*sink)->Write(Record("ok", "{}")).has_value());
  }
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  std::ifstream in(path);
  std::vector<nlohmann::json> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(nlohmann::json::parse(line));
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[0]["details"]["serial"], "0a");
  EXPECT_EQ(lines[0]["time"], "2026-05-28T20:26:40Z");
  EXPECT_EQ(lines[1]["reason"], "quote.nonce_mismatch");
  EXPECT_EQ(lines[1]["details"], "not json\n");
  std::filesystem::remove(path);
}

TEST(AuditSinkTest, ConcurrentWritersShareSyncsAndKeepLinesWhole) {
  const std::string path =
      ::testing::TempDir() + "audit-group-" + std::to_string(::getpid()) + ".jsonl";
  std::filesystem::remove(path);
  {
    auto sink = FileAuditSink::Open(path, FsyncPolicy::kEveryRecord);
    ASSERT_TRUE(sink.has_value()) << sink.error().ToString();
    std::vector<std::thread> threads;
    for (int t = 0; t < 8; ++t) {
      threads.emplace_back([&, t] {
        for (int i = 0; i < 50; ++i) {
          const std::string serial = std::to_string(t * 100 + i);
          EXPECT_TRUE(
              (*sink)->Write(Record("ok", R"({"serial":")" + serial + R"("})")).has_value());
        }
      });
    }
    for (auto& t : threads) t.join();
  }
  std::ifstream in(path);
  std::set<std::string> serials;
  for (std::string line; std::getline(in, line);) {
    serials.insert(nlohmann::json::parse(line)["details"]["serial"].get<std::string>());
  }
  EXPECT_EQ(serials.size(), 400u);
  std::filesystem::remove(path);
}

TEST(AuditSinkTest, OpenFailureIsAnError) {
  auto sink = FileAuditSink::Open("/nonexistent-dir/audit.jsonl", FsyncPolicy::kNever);
  ASSERT_FALSE(sink.has_value());
  EXPECT_EQ(sink.error().reason, "audit.io");
}

TEST(AuditSinkTest, MemorySinkKeepsRecords) {
  MemoryAuditSink sink;
  ASSERT_TRUE(sink.Write(Record("ok", "{}")).has_value());
  ASSERT_EQ(sink.records().size(), 1u);
  EXPECT_EQ(sink.records()[0].reason, "ok");
}

}  // namespace
}  // namespace edgetrust::enrollment::service
