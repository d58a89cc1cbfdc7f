// NV indices: reading certificates the manufacturer stored, writing ones a factory issued
// (define, chunked write, write lock), and monotonic counters.
//
// Counters are defined in the owner hierarchy with TPMA_NV_COUNTER, owner read/write and
// noDA, so failures never count towards dictionary-attack lockout. A counter can only be
// read after its first increment (TPM rule); ReadNvCounter then says kFailedPrecondition
// "tpm.nv_uninitialized". A counter value never decreases, survives TPM restarts, and cannot
// be reset without undefining the index (owner auth), which a verifier notices because the
// index name changes. Not thread-safe (like Tpm).
#ifndef EDGETRUST_ATTESTATION_NV_H_
#define EDGETRUST_ATTESTATION_NV_H_

#include <tss2/tss2_tpm2_types.h>

#include <cstdint>

#include "attestation/tpm.h"
#include "common/bytes.h"
#include "common/error.h"

namespace edgetrust::attestation {

// NvIndexInfo is what the TPM says about a defined index (TPM2_NV_ReadPublic): callers that
// find an index already defined check it is the kind they expect before trusting its value.
struct NvIndexInfo {
  TPMA_NV attributes = 0;
  uint16_t data_size = 0;
  bool IsOwnerCounter() const;  // TPM2_NT_COUNTER, owner read and write, noDA, 8 bytes
  bool Written() const { return (attributes & TPMA_NV_WRITTEN) != 0; }
  bool WriteLocked() const { return (attributes & TPMA_NV_WRITELOCKED) != 0; }
};

// ReadNvIndexInfo: absent is kNotFound "tpm.handle".
Result<NvIndexInfo> ReadNvIndexInfo(Tpm& tpm, TPM2_HANDLE index);

// ReadNvIndex reads the whole index, authorizing with the index itself (authread) or the
// owner (ownerread), whichever its attributes allow. Absent: kNotFound "tpm.handle".
Result<Bytes> ReadNvIndex(Tpm& tpm, TPM2_HANDLE index);

// DefineNvIndex defines an index of `size` bytes in the owner hierarchy (owner auth) with
// `attributes` (which also carry the index type), SHA-256 name and an empty auth value. An
// index already defined at `index` is kAlreadyExists "tpm.nv_defined".
Status DefineNvIndex(Tpm& tpm, TPM2_HANDLE index, TPMA_NV attributes, uint16_t size);

// WriteNvIndex writes `data` at offset 0 of an ordinary index with owner authorization (the
// index needs TPMA_NV_OWNERWRITE), in chunks no larger than TPM_PT_NV_BUFFER_MAX. A crash
// part-way leaves the index written (TPMA_NV_WRITTEN) with the old bytes after the last chunk.
// Absent: kNotFound "tpm.handle"; over 65535 bytes: kInvalidArgument "tpm.nv_size"; a
// write-locked index fails with the TPM's error.
Status WriteNvIndex(Tpm& tpm, TPM2_HANDLE index, ByteView data);

// WriteLockNvIndex sends TPM2_NV_WriteLock with owner authorization. With TPMA_NV_WRITEDEFINE
// the index then stays read-only until it is undefined; with TPMA_NV_WRITE_STCLEAR until the
// next TPM Reset. Other indices fail with the TPM's error.
Status WriteLockNvIndex(Tpm& tpm, TPM2_HANDLE index);

// DefineNvCounter defines an 8-byte counter; an index already defined at `index` is
// kAlreadyExists "tpm.nv_defined".
Status DefineNvCounter(Tpm& tpm, TPM2_HANDLE index);

// IncrementNvCounter adds one and returns the new value.
Result<uint64_t> IncrementNvCounter(Tpm& tpm, TPM2_HANDLE index);

Result<uint64_t> ReadNvCounter(Tpm& tpm, TPM2_HANDLE index);

// UndefineNvIndex removes an owner-hierarchy index; absent is not an error.
Status UndefineNvIndex(Tpm& tpm, TPM2_HANDLE index);

}  // namespace edgetrust::attestation

#endif  // EDGETRUST_ATTESTATION_NV_H_
