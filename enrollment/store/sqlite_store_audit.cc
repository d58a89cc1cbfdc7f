// SqliteStore: the audit trail and the CRL number.
#include "enrollment/store/sqlite_codec.h"
#include "enrollment/store/sqlite_query.h"
#include "enrollment/store/sqlite_store.h"

namespace edgetrust::enrollment::store {
namespace {

Result<AuditRecord> ReadAudit(const Statement& stmt) {
  AuditRecord a;
  a.sequence = stmt.Int(0);
  a.time = static_cast<std::time_t>(stmt.Int(1));
  a.actor = stmt.Text(2);
  a.action = stmt.Text(3);
  a.subject = stmt.Text(4);
  a.outcome = stmt.Text(5);
  a.reason = stmt.Text(6);
  a.details = stmt.Text(7);
  return a;
}

// BindFilter binds an optional equality filter; NULL matches every row (see QueryAudit).
void BindFilter(Statement& stmt, int index, const std::optional<std::string>& value) {
  if (value) {
    stmt.Bind(index, *value);
  } else {
    stmt.BindNull(index);
  }
}

}  // namespace

Status SqliteStore::AppendAudit(const AuditRecord& audit) {
  return Write([&](SqliteDb& db) { return InsertAudit(db, audit); });
}

Result<std::vector<AuditRecord>> SqliteStore::QueryAudit(const AuditQuery& query) {
  auto limit = CheckLimit(query.limit);
  if (!limit) return Fail(limit.error());
  return Read([&](SqliteDb& db) -> Result<std::vector<AuditRecord>> {
    // One fixed statement for every combination of filters: an absent filter is bound to NULL.
    auto stmt = db.Prepare(
        "SELECT sequence, time, actor, action, subject, outcome, reason, details FROM audit "
        "WHERE sequence > ?1 AND (?2 IS NULL OR subject = ?2) AND (?3 IS NULL OR action = ?3) "
        "AND (?4 IS NULL OR outcome = ?4) ORDER BY sequence LIMIT ?5");
    if (!stmt) return Fail(stmt.error());
    stmt->Bind(1, query.after_sequence);
    BindFilter(*stmt, 2, query.subject);
    BindFilter(*stmt, 3, query.action);
    BindFilter(*stmt, 4, query.outcome);
    stmt->Bind(5, int64_t{*limit});
    return ReadRows<AuditRecord>(*stmt, ReadAudit);
  });
}

Result<uint64_t> SqliteStore::NextCrlNumber() {
  return Write([&](SqliteDb& db) -> Result<uint64_t> {
    auto stmt = db.Prepare(
        "UPDATE counters SET value = value + 1 WHERE name = 'crl_number' RETURNING value");
    if (!stmt) return Fail(stmt.error());
    auto row = stmt->Step();
    if (!row) return Fail(row.error());
    if (!*row) return Fail(CorruptError("the crl_number counter is missing"));
    int64_t value = stmt->Int(0);
    if (value <= 0) return Fail(CorruptError("the crl_number counter is not positive"));
    if (auto done = stmt->Step(); !done) return Fail(done.error());
    return static_cast<uint64_t>(value);
  });
}

}  // namespace edgetrust::enrollment::store
