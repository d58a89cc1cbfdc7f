#include "attestation/kdf.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>

#include <algorithm>
#include <array>
#include <string>

#include "common/openssl.h"

namespace edgetrust::attestation {
namespace {

std::array<uint8_t, 4> BigEndian32(uint32_t v) {
  return {static_cast<uint8_t>(v >> 24), static_cast<uint8_t>(v >> 16),
          static_cast<uint8_t>(v >> 8), static_cast<uint8_t>(v)};
}

Status CheckBits(size_t bits) {
  if (bits == 0 || bits > kMaxKdfBits) {
    return Fail(ErrorCode::kInvalidArgument, "kdf.invalid_length",
                "cannot derive " + std::to_string(bits) + " bits");
  }
  return Ok();
}

// LabelWithNul is the label as the reference implementation hashes it: its bytes, then one NUL
// unless it already ends in one.
Bytes LabelWithNul(std::string_view label) {
  Bytes out = ToBytes(label);
  if (out.empty() || out.back() != 0) out.push_back(0);
  return out;
}

// Derive runs the counter loop: `block(counter, out)` writes one digest-sized block.
template <typename BlockFn>
Result<SecretBytes> Derive(HashAlgorithm hash, size_t bits, BlockFn block) {
  if (auto ok = CheckBits(bits); !ok) return Fail(ok.error());
  const size_t block_size = DigestSize(hash);
  const size_t bytes = (bits + 7) / 8;
  SecretBytes out(bytes);
  std::array<uint8_t, EVP_MAX_MD_SIZE> buffer{};
  size_t done = 0;
  for (uint32_t counter = 1; done < bytes; ++counter) {
    if (auto ok = block(counter, buffer.data()); !ok) {
      OPENSSL_cleanse(buffer.data(), buffer.size());
      return Fail(ok.error());
    }
    const size_t take = std::min(block_size, bytes - done);
    std::copy_n(buffer.begin(), take, out.mutable_data() + done);
    done += take;
  }
  OPENSSL_cleanse(buffer.data(), buffer.size());
  if (bits % 8 != 0) out.mutable_data()[0] &= static_cast<uint8_t>((1u << (bits % 8)) - 1);
  return out;
}

}  // namespace

Result<SecretBytes> KdfA(HashAlgorithm hash, ByteView key, std::string_view label,
                         ByteView context_u, ByteView context_v, size_t bits) {
  OpenSslPtr<EVP_MAC> mac(EVP_MAC_fetch(nullptr, "HMAC", nullptr));
  if (!mac) {
    return std::unexpected(OpenSslError(ErrorCode::kInternal, "crypto.openssl", "EVP_MAC_fetch"));
  }
  const Bytes label_bytes = LabelWithNul(label);
  const auto size_bits = BigEndian32(static_cast<uint32_t>(bits));
  std::string digest_name(HashAlgorithmName(hash));
  static const uint8_t kEmpty = 0;  // HMAC with an empty key is legal; OpenSSL wants a pointer
  const uint8_t* key_data = key.empty() ? &kEmpty : key.data();
  return Derive(hash, bits, [&](uint32_t counter, uint8_t* block) -> Status {
    OpenSslPtr<EVP_MAC_CTX> ctx(EVP_MAC_CTX_new(mac.get()));
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest_name.data(), 0),
        OSSL_PARAM_construct_end()};
    const auto counter_bytes = BigEndian32(counter);
    size_t len = 0;
    if (!ctx || EVP_MAC_init(ctx.get(), key_data, key.size(), params) != 1 ||
        EVP_MAC_update(ctx.get(), counter_bytes.data(), counter_bytes.size()) != 1 ||
        EVP_MAC_update(ctx.get(), label_bytes.data(), label_bytes.size()) != 1 ||
        EVP_MAC_update(ctx.get(), context_u.data(), context_u.size()) != 1 ||
        EVP_MAC_update(ctx.get(), context_v.data(), context_v.size()) != 1 ||
        EVP_MAC_update(ctx.get(), size_bits.data(), size_bits.size()) != 1 ||
        EVP_MAC_final(ctx.get(), block, &len, EVP_MAX_MD_SIZE) != 1 || len != DigestSize(hash)) {
      return std::unexpected(OpenSslError(ErrorCode::kInternal, "crypto.openssl", "KDFa HMAC"));
    }
    return Ok();
  });
}

Result<SecretBytes> KdfE(HashAlgorithm hash, ByteView z, std::string_view label,
                         ByteView party_u_info, ByteView party_v_info, size_t bits) {
  const Bytes label_bytes = LabelWithNul(label);
  return Derive(hash, bits, [&](uint32_t counter, uint8_t* block) -> Status {
    OpenSslPtr<EVP_MD_CTX> ctx(EVP_MD_CTX_new());
    const auto counter_bytes = BigEndian32(counter);
    unsigned int len = 0;
    if (!ctx || EVP_DigestInit_ex(ctx.get(), EvpMd(hash), nullptr) != 1 ||
        EVP_DigestUpdate(ctx.get(), counter_bytes.data(), counter_bytes.size()) != 1 ||
        EVP_DigestUpdate(ctx.get(), z.data(), z.size()) != 1 ||
        EVP_DigestUpdate(ctx.get(), label_bytes.data(), label_bytes.size()) != 1 ||
        EVP_DigestUpdate(ctx.get(), party_u_info.data(), party_u_info.size()) != 1 ||
        EVP_DigestUpdate(ctx.get(), party_v_info.data(), party_v_info.size()) != 1 ||
        EVP_DigestFinal_ex(ctx.get(), block, &len) != 1 || len != DigestSize(hash)) {
      return std::unexpected(OpenSslError(ErrorCode::kInternal, "crypto.openssl", "KDFe hash"));
    }
    return Ok();
  });
}

}  // namespace edgetrust::attestation
