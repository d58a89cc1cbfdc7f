#include "certs/pkcs11_module.h"

#include <openssl/err.h>

#include <map>

namespace edgetrust::certs::internal {
namespace {

// Entry: `retained` is set by RetainUntilExit and never cleared. The registry is leaked on
// purpose (never destroyed at exit), so a retained module is never finalized and stays
// reachable (no leak report).
struct Entry {
  std::weak_ptr<Pkcs11Module> module;
  std::shared_ptr<Pkcs11Module> retained;
};

std::map<std::string, Entry>& Registry() {
  static auto* registry = new std::map<std::string, Entry>();
  return *registry;
}

}  // namespace

std::recursive_mutex& ModuleMutex() {
  static auto* mutex = new std::recursive_mutex();
  return *mutex;
}

Result<std::shared_ptr<Pkcs11Module>> Pkcs11Module::Acquire(const std::string& path) {
  auto& registry = Registry();
  if (auto it = registry.find(path); it != registry.end()) {
    if (auto module = it->second.module.lock()) return module;
  }
  PKCS11_CTX* ctx = PKCS11_CTX_new();
  if (ctx == nullptr) return Fail(ErrorCode::kInternal, "pkcs11.failed", "PKCS11_CTX_new");
  if (PKCS11_CTX_load(ctx, path.c_str()) != 0) {
    PKCS11_CTX_free(ctx);
    ERR_clear_error();
    return Fail(ErrorCode::kUnavailable, "pkcs11.module", "cannot load PKCS#11 module " + path);
  }
  std::shared_ptr<Pkcs11Module> module(new Pkcs11Module(ctx, path));
  if (PKCS11_enumerate_slots(ctx, &module->slots_, &module->slot_count_) != 0) {
    ERR_clear_error();
    return Fail(ErrorCode::kUnavailable, "pkcs11.module", "cannot enumerate slots of " + path);
  }
  registry[path] = Entry{module, nullptr};
  return module;
}

Pkcs11Module::~Pkcs11Module() {
  std::lock_guard lock(ModuleMutex());
  if (slots_ != nullptr) PKCS11_release_all_slots(ctx_, slots_, slot_count_);
  PKCS11_CTX_unload(ctx_);
  PKCS11_CTX_free(ctx_);
  auto& registry = Registry();
  if (auto it = registry.find(path_); it != registry.end() && it->second.module.expired()) {
    registry.erase(it);
  }
}

void Pkcs11Module::RetainUntilExit() {
  auto& registry = Registry();
  if (auto it = registry.find(path_); it != registry.end() && !it->second.retained) {
    it->second.retained = it->second.module.lock();
  }
}

Result<PKCS11_SLOT*> Pkcs11Module::FindToken(const std::string& label, const std::string& serial) {
  for (unsigned int i = 0; i < slot_count_; ++i) {
    PKCS11_TOKEN* token = slots_[i].token;
    if (token == nullptr || token->initialized == 0 || token->label == nullptr) continue;
    if (label != token->label) continue;
    if (!serial.empty() && (token->serialnr == nullptr || serial != token->serialnr)) continue;
    return &slots_[i];
  }
  return Fail(ErrorCode::kNotFound, "pkcs11.no_token", "no token labelled '" + label + "'");
}

Status Pkcs11Module::Login(PKCS11_SLOT* slot, const SecretBytes& pin) {
  int logged_in = 0;
  if (PKCS11_is_logged_in(slot, 0, &logged_in) == 0 && logged_in != 0) return Ok();
  // libp11 wants a C string: copy into a NUL-terminated secret buffer.
  SecretBytes text(pin.size() + 1);
  std::copy(pin.RevealForCrypto().begin(), pin.RevealForCrypto().end(), text.mutable_data());
  if (PKCS11_login(slot, 0, reinterpret_cast<const char*>(text.mutable_data())) != 0) {
    unsigned long code = ERR_peek_last_error();
    ERR_clear_error();
    return Fail(ErrorCode::kPermissionDenied, "pkcs11.login", "token login failed", code);
  }
  return Ok();
}

}  // namespace edgetrust::certs::internal
