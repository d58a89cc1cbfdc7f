// SecretBytes holds secret material (credential secrets, auth values, seeds, symmetric keys).
//
// It is move-only, has no operator== and no operator<<, and wipes its buffer (OPENSSL_cleanse)
// when destroyed or moved from, so a secret cannot be compared in variable time, logged or
// copied by accident. RevealForCrypto() is the one, grep-able door to the bytes: use it only to
// hand them to a cryptographic primitive or to the TPM. Compare secrets with
// ConstantTimeEquals (crypto.h). Not thread-safe; a SecretBytes has one owner.
#ifndef EDGETRUST_COMMON_SECRET_BYTES_H_
#define EDGETRUST_COMMON_SECRET_BYTES_H_

#include <cstddef>
#include <cstdint>
#include <memory>

#include "common/bytes.h"

namespace edgetrust {

class SecretBytes {
 public:
  SecretBytes() = default;
  // SecretBytes(size) allocates `size` zero bytes, to be filled through mutable_data().
  explicit SecretBytes(size_t size);
  // CopyFrom copies `data`; the caller remains responsible for wiping its own copy.
  static SecretBytes CopyFrom(ByteView data);

  SecretBytes(SecretBytes&& other) noexcept;
  SecretBytes& operator=(SecretBytes&& other) noexcept;
  SecretBytes(const SecretBytes&) = delete;
  SecretBytes& operator=(const SecretBytes&) = delete;
  ~SecretBytes();

  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }

  // RevealForCrypto borrows the secret bytes; valid while this object lives unchanged.
  ByteView RevealForCrypto() const { return {data_.get(), size_}; }
  // mutable_data lets a producer (RNG, TPM response, KDF) write the secret in place.
  uint8_t* mutable_data() { return data_.get(); }

 private:
  void Wipe();

  std::unique_ptr<uint8_t[]> data_;
  size_t size_ = 0;
};

// WipeBytes overwrites `data` with zeros in a way the compiler cannot elide.
void WipeBytes(Bytes& data);
// WipeMemory is WipeBytes for a raw buffer (e.g. a TPM response structure).
void WipeMemory(void* data, size_t size);

}  // namespace edgetrust

#endif  // EDGETRUST_COMMON_SECRET_BYTES_H_
