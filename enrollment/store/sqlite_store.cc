// SqliteStore: opening, configuration, PCR policies and enrollments. Devices and certificates
// are in sqlite_store_devices.cc, the audit trail and CRL numbers in sqlite_store_audit.cc.
#include "enrollment/store/sqlite_store.h"

#include "enrollment/store/migrations.h"
#include "enrollment/store/sqlite_codec.h"
#include "enrollment/store/sqlite_file.h"
#include "enrollment/store/sqlite_query.h"

namespace edgetrust::enrollment::store {
namespace {

constexpr int kBusyTimeoutMs = 5000;

// PragmaText runs a PRAGMA that answers one row and returns its first column.
Result<std::string> PragmaText(SqliteDb& db, const char* sql) {
  auto stmt = db.Prepare(sql);
  if (!stmt) return Fail(stmt.error());
  auto row = stmt->Step();
  if (!row) return Fail(row.error());
  if (!*row) return Fail(ErrorCode::kInternal, "store.internal", std::string(sql) + ": no row");
  return stmt->Text(0);
}

// A policy id of "" means none, stored as NULL so the foreign key leaves it alone.
Statement& BindPolicyId(Statement& stmt, int index, const std::string& id) {
  return id.empty() ? stmt.BindNull(index) : stmt.Bind(index, id);
}

Result<PcrPolicy> ReadPolicy(const Statement& stmt) {
  PcrPolicy p;
  p.id = stmt.Text(0);
  p.selection = stmt.Text(1);
  auto golden = DecodeGolden(stmt.Text(2));
  if (!golden) return Fail(golden.error());
  p.golden = std::move(*golden);
  return p;
}

Result<IndividualEnrollment> ReadIndividual(const Statement& stmt) {
  IndividualEnrollment e;
  e.registration_id = stmt.Text(0);
  e.ek_digest_hex = stmt.Text(1);
  e.enabled = stmt.Int(2) != 0;
  e.pcr_policy_id = stmt.Text(3);
  auto tags = DecodeTags(stmt.Text(4));
  if (!tags) return Fail(tags.error());
  e.tags = std::move(*tags);
  e.created_at = static_cast<std::time_t>(stmt.Int(5));
  return e;
}

Result<GroupEnrollment> ReadGroup(const Statement& stmt) {
  GroupEnrollment g;
  g.group_id = stmt.Text(0);
  g.manufacturer_ca_pem = stmt.Text(1);
  g.enabled = stmt.Int(2) != 0;
  g.pcr_policy_id = stmt.Text(3);
  auto tags = DecodeTags(stmt.Text(4));
  if (!tags) return Fail(tags.error());
  g.tags = std::move(*tags);
  g.created_at = static_cast<std::time_t>(stmt.Int(5));
  return g;
}

}  // namespace

Result<std::shared_ptr<SqliteStore>> SqliteStore::Open(const std::string& path) {
  if (path.empty() || path == ":memory:") {
    return Fail(ErrorCode::kInvalidArgument, "store.invalid_path",
                "a database file path is required");
  }
  if (auto s = PrepareDatabaseFile(path); !s) return Fail(s.error());
  auto db = SqliteDb::Open(path);
  if (!db) return Fail(db.error());
  return Configure(std::move(*db), /*durable=*/true, path);
}

Result<std::shared_ptr<SqliteStore>> SqliteStore::OpenInMemory() {
  auto db = SqliteDb::Open(":memory:");
  if (!db) return Fail(db.error());
  return Configure(std::move(*db), /*durable=*/false, "");
}

namespace {

// Harden sets the busy timeout and the safety options every connection gets.
Status Harden(SqliteDb& db) {
  int rc = sqlite3_busy_timeout(db.get(), kBusyTimeoutMs);
  if (rc != SQLITE_OK) return Fail(SqliteError(rc, "sqlite3_busy_timeout", db.get()));
  // Defensive mode forbids writes that can corrupt the file (writable_schema and the like),
  // and an untrusted schema may not call functions from views or triggers.
  rc = sqlite3_db_config(db.get(), SQLITE_DBCONFIG_DEFENSIVE, 1, nullptr);
  if (rc != SQLITE_OK) return Fail(SqliteError(rc, "SQLITE_DBCONFIG_DEFENSIVE", db.get()));
  rc = sqlite3_db_config(db.get(), SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, nullptr);
  if (rc != SQLITE_OK) return Fail(SqliteError(rc, "SQLITE_DBCONFIG_TRUSTED_SCHEMA", db.get()));
  return Ok();
}

}  // namespace

Result<std::shared_ptr<SqliteStore>> SqliteStore::Configure(SqliteDb db, bool durable,
                                                            const std::string& path) {
  if (auto s = Harden(db); !s) return Fail(s.error());

  // The first statement reads the file header: a file that is not a database fails here.
  auto mode = PragmaText(db, "PRAGMA journal_mode = WAL");
  if (!mode) return Fail(mode.error());
  if (durable && *mode != "wal") {
    return Fail(ErrorCode::kUnavailable, "store.unavailable",
                "cannot enable WAL mode (journal_mode is '" + *mode + "')");
  }
  if (auto s = db.Exec("PRAGMA synchronous = FULL"); !s) return Fail(s.error());
  if (auto s = db.Exec("PRAGMA foreign_keys = ON"); !s) return Fail(s.error());
  auto fk = PragmaText(db, "PRAGMA foreign_keys");
  if (!fk) return Fail(fk.error());
  if (*fk != "1") {
    return Fail(ErrorCode::kInternal, "store.internal", "SQLite built without foreign keys");
  }
  if (auto s = ApplyMigrations(db); !s) return Fail(s.error());
  std::optional<SqliteDb> reader;
  if (durable) {
    auto r = SqliteDb::Open(path);
    if (!r) return Fail(r.error());
    if (auto s = Harden(*r); !s) return Fail(s.error());
    if (auto s = r->Exec("PRAGMA query_only = 1"); !s) return Fail(s.error());
    reader = std::move(*r);
  }
  return std::shared_ptr<SqliteStore>(new SqliteStore(std::move(db), std::move(reader)));
}

// --- group commit ---

Status SqliteStore::CommitGroup(PendingWrite& w) {
  std::unique_lock queue(queue_mu_);
  queue_.push_back(&w);
  queue_cv_.wait(queue, [&] { return w.done || !committing_; });
  if (w.done) return w.status;
  // This caller commits everything queued so far, its own write included.
  committing_ = true;
  std::vector<PendingWrite*> batch;
  batch.swap(queue_);
  queue.unlock();
  {
    std::lock_guard db(mu_);
    RunBatch(batch);
  }
  queue.lock();
  for (PendingWrite* p : batch) p->done = true;  // a waiter may return (and free p) from here
  committing_ = false;
  queue.unlock();
  queue_cv_.notify_all();
  return w.status;
}

void SqliteStore::RunBatch(const std::vector<PendingWrite*>& batch) {
  auto fail_all = [&](const Error& e) {
    for (PendingWrite* p : batch) p->status = Fail(e);
  };
  auto tx = Transaction::Begin(db_);
  if (!tx) return fail_all(tx.error());
  for (PendingWrite* p : batch) {
    // One savepoint per write: a write that fails rolls back alone (its Result says why).
    if (auto s = db_.Exec("SAVEPOINT write"); !s) return fail_all(s.error());
    const bool ok = p->body(db_);
    if (!ok && sqlite3_get_autocommit(db_.get()) != 0) {
      // The failed statement rolled back the whole transaction (SQLITE_FULL, IOERR, ...).
      return fail_all(Error{ErrorCode::kUnavailable, "store.unavailable",
                            "a failed statement rolled back the group commit", 0});
    }
    if (!ok) {
      if (auto s = db_.Exec("ROLLBACK TO write"); !s) return fail_all(s.error());
    }
    if (auto s = db_.Exec("RELEASE write"); !s) return fail_all(s.error());
  }
  if (auto s = tx->Commit(); !s) return fail_all(s.error());
  for (PendingWrite* p : batch) p->status = Ok();
}

// --- PCR policies ---

Status SqliteStore::PutPcrPolicy(const PcrPolicy& policy, const AuditRecord& audit) {
  if (auto s = CheckId("pcr policy id", policy.id); !s) return s;
  auto golden = EncodeGolden(policy.golden);
  if (!golden) return Fail(golden.error());
  return Write([&](SqliteDb& db) -> Status {
    auto stmt = db.Prepare(
        "INSERT INTO pcr_policies(id, selection, golden_json) VALUES (?1, ?2, ?3) "
        "ON CONFLICT(id) DO UPDATE SET selection = excluded.selection, "
        "golden_json = excluded.golden_json");
    if (!stmt) return Fail(stmt.error());
    stmt->Bind(1, policy.id).Bind(2, policy.selection).Bind(3, *golden);
    if (auto s = stmt->Run(); !s) return s;
    return InsertAudit(db, audit);
  });
}

Result<PcrPolicy> SqliteStore::GetPcrPolicy(const std::string& id) {
  return Read([&](SqliteDb& db) {
    return QueryOne<PcrPolicy>(db,
                               "SELECT id, selection, golden_json FROM pcr_policies "
                               "WHERE id = ?1",
                               id, ReadPolicy, "pcr policy");
  });
}

Result<std::vector<PcrPolicy>> SqliteStore::ListPcrPolicies() {
  return Read([&](SqliteDb& db) {
    return QueryAll<PcrPolicy>(
        db, "SELECT id, selection, golden_json FROM pcr_policies ORDER BY id", ReadPolicy);
  });
}

Status SqliteStore::DeletePcrPolicy(const std::string& id, const AuditRecord& audit) {
  return Write([&](SqliteDb& db) -> Status {
    if (auto s = ModifyOne(db, "DELETE FROM pcr_policies WHERE id = ?1", id, "pcr policy"); !s) {
      return s;
    }
    return InsertAudit(db, audit);
  });
}

// --- individual enrollments ---

Status SqliteStore::PutIndividual(const IndividualEnrollment& e, const AuditRecord& audit) {
  if (auto s = CheckId("registration id", e.registration_id); !s) return s;
  if (auto s = CheckEkDigest(e.ek_digest_hex); !s) return s;
  auto tags = EncodeTags(e.tags);
  if (!tags) return Fail(tags.error());
  return Write([&](SqliteDb& db) -> Status {
    // One EK, one individual enrollment: FindIndividualByEk must not be ambiguous.
    auto other = db.Prepare(
        "SELECT registration_id FROM individual_enrollments "
        "WHERE ek_digest = ?1 AND registration_id <> ?2");
    if (!other) return Fail(other.error());
    other->Bind(1, e.ek_digest_hex).Bind(2, e.registration_id);
    auto taken = other->Step();
    if (!taken) return Fail(taken.error());
    if (*taken) {
      return Fail(ErrorCode::kFailedPrecondition, "enrollment.ek_taken",
                  "EK is already enrolled as '" + other->Text(0) + "'");
    }
    auto stmt = db.Prepare(
        "INSERT INTO individual_enrollments"
        "(registration_id, ek_digest, enabled, pcr_policy_id, tags_json, created_at) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT(registration_id) DO UPDATE SET "
        "ek_digest = excluded.ek_digest, enabled = excluded.enabled, "
        "pcr_policy_id = excluded.pcr_policy_id, tags_json = excluded.tags_json, "
        "created_at = excluded.created_at");
    if (!stmt) return Fail(stmt.error());
    stmt->Bind(1, e.registration_id).Bind(2, e.ek_digest_hex).Bind(3, int64_t{e.enabled});
    BindPolicyId(*stmt, 4, e.pcr_policy_id).Bind(5, *tags).Bind(6, ToSql(e.created_at));
    if (auto s = stmt->Run(); !s) return s;
    return InsertAudit(db, audit);
  });
}

Result<IndividualEnrollment> SqliteStore::GetIndividual(const std::string& registration_id) {
  return Read([&](SqliteDb& db) {
    return QueryOne<IndividualEnrollment>(
        db,
        "SELECT registration_id, ek_digest, enabled, pcr_policy_id, tags_json, created_at "
        "FROM individual_enrollments WHERE registration_id = ?1",
        registration_id, ReadIndividual, "individual enrollment");
  });
}

Result<IndividualEnrollment> SqliteStore::FindIndividualByEk(const std::string& ek_digest_hex) {
  return Read([&](SqliteDb& db) {
    return QueryOne<IndividualEnrollment>(
        db,
        "SELECT registration_id, ek_digest, enabled, pcr_policy_id, tags_json, created_at "
        "FROM individual_enrollments WHERE ek_digest = ?1",
        ek_digest_hex, ReadIndividual, "individual enrollment for EK");
  });
}

Result<std::vector<IndividualEnrollment>> SqliteStore::ListIndividuals() {
  return Read([&](SqliteDb& db) {
    return QueryAll<IndividualEnrollment>(
        db,
        "SELECT registration_id, ek_digest, enabled, pcr_policy_id, tags_json, created_at "
        "FROM individual_enrollments ORDER BY registration_id",
        ReadIndividual);
  });
}

Status SqliteStore::DeleteIndividual(const std::string& registration_id, const AuditRecord& audit) {
  return Write([&](SqliteDb& db) -> Status {
    if (auto s = ModifyOne(db, "DELETE FROM individual_enrollments WHERE registration_id = ?1",
                           registration_id, "individual enrollment");
        !s) {
      return s;
    }
    return InsertAudit(db, audit);
  });
}

// --- group enrollments ---

Status SqliteStore::PutGroup(const GroupEnrollment& g, const AuditRecord& audit) {
  if (auto s = CheckId("group id", g.group_id); !s) return s;
  auto tags = EncodeTags(g.tags);
  if (!tags) return Fail(tags.error());
  return Write([&](SqliteDb& db) -> Status {
    auto stmt = db.Prepare(
        "INSERT INTO group_enrollments"
        "(group_id, manufacturer_ca_pem, enabled, pcr_policy_id, tags_json, created_at) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT(group_id) DO UPDATE SET "
        "manufacturer_ca_pem = excluded.manufacturer_ca_pem, enabled = excluded.enabled, "
        "pcr_policy_id = excluded.pcr_policy_id, tags_json = excluded.tags_json, "
        "created_at = excluded.created_at");
    if (!stmt) return Fail(stmt.error());
    stmt->Bind(1, g.group_id).Bind(2, g.manufacturer_ca_pem).Bind(3, int64_t{g.enabled});
    BindPolicyId(*stmt, 4, g.pcr_policy_id).Bind(5, *tags).Bind(6, ToSql(g.created_at));
    if (auto s = stmt->Run(); !s) return s;
    return InsertAudit(db, audit);
  });
}

Result<GroupEnrollment> SqliteStore::GetGroup(const std::string& group_id) {
  return Read([&](SqliteDb& db) {
    return QueryOne<GroupEnrollment>(
        db,
        "SELECT group_id, manufacturer_ca_pem, enabled, pcr_policy_id, tags_json, created_at "
        "FROM group_enrollments WHERE group_id = ?1",
        group_id, ReadGroup, "group enrollment");
  });
}

Result<std::vector<GroupEnrollment>> SqliteStore::ListGroups() {
  return Read([&](SqliteDb& db) {
    return QueryAll<GroupEnrollment>(
        db,
        "SELECT group_id, manufacturer_ca_pem, enabled, pcr_policy_id, tags_json, created_at "
        "FROM group_enrollments ORDER BY group_id",
        ReadGroup);
  });
}

Status SqliteStore::DeleteGroup(const std::string& group_id, const AuditRecord& audit) {
  return Write([&](SqliteDb& db) -> Status {
    if (auto s = ModifyOne(db, "DELETE FROM group_enrollments WHERE group_id = ?1", group_id,
                           "group enrollment");
        !s) {
      return s;
    }
    return InsertAudit(db, audit);
  });
}

}  // namespace edgetrust::enrollment::store
