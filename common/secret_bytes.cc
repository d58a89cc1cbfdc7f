#include "common/secret_bytes.h"

#include <openssl/crypto.h>

#include <algorithm>

namespace edgetrust {

SecretBytes::SecretBytes(size_t size)
    : data_(size == 0 ? nullptr : std::make_unique<uint8_t[]>(size)), size_(size) {}

SecretBytes SecretBytes::CopyFrom(ByteView data) {
  SecretBytes out(data.size());
  std::copy(data.begin(), data.end(), out.data_.get());
  return out;
}

SecretBytes::SecretBytes(SecretBytes&& other) noexcept
    : data_(std::move(other.data_)), size_(other.size_) {
  other.size_ = 0;
}

SecretBytes& SecretBytes::operator=(SecretBytes&& other) noexcept {
  if (this != &other) {
    Wipe();
    data_ = std::move(other.data_);
    size_ = other.size_;
    other.size_ = 0;
  }
  return *this;
}

SecretBytes::~SecretBytes() { Wipe(); }

void SecretBytes::Wipe() {
  if (data_ != nullptr) OPENSSL_cleanse(data_.get(), size_);
  data_.reset();
  size_ = 0;
}

void WipeMemory(void* data, size_t size) {
  if (data != nullptr && size > 0) OPENSSL_cleanse(data, size);
}

void WipeBytes(Bytes& data) {
  if (!data.empty()) OPENSSL_cleanse(data.data(), data.size());
}

}  // namespace edgetrust
