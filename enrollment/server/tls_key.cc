#include "enrollment/server/tls_key.h"

#include <libp11.h>
#include <openssl/evp.h>

#include <cstring>
#include <vector>

#include "common/log.h"

namespace edgetrust::enrollment::server {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

Result<std::string> PercentDecode(std::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out.push_back(text[i]);
      continue;
    }
    if (i + 2 >= text.size()) {
      return Fail(ErrorCode::kInvalidArgument, "tls.bad_key_uri", "truncated %-escape");
    }
    int hi = HexValue(text[i + 1]);
    int lo = HexValue(text[i + 2]);
    if (hi < 0 || lo < 0) {
      return Fail(ErrorCode::kInvalidArgument, "tls.bad_key_uri", "bad %-escape");
    }
    out.push_back(static_cast<char>(hi * 16 + lo));
    i += 2;
  }
  return out;
}

}  // namespace

Result<Pkcs11KeyUri> ParsePkcs11KeyUri(std::string_view uri) {
  constexpr std::string_view kScheme = "pkcs11:";
  if (!uri.starts_with(kScheme)) {
    return Fail(ErrorCode::kInvalidArgument, "tls.bad_key_uri", "key URI must start with pkcs11:");
  }
  std::string_view rest = uri.substr(kScheme.size());
  if (rest.find('?') != std::string_view::npos) {
    return Fail(ErrorCode::kInvalidArgument, "tls.bad_key_uri",
                "key URI must not carry query attributes (PINs come from pin_file/pin_env)");
  }
  Pkcs11KeyUri out;
  bool have_token = false;
  while (!rest.empty()) {
    size_t end = rest.find(';');
    std::string_view attr = rest.substr(0, end);
    rest = end == std::string_view::npos ? std::string_view{} : rest.substr(end + 1);
    size_t eq = attr.find('=');
    if (eq == std::string_view::npos) {
      return Fail(ErrorCode::kInvalidArgument, "tls.bad_key_uri", "attribute without '='");
    }
    std::string_view name = attr.substr(0, eq);
    auto value = PercentDecode(attr.substr(eq + 1));
    if (!value) return Fail(value.error());
    if (name == "token") {
      out.token = *value;
      have_token = true;
    } else if (name == "object") {
      out.label = *value;
    } else if (name == "id") {
      out.id = Bytes(value->begin(), value->end());
    } else if (name == "type") {
      if (*value != "private") {
        return Fail(ErrorCode::kInvalidArgument, "tls.bad_key_uri", "type must be private");
      }
    } else {
      return Fail(ErrorCode::kInvalidArgument, "tls.bad_key_uri",
                  "unsupported attribute '" + std::string(name) + "'");
    }
  }
  if (!have_token || out.token.empty() || (!out.label && !out.id)) {
    return Fail(ErrorCode::kInvalidArgument, "tls.bad_key_uri",
                "key URI needs token= and object= or id=");
  }
  return out;
}

struct TlsKey::Pkcs11State {
  PKCS11_CTX* ctx = nullptr;
  PKCS11_SLOT* slots = nullptr;
  unsigned int slot_count = 0;
  bool loaded = false;

  ~Pkcs11State() {
    if (slots != nullptr) PKCS11_release_all_slots(ctx, slots, slot_count);
    // Do not PKCS11_CTX_unload: C_Finalize would also end the sessions of any other libp11
    // context of this process on the same module (the CA signer shares the token).
    if (ctx != nullptr) PKCS11_CTX_free(ctx);
  }
};

TlsKey::TlsKey(std::unique_ptr<Pkcs11State> state, evp_pkey_st* pkey)
    : state_(std::move(state)), pkey_(pkey) {}

TlsKey::~TlsKey() { EVP_PKEY_free(pkey_); }

Result<std::unique_ptr<TlsKey>> TlsKey::Open(const std::string& module_path,
                                             std::string_view key_uri, const SecretBytes& pin) {
  auto uri = ParsePkcs11KeyUri(key_uri);
  if (!uri) return Fail(uri.error());
  auto state = std::make_unique<Pkcs11State>();
  state->ctx = PKCS11_CTX_new();
  if (state->ctx == nullptr) {
    return Fail(ErrorCode::kInternal, "pkcs11.failed", "PKCS11_CTX_new failed");
  }
  if (PKCS11_CTX_load(state->ctx, module_path.c_str()) != 0) {
    return Fail(ErrorCode::kUnavailable, "pkcs11.module",
                "cannot load PKCS#11 module " + module_path);
  }
  state->loaded = true;
  if (PKCS11_enumerate_slots(state->ctx, &state->slots, &state->slot_count) != 0) {
    return Fail(ErrorCode::kInternal, "pkcs11.failed", "PKCS11_enumerate_slots failed");
  }
  PKCS11_SLOT* slot = nullptr;
  for (unsigned int i = 0; i < state->slot_count; ++i) {
    PKCS11_SLOT* s = &state->slots[i];
    if (s->token != nullptr && s->token->initialized != 0 && s->token->label != nullptr &&
        uri->token == s->token->label) {
      slot = s;
      break;
    }
  }
  if (slot == nullptr) {
    return Fail(ErrorCode::kNotFound, "pkcs11.no_token", "no token labelled '" + uri->token + "'");
  }
  int logged_in = 0;
  if (PKCS11_is_logged_in(slot, 0, &logged_in) != 0) logged_in = 0;
  if (logged_in == 0) {
    // libp11 wants a C string; copy the PIN into a buffer we wipe.
    std::vector<char> pin_text(pin.size() + 1, '\0');
    std::memcpy(pin_text.data(), pin.RevealForCrypto().data(), pin.size());
    int rc = PKCS11_login(slot, 0, pin_text.data());
    WipeMemory(pin_text.data(), pin_text.size());
    if (rc != 0) {
      return Fail(ErrorCode::kPermissionDenied, "pkcs11.login",
                  "login to token '" + uri->token + "' failed");
    }
  }
  PKCS11_KEY* keys = nullptr;
  unsigned int key_count = 0;
  if (PKCS11_enumerate_keys(slot->token, &keys, &key_count) != 0) {
    return Fail(ErrorCode::kInternal, "pkcs11.failed", "PKCS11_enumerate_keys failed");
  }
  PKCS11_KEY* key = nullptr;
  for (unsigned int i = 0; i < key_count; ++i) {
    PKCS11_KEY* k = &keys[i];
    if (k->isPrivate == 0) continue;
    if (uri->label && (k->label == nullptr || *uri->label != k->label)) continue;
    if (uri->id &&
        (k->id_len != uri->id->size() || std::memcmp(k->id, uri->id->data(), k->id_len) != 0)) {
      continue;
    }
    key = k;
    break;
  }
  if (key == nullptr) {
    return Fail(ErrorCode::kNotFound, "pkcs11.no_key",
                "no private key matching the URI in token '" + uri->token + "'");
  }
  EVP_PKEY* pkey = PKCS11_get_private_key(key);
  if (pkey == nullptr) {
    return Fail(ErrorCode::kInternal, "pkcs11.failed", "PKCS11_get_private_key failed");
  }
  return std::unique_ptr<TlsKey>(new TlsKey(std::move(state), pkey));
}

}  // namespace edgetrust::enrollment::server
