#include "certs/pkcs11_signer.h"

#include <openssl/err.h>
#include <openssl/rsa.h>

#include <algorithm>
#include <mutex>

#include "certs/pkcs11_key.h"
#include "certs/pkcs11_module.h"
#include "certs/pkcs11_uri.h"
#include "common/openssl.h"

namespace edgetrust::certs {
namespace {

using internal::ModuleMutex;
using internal::Pkcs11Module;

Error Failed(std::string_view call) {
  return OpenSslError(ErrorCode::kInternal, "pkcs11.failed", call);
}

bool Matches(const PKCS11_KEY& key, const Pkcs11Uri& uri) {
  if (!uri.object.empty() && (key.label == nullptr || uri.object != key.label)) return false;
  if (!uri.id.empty() && !std::equal(uri.id.begin(), uri.id.end(), key.id, key.id + key.id_len)) {
    return false;
  }
  return true;
}

Result<PublicKey> ToPublicKey(EVP_PKEY* pkey) {
  int len = i2d_PUBKEY(pkey, nullptr);
  if (len <= 0) return std::unexpected(Failed("i2d_PUBKEY"));
  Bytes spki(static_cast<size_t>(len));
  unsigned char* p = spki.data();
  if (i2d_PUBKEY(pkey, &p) != len) return std::unexpected(Failed("i2d_PUBKEY"));
  return PublicKey::FromSpkiDer(spki);
}

// Pkcs11Signer keeps the module alive (shared) and owns one reference to libp11's EVP_PKEY for
// the token key; the key material stays in the token.
class Pkcs11Signer : public Signer {
 public:
  Pkcs11Signer(std::shared_ptr<Pkcs11Module> module, OpenSslPtr<EVP_PKEY> key, PublicKey pub,
               SignatureAlgorithm alg)
      : module_(std::move(module)), key_(std::move(key)), public_key_(std::move(pub)), alg_(alg) {}
  ~Pkcs11Signer() override {
    std::lock_guard lock(ModuleMutex());
    key_.reset();  // before the module can be unloaded
  }

  SignatureAlgorithm algorithm() const override { return alg_; }
  const PublicKey& public_key() const override { return public_key_; }

  Result<Bytes> Sign(ByteView digest) const override {
    if (auto size = CheckDigestSize(alg_, digest); !size) return Fail(size.error());
    std::lock_guard lock(ModuleMutex());
    OpenSslPtr<EVP_PKEY_CTX> ctx(EVP_PKEY_CTX_new(key_.get(), nullptr));
    if (!ctx || EVP_PKEY_sign_init(ctx.get()) != 1 ||
        EVP_PKEY_CTX_set_signature_md(ctx.get(), EvpMd(SignatureHash(alg_))) != 1) {
      return std::unexpected(Failed("EVP_PKEY_sign_init"));
    }
    if (alg_ == SignatureAlgorithm::kRsaPkcs1Sha256 &&
        EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_PKCS1_PADDING) != 1) {
      return std::unexpected(Failed("EVP_PKEY_CTX_set_rsa_padding"));
    }
    size_t len = 0;
    if (EVP_PKEY_sign(ctx.get(), nullptr, &len, digest.data(), digest.size()) != 1) {
      return std::unexpected(Failed("EVP_PKEY_sign"));
    }
    Bytes sig(len);
    if (EVP_PKEY_sign(ctx.get(), sig.data(), &len, digest.data(), digest.size()) != 1) {
      Error e = Failed("EVP_PKEY_sign");
      e.code = ErrorCode::kUnavailable;
      e.reason = "signer.unavailable";
      return std::unexpected(std::move(e));
    }
    sig.resize(len);
    return sig;
  }

 private:
  std::shared_ptr<Pkcs11Module> module_;
  OpenSslPtr<EVP_PKEY> key_;
  PublicKey public_key_;
  SignatureAlgorithm alg_;
};

}  // namespace

namespace internal {

Result<OpenedKey> OpenKey(const std::string& module_path, const std::string& key_uri,
                          const PinSource& pin_source) {
  auto uri = Pkcs11Uri::Parse(key_uri);
  if (!uri) return Fail(uri.error());
  if (uri->token.empty() || (uri->object.empty() && uri->id.empty())) {
    return Fail(ErrorCode::kInvalidArgument, "pkcs11.bad_uri",
                "the key URI needs token= and object= and/or id=");
  }
  if (!uri->type.empty() && uri->type != "private") {
    return Fail(ErrorCode::kInvalidArgument, "pkcs11.bad_uri", "type must be private");
  }
  auto pin = ReadPin(pin_source);
  if (!pin) return Fail(pin.error());

  std::lock_guard lock(ModuleMutex());
  auto module = Pkcs11Module::Acquire(module_path);
  if (!module) return Fail(module.error());
  auto slot = (*module)->FindToken(uri->token, uri->serial);
  if (!slot) return Fail(slot.error());
  if (auto login = (*module)->Login(*slot, *pin); !login) return Fail(login.error());
  PKCS11_KEY* keys = nullptr;
  unsigned int count = 0;
  if (PKCS11_enumerate_keys((*slot)->token, &keys, &count) != 0) {
    return std::unexpected(Failed("PKCS11_enumerate_keys"));
  }
  PKCS11_KEY* found = nullptr;
  int matches = 0;
  for (unsigned int i = 0; i < count; ++i) {
    if (keys[i].isPrivate != 0 && Matches(keys[i], *uri)) {
      found = &keys[i];
      ++matches;
    }
  }
  if (found == nullptr) {
    return Fail(ErrorCode::kNotFound, "pkcs11.no_key", "no private key matches " + key_uri);
  }
  if (matches > 1) {
    return Fail(ErrorCode::kInvalidArgument, "pkcs11.ambiguous_key",
                std::to_string(matches) + " private keys match " + key_uri);
  }
  OpenSslPtr<EVP_PKEY> private_key(PKCS11_get_private_key(found));
  if (!private_key) return std::unexpected(Failed("PKCS11_get_private_key"));
  // The public key comes from the token's own public key object with the same label and id:
  // PKCS11_get_public_key on the private object leaks a libp11 object in 0.4.12.
  PKCS11_KEY* public_keys = nullptr;
  unsigned int public_count = 0;
  if (PKCS11_enumerate_public_keys((*slot)->token, &public_keys, &public_count) != 0) {
    return std::unexpected(Failed("PKCS11_enumerate_public_keys"));
  }
  PKCS11_KEY* public_object = nullptr;
  for (unsigned int i = 0; i < public_count && public_object == nullptr; ++i) {
    bool same_label = found->label != nullptr && public_keys[i].label != nullptr &&
                      std::string_view(found->label) == public_keys[i].label;
    bool same_id = std::equal(found->id, found->id + found->id_len, public_keys[i].id,
                              public_keys[i].id + public_keys[i].id_len);
    if (same_label && same_id) public_object = &public_keys[i];
  }
  OpenSslPtr<EVP_PKEY> public_evp(public_object != nullptr ? PKCS11_get_public_key(public_object)
                                                           : nullptr);
  if (!public_evp) {
    return Fail(ErrorCode::kNotFound, "pkcs11.no_key", "no public key object for " + key_uri);
  }
  auto pub = ToPublicKey(public_evp.get());
  if (!pub) return Fail(pub.error());
  // On every return path the local EVP_PKEY references are freed while `lock` is still held.
  return OpenedKey{std::move(*module), std::move(private_key), std::move(*pub)};
}

}  // namespace internal

Result<std::unique_ptr<Signer>> OpenPkcs11Signer(const Pkcs11Config& config) {
  auto opened = internal::OpenKey(config.module_path, config.key_uri, config.pin);
  if (!opened) return Fail(opened.error());
  auto alg = DefaultSignatureAlgorithm(opened->public_key.type());
  if (!alg) {
    std::lock_guard lock(ModuleMutex());
    opened->private_key.reset();
    return Fail(alg.error());
  }
  return std::make_unique<Pkcs11Signer>(std::move(opened->module), std::move(opened->private_key),
                                        std::move(opened->public_key), *alg);
}

Pkcs11PrivateKey::Pkcs11PrivateKey(std::shared_ptr<internal::Pkcs11Module> module,
                                   evp_pkey_st* pkey, PublicKey public_key)
    : module_(std::move(module)), pkey_(pkey), public_key_(std::move(public_key)) {}

Pkcs11PrivateKey::~Pkcs11PrivateKey() {
  std::lock_guard lock(ModuleMutex());
  EVP_PKEY_free(pkey_);  // before the module can be released
  module_.reset();
}

void Pkcs11PrivateKey::RetainModuleUntilExit() const {
  std::lock_guard lock(ModuleMutex());
  module_->RetainUntilExit();
}

Result<std::unique_ptr<Pkcs11PrivateKey>> OpenPkcs11PrivateKey(const Pkcs11Config& config) {
  auto opened = internal::OpenKey(config.module_path, config.key_uri, config.pin);
  if (!opened) return Fail(opened.error());
  return std::unique_ptr<Pkcs11PrivateKey>(new Pkcs11PrivateKey(
      std::move(opened->module), opened->private_key.release(), std::move(opened->public_key)));
}

}  // namespace edgetrust::certs
