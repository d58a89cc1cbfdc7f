// GeneratePkcs11EcKey through the raw PKCS#11 API: libp11 0.4.12 cannot generate EC keys.
// The module is the one libp11 may also have loaded in this process (dlopen returns the same
// instance), so this code never finalizes or logs out a module it did not initialize or log
// in itself, and closes only its own session; ModuleMutex() keeps libp11 out meanwhile.
#include <dlfcn.h>
#include <p11-kit/pkcs11.h>

#include <algorithm>
#include <cstring>
#include <mutex>

#include "certs/pkcs11_module.h"
#include "certs/pkcs11_signer.h"
#include "certs/pkcs11_uri.h"
#include "common/crypto.h"

namespace edgetrust::certs {
namespace {

std::unexpected<Error> Ck(CK_RV rv, std::string_view call) {
  return Fail(ErrorCode::kInternal, "pkcs11.failed",
              std::string(call) + " returned CKR 0x" +
                  HexEncode(Bytes{static_cast<uint8_t>(rv >> 24), static_cast<uint8_t>(rv >> 16),
                                  static_cast<uint8_t>(rv >> 8), static_cast<uint8_t>(rv)}),
              rv);
}

// Library owns the dlopen handle and, when it initialized the module, finalizes it.
class Library {
 public:
  ~Library() {
    if (initialized_ && functions_ != nullptr) functions_->C_Finalize(nullptr);
    if (handle_ != nullptr) dlclose(handle_);
  }
  Status Open(const std::string& path) {
    handle_ = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (handle_ == nullptr) {
      return Fail(ErrorCode::kUnavailable, "pkcs11.module", "cannot load " + path);
    }
    auto get_list = reinterpret_cast<CK_C_GetFunctionList>(dlsym(handle_, "C_GetFunctionList"));
    if (get_list == nullptr || get_list(&functions_) != CKR_OK || functions_ == nullptr) {
      return Fail(ErrorCode::kUnavailable, "pkcs11.module", path + " is not a PKCS#11 module");
    }
    CK_C_INITIALIZE_ARGS args{};
    args.flags = CKF_OS_LOCKING_OK;
    CK_RV rv = functions_->C_Initialize(&args);
    if (rv == CKR_OK) {
      initialized_ = true;
    } else if (rv != CKR_CRYPTOKI_ALREADY_INITIALIZED) {
      return Fail(ErrorCode::kUnavailable, "pkcs11.module", "C_Initialize failed for " + path, rv);
    }
    return Ok();
  }
  CK_FUNCTION_LIST* f() const { return functions_; }

 private:
  void* handle_ = nullptr;
  CK_FUNCTION_LIST* functions_ = nullptr;
  bool initialized_ = false;
};

// Session owns one session; it logs out only if it logged in.
class Session {
 public:
  explicit Session(CK_FUNCTION_LIST* f) : f_(f) {}
  ~Session() {
    if (logged_in_) f_->C_Logout(handle_);
    if (open_) f_->C_CloseSession(handle_);
  }
  Status Open(CK_SLOT_ID slot) {
    CK_RV rv =
        f_->C_OpenSession(slot, CKF_SERIAL_SESSION | CKF_RW_SESSION, nullptr, nullptr, &handle_);
    if (rv != CKR_OK) return Ck(rv, "C_OpenSession");
    open_ = true;
    return Ok();
  }
  Status Login(const SecretBytes& pin) {
    Bytes copy(pin.RevealForCrypto().begin(), pin.RevealForCrypto().end());
    CK_RV rv = f_->C_Login(handle_, CKU_USER, copy.data(), copy.size());
    WipeBytes(copy);
    if (rv == CKR_USER_ALREADY_LOGGED_IN) return Ok();
    if (rv == CKR_PIN_INCORRECT || rv == CKR_PIN_LOCKED || rv == CKR_PIN_INVALID) {
      return Fail(ErrorCode::kPermissionDenied, "pkcs11.login", "token login failed", rv);
    }
    if (rv != CKR_OK) return Ck(rv, "C_Login");
    logged_in_ = true;
    return Ok();
  }
  CK_SESSION_HANDLE handle() const { return handle_; }

 private:
  CK_FUNCTION_LIST* f_;
  CK_SESSION_HANDLE handle_ = 0;
  bool open_ = false;
  bool logged_in_ = false;
};

std::string TrimLabel(const unsigned char (&label)[32]) {
  std::string out(reinterpret_cast<const char*>(label), sizeof(label));
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

Result<CK_SLOT_ID> FindSlot(CK_FUNCTION_LIST* f, const Pkcs11Uri& uri) {
  CK_ULONG count = 0;
  if (CK_RV rv = f->C_GetSlotList(CK_TRUE, nullptr, &count); rv != CKR_OK) {
    return Ck(rv, "C_GetSlotList");
  }
  std::vector<CK_SLOT_ID> slots(count);
  if (CK_RV rv = f->C_GetSlotList(CK_TRUE, slots.data(), &count); rv != CKR_OK) {
    return Ck(rv, "C_GetSlotList");
  }
  for (CK_ULONG i = 0; i < count; ++i) {
    CK_TOKEN_INFO info{};
    if (f->C_GetTokenInfo(slots[i], &info) != CKR_OK) continue;
    if ((info.flags & CKF_TOKEN_INITIALIZED) == 0 || TrimLabel(info.label) != uri.token) continue;
    if (!uri.serial.empty()) {
      std::string serial(reinterpret_cast<const char*>(info.serialNumber),
                         sizeof(info.serialNumber));
      while (!serial.empty() && serial.back() == ' ') serial.pop_back();
      if (serial != uri.serial) continue;
    }
    return slots[i];
  }
  return Fail(ErrorCode::kNotFound, "pkcs11.no_token", "no token labelled '" + uri.token + "'");
}

Result<bool> HasKeyLabelled(CK_FUNCTION_LIST* f, CK_SESSION_HANDLE s, const std::string& label) {
  CK_OBJECT_CLASS classes[] = {CKO_PRIVATE_KEY, CKO_PUBLIC_KEY};
  for (CK_OBJECT_CLASS cls : classes) {
    CK_ATTRIBUTE tmpl[] = {{CKA_CLASS, &cls, sizeof(cls)},
                           {CKA_LABEL, const_cast<char*>(label.data()), label.size()}};
    if (CK_RV rv = f->C_FindObjectsInit(s, tmpl, 2); rv != CKR_OK) {
      return Ck(rv, "C_FindObjectsInit");
    }
    CK_OBJECT_HANDLE found = 0;
    CK_ULONG n = 0;
    CK_RV rv = f->C_FindObjects(s, &found, 1, &n);
    f->C_FindObjectsFinal(s);
    if (rv != CKR_OK) return Ck(rv, "C_FindObjects");
    if (n > 0) return true;
  }
  return false;
}

}  // namespace

Status GeneratePkcs11EcKey(const Pkcs11Config& config) {
  auto uri = Pkcs11Uri::Parse(config.key_uri);
  if (!uri) return Fail(uri.error());
  if (uri->token.empty() || uri->object.empty()) {
    return Fail(ErrorCode::kInvalidArgument, "pkcs11.bad_uri",
                "generating a key needs token= and object= in the URI");
  }
  auto pin = ReadPin(config.pin);
  if (!pin) return Fail(pin.error());
  Bytes id = uri->id;
  if (id.empty()) {  // libp11 pairs private and public objects by CKA_ID: always set one
    auto random = RandomBytes(16);
    if (!random) return Fail(random.error());
    id = std::move(*random);
  }

  std::lock_guard lock(internal::ModuleMutex());
  Library lib;
  if (auto opened = lib.Open(config.module_path); !opened) return opened;
  CK_FUNCTION_LIST* f = lib.f();
  auto slot = FindSlot(f, *uri);
  if (!slot) return Fail(slot.error());
  Session session(f);
  if (auto st = session.Open(*slot); !st) return st;
  if (auto st = session.Login(*pin); !st) return st;
  auto exists = HasKeyLabelled(f, session.handle(), uri->object);
  if (!exists) return Fail(exists.error());
  if (*exists) {
    return Fail(ErrorCode::kAlreadyExists, "pkcs11.key_exists",
                "token '" + uri->token + "' already holds a key labelled '" + uri->object + "'");
  }

  static const CK_BYTE kP256Oid[] = {0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07};
  CK_BBOOL yes = CK_TRUE;
  CK_BBOOL no = CK_FALSE;
  std::string label = uri->object;
  CK_ATTRIBUTE public_tmpl[] = {
      {CKA_TOKEN, &yes, sizeof(yes)},
      {CKA_PRIVATE, &no, sizeof(no)},
      {CKA_VERIFY, &yes, sizeof(yes)},
      {CKA_ENCRYPT, &no, sizeof(no)},
      {CKA_WRAP, &no, sizeof(no)},
      {CKA_EC_PARAMS, const_cast<CK_BYTE*>(kP256Oid), sizeof(kP256Oid)},
      {CKA_LABEL, label.data(), label.size()},
      {CKA_ID, id.data(), id.size()},
  };
  CK_ATTRIBUTE private_tmpl[] = {
      {CKA_TOKEN, &yes, sizeof(yes)},          {CKA_PRIVATE, &yes, sizeof(yes)},
      {CKA_SENSITIVE, &yes, sizeof(yes)},      {CKA_EXTRACTABLE, &no, sizeof(no)},
      {CKA_SIGN, &yes, sizeof(yes)},           {CKA_DECRYPT, &no, sizeof(no)},
      {CKA_UNWRAP, &no, sizeof(no)},           {CKA_DERIVE, &no, sizeof(no)},
      {CKA_LABEL, label.data(), label.size()}, {CKA_ID, id.data(), id.size()},
  };
  CK_MECHANISM mechanism{CKM_EC_KEY_PAIR_GEN, nullptr, 0};
  CK_OBJECT_HANDLE public_handle = 0;
  CK_OBJECT_HANDLE private_handle = 0;
  CK_RV rv =
      f->C_GenerateKeyPair(session.handle(), &mechanism, public_tmpl, std::size(public_tmpl),
                           private_tmpl, std::size(private_tmpl), &public_handle, &private_handle);
  if (rv != CKR_OK) return Ck(rv, "C_GenerateKeyPair");
  return Ok();
}

}  // namespace edgetrust::certs
