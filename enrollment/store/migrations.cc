#include "enrollment/store/migrations.h"

#include <array>
#include <string>

namespace edgetrust::enrollment::store {
namespace {

// Version 1. Tables are STRICT so a value of the wrong type is an error, not a silent
// conversion. Devices and certificates are never deleted (the pin is forever, THREATS E4).
constexpr const char* kVersion1 = R"sql(
CREATE TABLE pcr_policies (
  id TEXT PRIMARY KEY NOT NULL,
  selection TEXT NOT NULL,
  golden_json TEXT NOT NULL
) STRICT;

CREATE TABLE individual_enrollments (
  registration_id TEXT PRIMARY KEY NOT NULL,
  ek_digest TEXT NOT NULL UNIQUE,
  enabled INTEGER NOT NULL,
  pcr_policy_id TEXT REFERENCES pcr_policies(id),
  tags_json TEXT NOT NULL,
  created_at INTEGER NOT NULL
) STRICT;

CREATE TABLE group_enrollments (
  group_id TEXT PRIMARY KEY NOT NULL,
  manufacturer_ca_pem TEXT NOT NULL,
  enabled INTEGER NOT NULL,
  pcr_policy_id TEXT REFERENCES pcr_policies(id),
  tags_json TEXT NOT NULL,
  created_at INTEGER NOT NULL
) STRICT;

CREATE TABLE devices (
  device_id TEXT PRIMARY KEY NOT NULL,
  ek_digest TEXT NOT NULL UNIQUE,
  ak_public_b64 TEXT NOT NULL,
  enrollment TEXT NOT NULL,
  status TEXT NOT NULL,
  status_reason TEXT NOT NULL,
  current_serial TEXT NOT NULL,
  cert_not_after INTEGER NOT NULL,
  tpm_clock INTEGER NOT NULL,
  tpm_reset_count INTEGER NOT NULL,
  tpm_restart_count INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
) STRICT;

CREATE TABLE certificates (
  serial TEXT PRIMARY KEY NOT NULL,
  device_id TEXT NOT NULL REFERENCES devices(device_id),
  not_before INTEGER NOT NULL,
  not_after INTEGER NOT NULL,
  issued_at INTEGER NOT NULL,
  revoked_at INTEGER
) STRICT;
CREATE INDEX certificates_by_device ON certificates(device_id);
CREATE INDEX certificates_revoked ON certificates(revoked_at) WHERE revoked_at IS NOT NULL;

CREATE TABLE counters (
  name TEXT PRIMARY KEY NOT NULL,
  value INTEGER NOT NULL
) STRICT;
INSERT INTO counters(name, value) VALUES ('crl_number', 0);

CREATE TABLE audit (
  sequence INTEGER PRIMARY KEY AUTOINCREMENT,
  time INTEGER NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  subject TEXT NOT NULL,
  outcome TEXT NOT NULL,
  reason TEXT NOT NULL,
  details TEXT NOT NULL
) STRICT;
CREATE INDEX audit_by_subject ON audit(subject, sequence);
CREATE INDEX audit_by_action ON audit(action, sequence);
)sql";

// kMigrations[i] takes the schema from version i to i + 1.
constexpr std::array<const char*, kSchemaVersion> kMigrations = {kVersion1};

}  // namespace

Result<int> SchemaVersion(SqliteDb& db) {
  auto stmt = db.Prepare("PRAGMA user_version");
  if (!stmt) return Fail(stmt.error());
  auto row = stmt->Step();
  if (!row) return Fail(row.error());
  if (!*row) return Fail(ErrorCode::kInternal, "store.internal", "PRAGMA user_version: no row");
  return static_cast<int>(stmt->Int(0));
}

Status ApplyMigrations(SqliteDb& db) {
  auto tx = Transaction::Begin(db);
  if (!tx) return Fail(tx.error());
  auto version = SchemaVersion(db);
  if (!version) return Fail(version.error());
  if (*version > kSchemaVersion) {
    return Fail(ErrorCode::kFailedPrecondition, "store.schema_too_new",
                "database schema version " + std::to_string(*version) +
                    " is newer than this build understands (" + std::to_string(kSchemaVersion) +
                    "); upgrade edgetrust or restore a matching backup");
  }
  if (*version < 0) {
    return Fail(ErrorCode::kInternal, "store.corrupt",
                "negative schema version " + std::to_string(*version));
  }
  if (*version == kSchemaVersion) return tx->Commit();
  for (int v = *version; v < kSchemaVersion; ++v) {
    if (auto s = db.Exec(kMigrations[static_cast<size_t>(v)]); !s) return s;
  }
  // PRAGMA takes no parameters; the value is a compile-time constant, not input.
  std::string set_version = "PRAGMA user_version = " + std::to_string(kSchemaVersion);
  if (auto s = db.Exec(set_version.c_str()); !s) return s;
  return tx->Commit();
}

}  // namespace edgetrust::enrollment::store
