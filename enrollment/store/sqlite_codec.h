// Validation of records before they are written, and the encoding of record fields that have
// no SQL column type (tag lists and golden PCR values as JSON text, device status as its
// name). Internal to edgetrust::enrollment_store.
#ifndef EDGETRUST_ENROLLMENT_STORE_SQLITE_CODEC_H_
#define EDGETRUST_ENROLLMENT_STORE_SQLITE_CODEC_H_

#include <cstdint>
#include <ctime>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"
#include "enrollment/store/records.h"
#include "enrollment/store/sqlite_db.h"

namespace edgetrust::enrollment::store {

// kMaxListLimit caps ListDevices and QueryAudit.
inline constexpr int kMaxListLimit = 1000;

// CheckId: kInvalidArgument "store.invalid_record" when `id` is empty.
Status CheckId(std::string_view what, const std::string& id);
// CheckEkDigest: kInvalidArgument "store.invalid_record" unless 64 lowercase hex digits.
Status CheckEkDigest(const std::string& hex);
// CheckLimit: kInvalidArgument "store.invalid_argument" when `limit` < 1; caps it at 1000.
Result<int> CheckLimit(int limit);

// InsertAudit validates `audit` (actor, action, outcome, reason non-empty; details a JSON
// object) and appends it; sequence is assigned, time 0 becomes now.
Status InsertAudit(SqliteDb& db, const AuditRecord& audit);

// EncodeTags / DecodeTags: a JSON array of strings. Encoding fails with kInvalidArgument
// "store.invalid_record" on a tag that is not UTF-8; decoding stored text that is not such an
// array is kInternal "store.corrupt".
Result<std::string> EncodeTags(const std::vector<std::string>& tags);
Result<std::vector<std::string>> DecodeTags(const std::string& json);
// EncodeGolden / DecodeGolden: [{"bank":..,"index":..,"digest_hex":..}, ...], same errors.
Result<std::string> EncodeGolden(const std::vector<PcrPolicy::Golden>& golden);
Result<std::vector<PcrPolicy::Golden>> DecodeGolden(const std::string& json);

// DecodeStatus: kInternal "store.corrupt" for an unknown name.
Result<DeviceStatus> DecodeStatus(const std::string& name);

// Time and unsigned values are stored as SQLite's 64-bit signed integers; the 64-bit TPM clock
// keeps its bit pattern.
inline int64_t ToSql(std::time_t t) { return static_cast<int64_t>(t); }
inline int64_t ClockToSql(uint64_t clock) { return static_cast<int64_t>(clock); }
inline uint64_t ClockFromSql(int64_t v) { return static_cast<uint64_t>(v); }

// CorruptError is kInternal "store.corrupt" with `message`.
Error CorruptError(std::string message);
// NotFoundError is kNotFound "store.not_found" naming the missing object.
Error NotFoundError(std::string_view what, const std::string& id);

}  // namespace edgetrust::enrollment::store

#endif  // EDGETRUST_ENROLLMENT_STORE_SQLITE_CODEC_H_
