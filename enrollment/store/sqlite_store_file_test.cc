// SqliteStore on disk: file modes, schema versions, durability across a crash, concurrent
// writers, a corrupt file, and the URL factory.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <thread>

#include "enrollment/store/migrations.h"
#include "enrollment/store/sqlite_store.h"
#include "enrollment/store/store_factory.h"
#include "enrollment/store/store_test_util.h"

namespace edgetrust::enrollment::store {
namespace {

using testing::Audit;
using testing::Ek;
using testing::ExpectError;
using testing::Filter;
using testing::MakeCert;
using testing::MakeDevice;

class SqliteFileTest : public testing::TempDirTest {
 protected:
  mode_t ModeOf(const std::string& path) {
    struct stat st {};
    EXPECT_EQ(::stat(path.c_str(), &st), 0) << path;
    return st.st_mode & 07777;
  }

  // RawExec runs SQL on the file with a plain SQLite connection, as another tool would.
  void RawExec(const char* sql) {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open_v2(DbPath().c_str(), &db, SQLITE_OPEN_READWRITE, nullptr), SQLITE_OK);
    std::unique_ptr<sqlite3, SqliteCloser> owner(db);
    ASSERT_EQ(sqlite3_exec(db, sql, nullptr, nullptr, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
  }

  std::string RawText(const char* sql) {
    sqlite3* db = nullptr;
    EXPECT_EQ(sqlite3_open_v2(DbPath().c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
    std::unique_ptr<sqlite3, SqliteCloser> owner(db);
    sqlite3_stmt* raw = nullptr;
    EXPECT_EQ(sqlite3_prepare_v2(db, sql, -1, &raw, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
    std::unique_ptr<sqlite3_stmt, SqliteFinalizer> stmt(raw);
    EXPECT_EQ(sqlite3_step(raw), SQLITE_ROW);
    const unsigned char* text = sqlite3_column_text(raw, 0);
    return text == nullptr ? "" : reinterpret_cast<const char*>(text);
  }
};

TEST_F(SqliteFileTest, FilesArePrivateWhateverTheUmask) {
  mode_t old = ::umask(0);  // the widest umask: modes must come from the code, not from it
  {
    auto store = SqliteStore::Open(DbPath());
    ::umask(old);
    ASSERT_TRUE(store.has_value()) << store.error().ToString();
    ASSERT_TRUE((*store)
                    ->RecordIssuance(MakeDevice("dev-1", 1), MakeCert("01", "dev-1"),
                                     Audit("complete", "dev-1"))
                    .has_value());
    EXPECT_EQ(ModeOf(DbPath()), 0600u);
    EXPECT_EQ(ModeOf(DbPath() + "-wal"), 0600u);
    EXPECT_EQ(ModeOf(DbPath() + "-shm"), 0600u);
  }
  // An existing file that is too open is tightened on the next open.
  ASSERT_EQ(::chmod(DbPath().c_str(), 0644), 0);
  auto again = SqliteStore::Open(DbPath());
  ASSERT_TRUE(again.has_value()) << again.error().ToString();
  EXPECT_EQ(ModeOf(DbPath()), 0600u);
}

TEST_F(SqliteFileTest, SchemaIsVersionedAndWal) {
  ASSERT_TRUE(SqliteStore::Open(DbPath()).has_value());
  auto second = SqliteStore::Open(DbPath());  // opening a current schema migrates nothing
  ASSERT_TRUE(second.has_value()) << second.error().ToString();
  second->reset();
  EXPECT_EQ(RawText("PRAGMA user_version"), std::to_string(kSchemaVersion));
  EXPECT_EQ(RawText("PRAGMA journal_mode"), "wal");
}

TEST_F(SqliteFileTest, NewerSchemaIsRefusedAndLeftAlone) {
  ASSERT_TRUE(SqliteStore::Open(DbPath()).has_value());
  RawExec("PRAGMA user_version = 99");
  ExpectError(SqliteStore::Open(DbPath()), ErrorCode::kFailedPrecondition, "store.schema_too_new");
  EXPECT_EQ(RawText("PRAGMA user_version"), "99");
}

TEST_F(SqliteFileTest, GarbageFileIsCorruptNotACrash) {
  {
    std::ofstream out(DbPath(), std::ios::binary);
    for (int i = 0; i < 8192; ++i) out.put(static_cast<char>((i * 7919) & 0xff));
  }
  ExpectError(SqliteStore::Open(DbPath()), ErrorCode::kInternal, "store.corrupt");
  {
    std::ofstream out(DbPath(), std::ios::binary | std::ios::trunc);
    out << "this is not a database, just some text\n";
  }
  ExpectError(SqliteStore::Open(DbPath()), ErrorCode::kInternal, "store.corrupt");
}

TEST_F(SqliteFileTest, DamagedPagesAreCorruptNotACrash) {
  {
    auto store = SqliteStore::Open(DbPath());
    ASSERT_TRUE(store.has_value());
    for (int i = 0; i < 20; ++i) {
      std::string id = "dev-" + std::to_string(i);
      ASSERT_TRUE((*store)
                      ->RecordIssuance(MakeDevice(id, i + 1), MakeCert(std::to_string(i), id),
                                       Audit("complete", id))
                      .has_value());
    }
  }  // closing checkpoints the WAL into the main file
  {
    // Keep the 100-byte header, overwrite the rest of every page with a pattern.
    std::fstream f(DbPath(), std::ios::in | std::ios::out | std::ios::binary);
    f.seekg(0, std::ios::end);
    auto size = static_cast<long>(f.tellg());
    ASSERT_GT(size, 4096);
    std::string pattern(static_cast<size_t>(size - 100), '\0');
    for (size_t i = 0; i < pattern.size(); ++i) pattern[i] = static_cast<char>(0xa5 ^ (i & 0xff));
    f.seekp(100);
    f.write(pattern.data(), static_cast<std::streamsize>(pattern.size()));
  }
  auto store = SqliteStore::Open(DbPath());
  if (!store) {
    ExpectError(store, ErrorCode::kInternal, "store.corrupt");
    return;
  }
  ExpectError((*store)->GetDevice("dev-3"), ErrorCode::kInternal, "store.corrupt");
}

TEST_F(SqliteFileTest, UnusablePathsFailClearly) {
  ExpectError(SqliteStore::Open(dir_ + "/missing/registry.db"), ErrorCode::kUnavailable,
              "store.unavailable");
  ExpectError(SqliteStore::Open(dir_), ErrorCode::kInvalidArgument, "store.invalid_path");
  ExpectError(SqliteStore::Open(""), ErrorCode::kInvalidArgument, "store.invalid_path");
}

TEST_F(SqliteFileTest, IssuanceSurvivesAKilledProcess) {
  pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    // The child never returns into gtest: it commits, then dies without closing anything.
    auto store = SqliteStore::Open(DbPath());
    if (!store) ::_exit(2);
    auto s = (*store)->RecordIssuance(MakeDevice("dev-1", 1), MakeCert("01", "dev-1"),
                                      Audit("complete", "dev-1"));
    if (!s) ::_exit(3);
    ::kill(::getpid(), SIGKILL);
    ::_exit(4);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFSIGNALED(status)) << "child exited with " << WEXITSTATUS(status);
  EXPECT_EQ(WTERMSIG(status), SIGKILL);

  auto store = SqliteStore::Open(DbPath());
  ASSERT_TRUE(store.has_value()) << store.error().ToString();
  auto device = (*store)->GetDevice("dev-1");
  ASSERT_TRUE(device.has_value()) << device.error().ToString();
  EXPECT_EQ(device->ek_digest_hex, Ek(1));
  EXPECT_EQ(device->current_serial, "01");
  EXPECT_TRUE((*store)->GetCertificate("01").has_value());
  auto audit = (*store)->QueryAudit(Filter("dev-1"));
  ASSERT_TRUE(audit.has_value());
  ASSERT_EQ(audit->size(), 1u);
  EXPECT_EQ((*audit)[0].action, "complete");
}

TEST_F(SqliteFileTest, ConcurrentIssuanceFromFourThreads) {
  auto opened = SqliteStore::Open(DbPath());
  ASSERT_TRUE(opened.has_value());
  std::shared_ptr<Store> store = *opened;
  constexpr int kThreads = 4;
  constexpr int kPerThread = 200;
  std::vector<std::string> errors[kThreads];
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        int n = t * kPerThread + i;
        std::string id = "dev-" + std::to_string(n);
        auto s = store->RecordIssuance(MakeDevice(id, n + 1), MakeCert("c" + std::to_string(n), id),
                                       Audit("complete", id));
        if (!s) errors[t].push_back(s.error().ToString());
      }
    });
  }
  for (auto& th : threads) th.join();
  for (const auto& e : errors) EXPECT_TRUE(e.empty()) << e.front();
  size_t devices = 0;
  std::string after;
  while (true) {
    auto page = store->ListDevices(1000, after);
    ASSERT_TRUE(page.has_value());
    if (page->empty()) break;
    devices += page->size();
    after = page->back().device_id;
  }
  EXPECT_EQ(devices, size_t{kThreads * kPerThread});
  EXPECT_EQ(store->QueryAudit(Filter({}, {}, {}, 0, 1000))->size(), size_t{kThreads * kPerThread});
  EXPECT_EQ(store->GetDevice("dev-799")->ek_digest_hex, Ek(800));
}

TEST_F(SqliteFileTest, TwoProcessesShareTheFile) {
  auto a = SqliteStore::Open(DbPath());
  auto b = SqliteStore::Open(DbPath());
  ASSERT_TRUE(a.has_value() && b.has_value());
  ASSERT_TRUE((*a)->RecordIssuance(MakeDevice("dev-1", 1), MakeCert("01", "dev-1"),
                                   Audit("complete", "dev-1"))
                  .has_value());
  // The pin holds across connections: the second one sees the first one's commit.
  ExpectError((*b)->RecordIssuance(MakeDevice("dev-1", 2), MakeCert("02", "dev-1"),
                                   Audit("complete", "dev-1")),
              ErrorCode::kFailedPrecondition, "enrollment.registration_id_taken");
  EXPECT_EQ(*(*a)->NextCrlNumber(), 1u);
  EXPECT_EQ(*(*b)->NextCrlNumber(), 2u);
}

TEST_F(SqliteFileTest, FactoryUrls) {
  auto plain = OpenStore(DbPath());
  ASSERT_TRUE(plain.has_value()) << plain.error().ToString();
  ASSERT_TRUE((*plain)->AppendAudit(Audit("challenge", "dev-1")).has_value());
  plain->reset();
  auto url = OpenStore("sqlite:" + DbPath());
  ASSERT_TRUE(url.has_value()) << url.error().ToString();
  EXPECT_EQ((*url)->QueryAudit({})->size(), 1u);
  auto triple = OpenStore("sqlite://" + DbPath());
  ASSERT_TRUE(triple.has_value()) << triple.error().ToString();
  EXPECT_EQ((*triple)->QueryAudit({})->size(), 1u);

  auto pg = OpenStore("postgresql://enroll@db.example/registry");
  ExpectError(pg, ErrorCode::kInvalidArgument, "store.unsupported");
  EXPECT_NE(pg.error().message.find("PostgreSQL"), std::string::npos);
  ExpectError(OpenStore("postgres://x"), ErrorCode::kInvalidArgument, "store.unsupported");
  ExpectError(OpenStore(""), ErrorCode::kInvalidArgument, "store.invalid_url");
  ExpectError(OpenStore("sqlite:"), ErrorCode::kInvalidArgument, "store.invalid_url");
  ExpectError(OpenStore("sqlite://relative.db"), ErrorCode::kInvalidArgument, "store.invalid_url");
  ExpectError(OpenStore("mysql://x"), ErrorCode::kInvalidArgument, "store.invalid_url");
}

}  // namespace
}  // namespace edgetrust::enrollment::store
