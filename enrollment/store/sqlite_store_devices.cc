// SqliteStore: devices (the EK pin), issued certificates and revocation.
#include "enrollment/store/sqlite_codec.h"
#include "enrollment/store/sqlite_query.h"
#include "enrollment/store/sqlite_store.h"

namespace edgetrust::enrollment::store {
namespace {

constexpr const char* kSelectDevice =
    "SELECT device_id, ek_digest, ak_public_b64, enrollment, status, status_reason, "
    "current_serial, cert_not_after, tpm_clock, tpm_reset_count, tpm_restart_count, "
    "created_at, updated_at FROM devices ";

Result<Device> ReadDevice(const Statement& stmt) {
  Device d;
  d.device_id = stmt.Text(0);
  d.ek_digest_hex = stmt.Text(1);
  d.ak_public_b64 = stmt.Text(2);
  d.enrollment = stmt.Text(3);
  auto status = DecodeStatus(stmt.Text(4));
  if (!status) return Fail(status.error());
  d.status = *status;
  d.status_reason = stmt.Text(5);
  d.current_serial = stmt.Text(6);
  d.cert_not_after = static_cast<std::time_t>(stmt.Int(7));
  d.tpm_clock = ClockFromSql(stmt.Int(8));
  d.tpm_reset_count = static_cast<uint32_t>(stmt.Int(9));
  d.tpm_restart_count = static_cast<uint32_t>(stmt.Int(10));
  d.created_at = static_cast<std::time_t>(stmt.Int(11));
  d.updated_at = static_cast<std::time_t>(stmt.Int(12));
  return d;
}

Result<IssuedCertificate> ReadCertificate(const Statement& stmt) {
  IssuedCertificate c;
  c.serial = stmt.Text(0);
  c.device_id = stmt.Text(1);
  c.not_before = static_cast<std::time_t>(stmt.Int(2));
  c.not_after = static_cast<std::time_t>(stmt.Int(3));
  c.issued_at = static_cast<std::time_t>(stmt.Int(4));
  if (!stmt.IsNull(5)) c.revoked_at = static_cast<std::time_t>(stmt.Int(5));
  return c;
}

// Stamped returns `audit` with its time fixed, so that records written with it agree.
AuditRecord Stamped(const AuditRecord& audit) {
  AuditRecord stamped = audit;
  if (stamped.time == 0) stamped.time = std::time(nullptr);
  return stamped;
}

// CheckPin enforces THREATS E4 inside the issuing transaction: `device_id` may be pinned only
// to `ek`, and `ek` only to `device_id`.
Status CheckPin(SqliteDb& db, const std::string& device_id, const std::string& ek) {
  auto by_id = db.Prepare("SELECT ek_digest FROM devices WHERE device_id = ?1");
  if (!by_id) return Fail(by_id.error());
  by_id->Bind(1, device_id);
  auto row = by_id->Step();
  if (!row) return Fail(row.error());
  if (*row && by_id->Text(0) != ek) {
    return Fail(ErrorCode::kFailedPrecondition, "enrollment.registration_id_taken",
                "registration id '" + device_id + "' is pinned to another EK");
  }
  auto by_ek = db.Prepare("SELECT device_id FROM devices WHERE ek_digest = ?1");
  if (!by_ek) return Fail(by_ek.error());
  by_ek->Bind(1, ek);
  row = by_ek->Step();
  if (!row) return Fail(row.error());
  if (*row && by_ek->Text(0) != device_id) {
    return Fail(ErrorCode::kFailedPrecondition, "enrollment.ek_taken",
                "EK is already pinned to device '" + by_ek->Text(0) + "'");
  }
  return Ok();
}

Status CheckIssuance(const Device& device, const IssuedCertificate& cert) {
  if (auto s = CheckId("device id", device.device_id); !s) return s;
  if (auto s = CheckEkDigest(device.ek_digest_hex); !s) return s;
  if (auto s = CheckId("certificate serial", cert.serial); !s) return s;
  if (cert.device_id != device.device_id) {
    return Fail(ErrorCode::kInvalidArgument, "store.invalid_record",
                "certificate device id differs from the device");
  }
  return Ok();
}

}  // namespace

Result<Device> SqliteStore::GetDevice(const std::string& device_id) {
  return Read([&](SqliteDb& db) {
    std::string sql = std::string(kSelectDevice) + "WHERE device_id = ?1";
    return QueryOne<Device>(db, sql.c_str(), device_id, ReadDevice, "device");
  });
}

Result<Device> SqliteStore::FindDeviceByEk(const std::string& ek_digest_hex) {
  return Read([&](SqliteDb& db) {
    std::string sql = std::string(kSelectDevice) + "WHERE ek_digest = ?1";
    return QueryOne<Device>(db, sql.c_str(), ek_digest_hex, ReadDevice, "device for EK");
  });
}

Result<std::vector<Device>> SqliteStore::ListDevices(int limit, const std::string& after_id) {
  auto capped = CheckLimit(limit);
  if (!capped) return Fail(capped.error());
  return Read([&](SqliteDb& db) -> Result<std::vector<Device>> {
    auto stmt =
        db.Prepare(std::string(kSelectDevice) + "WHERE device_id > ?1 ORDER BY device_id LIMIT ?2");
    if (!stmt) return Fail(stmt.error());
    stmt->Bind(1, after_id).Bind(2, int64_t{*capped});
    return ReadRows<Device>(*stmt, ReadDevice);
  });
}

Status SqliteStore::RecordIssuance(const Device& device, const IssuedCertificate& cert,
                                   const AuditRecord& audit) {
  if (auto s = CheckIssuance(device, cert); !s) return s;
  std::time_t now = std::time(nullptr);
  return Write([&](SqliteDb& db) -> Status {
    if (auto s = CheckPin(db, device.device_id, device.ek_digest_hex); !s) return s;
    // created_at and the pin itself never change once the device exists.
    auto upsert = db.Prepare(
        "INSERT INTO devices(device_id, ek_digest, ak_public_b64, enrollment, status, "
        "status_reason, current_serial, cert_not_after, tpm_clock, tpm_reset_count, "
        "tpm_restart_count, created_at, updated_at) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13) "
        "ON CONFLICT(device_id) DO UPDATE SET ak_public_b64 = excluded.ak_public_b64, "
        "enrollment = excluded.enrollment, status = excluded.status, "
        "status_reason = excluded.status_reason, current_serial = excluded.current_serial, "
        "cert_not_after = excluded.cert_not_after, tpm_clock = excluded.tpm_clock, "
        "tpm_reset_count = excluded.tpm_reset_count, "
        "tpm_restart_count = excluded.tpm_restart_count, updated_at = excluded.updated_at");
    if (!upsert) return Fail(upsert.error());
    upsert->Bind(1, device.device_id)
        .Bind(2, device.ek_digest_hex)
        .Bind(3, device.ak_public_b64)
        .Bind(4, device.enrollment)
        .Bind(5, DeviceStatusName(device.status))
        .Bind(6, device.status_reason)
        .Bind(7, cert.serial)
        .Bind(8, ToSql(cert.not_after))
        .Bind(9, ClockToSql(device.tpm_clock))
        .Bind(10, int64_t{device.tpm_reset_count})
        .Bind(11, int64_t{device.tpm_restart_count})
        .Bind(12, ToSql(device.created_at != 0 ? device.created_at : now))
        .Bind(13, ToSql(device.updated_at != 0 ? device.updated_at : now));
    if (auto s = upsert->Run(); !s) return s;

    auto insert = db.Prepare(
        "INSERT INTO certificates(serial, device_id, not_before, not_after, issued_at, "
        "revoked_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
    if (!insert) return Fail(insert.error());
    insert->Bind(1, cert.serial)
        .Bind(2, cert.device_id)
        .Bind(3, ToSql(cert.not_before))
        .Bind(4, ToSql(cert.not_after))
        .Bind(5, ToSql(cert.issued_at != 0 ? cert.issued_at : now));
    if (cert.revoked_at) {
      insert->Bind(6, ToSql(*cert.revoked_at));
    } else {
      insert->BindNull(6);
    }
    if (auto s = insert->Run(); !s) return s;
    return InsertAudit(db, audit);
  });
}

Status SqliteStore::UpdateDeviceStatus(const std::string& device_id, DeviceStatus status,
                                       const std::string& reason, const AuditRecord& audit) {
  AuditRecord stamped = Stamped(audit);
  return Write([&](SqliteDb& db) -> Status {
    auto s = ModifyOne(
        db,
        "UPDATE devices SET status = ?2, status_reason = ?3, updated_at = ?4 "
        "WHERE device_id = ?1",
        device_id, "device", [&](Statement& stmt) {
          stmt.Bind(2, DeviceStatusName(status)).Bind(3, reason).Bind(4, ToSql(stamped.time));
        });
    if (!s) return s;
    if (status == DeviceStatus::kRevoked) {
      auto revoke = db.Prepare(
          "UPDATE certificates SET revoked_at = ?2 WHERE device_id = ?1 AND revoked_at IS NULL");
      if (!revoke) return Fail(revoke.error());
      revoke->Bind(1, device_id).Bind(2, ToSql(stamped.time));
      if (auto r = revoke->Run(); !r) return r;
    }
    return InsertAudit(db, stamped);
  });
}

Status SqliteStore::RecordAttestationFailure(const std::string& device_id,
                                             const std::string& reason, const AuditRecord& audit) {
  AuditRecord stamped = Stamped(audit);
  return Write([&](SqliteDb& db) -> Status {
    // An operator's decision (disabled, revoked, retired) outranks an attestation failure.
    auto stmt = db.Prepare(
        "UPDATE devices SET status = ?2, status_reason = ?3, updated_at = ?4 "
        "WHERE device_id = ?1 AND status IN (?5, ?2)");
    if (!stmt) return Fail(stmt.error());
    stmt->Bind(1, device_id)
        .Bind(2, DeviceStatusName(DeviceStatus::kFailedAttestation))
        .Bind(3, reason)
        .Bind(4, ToSql(stamped.time))
        .Bind(5, DeviceStatusName(DeviceStatus::kActive));
    if (auto s = stmt->Run(); !s) return s;
    return InsertAudit(db, stamped);
  });
}

Status SqliteStore::RecordTpmClock(const std::string& device_id, uint64_t clock,
                                   uint32_t reset_count, uint32_t restart_count) {
  std::time_t now = std::time(nullptr);
  return Write([&](SqliteDb& db) -> Status {
    return ModifyOne(db,
                     "UPDATE devices SET tpm_clock = ?2, tpm_reset_count = ?3, "
                     "tpm_restart_count = ?4, updated_at = ?5 WHERE device_id = ?1",
                     device_id, "device", [&](Statement& stmt) {
                       stmt.Bind(2, ClockToSql(clock))
                           .Bind(3, int64_t{reset_count})
                           .Bind(4, int64_t{restart_count})
                           .Bind(5, ToSql(now));
                     });
  });
}

Result<IssuedCertificate> SqliteStore::GetCertificate(const std::string& serial) {
  return Read([&](SqliteDb& db) {
    return QueryOne<IssuedCertificate>(
        db,
        "SELECT serial, device_id, not_before, not_after, issued_at, revoked_at "
        "FROM certificates WHERE serial = ?1",
        serial, ReadCertificate, "certificate");
  });
}

Status SqliteStore::RevokeCertificate(const std::string& serial, const AuditRecord& audit) {
  AuditRecord stamped = Stamped(audit);
  return Write([&](SqliteDb& db) -> Status {
    // Revoking twice keeps the first revocation time.
    auto s = ModifyOne(db,
                       "UPDATE certificates SET revoked_at = coalesce(revoked_at, ?2) "
                       "WHERE serial = ?1",
                       serial, "certificate",
                       [&](Statement& stmt) { stmt.Bind(2, ToSql(stamped.time)); });
    if (!s) return s;
    return InsertAudit(db, stamped);
  });
}

Result<std::vector<IssuedCertificate>> SqliteStore::ListRevoked() {
  return Read([&](SqliteDb& db) {
    return QueryAll<IssuedCertificate>(
        db,
        "SELECT serial, device_id, not_before, not_after, issued_at, revoked_at "
        "FROM certificates WHERE revoked_at IS NOT NULL ORDER BY revoked_at, serial",
        ReadCertificate);
  });
}

}  // namespace edgetrust::enrollment::store
