#include "certs/testing/softhsm_token.h"

#include <stdlib.h>

#include <filesystem>
#include <fstream>

#include "certs/pkcs11_uri.h"
#include "common/file.h"

namespace edgetrust::certs::testing {

SoftHsmToken::SoftHsmToken(std::string dir, std::string label, std::string pin)
    : dir_(std::move(dir)),
      conf_path_(dir_ + "/softhsm2.conf"),
      label_(std::move(label)),
      pin_(std::move(pin)),
      pin_file_(dir_ + "/pin") {}

Result<std::unique_ptr<SoftHsmToken>> SoftHsmToken::Create(const std::string& label,
                                                           const std::string& pin) {
  const char* tmp = getenv("TMPDIR");
  std::string templ =
      std::string(tmp != nullptr && tmp[0] == '/' ? tmp : "/tmp") + "/edgetrust-softhsm.XXXXXX";
  if (mkdtemp(templ.data()) == nullptr) {
    return Fail(ErrorCode::kUnavailable, "softhsm.setup", "mkdtemp failed for " + templ);
  }
  std::unique_ptr<SoftHsmToken> token(new SoftHsmToken(templ, label, pin));
  std::error_code ec;
  std::filesystem::create_directory(token->dir_ + "/tokens", ec);
  std::string conf = "directories.tokendir = " + token->dir_ +
                     "/tokens\nobjectstore.backend = file\nlog.level = ERROR\n"
                     "slots.removable = false\nslots.mechanisms = ALL\n"
                     "library.reset_on_fork = false\n";
  if (ec || !WriteFileAtomic(token->conf_path_, AsBytes(conf), 0600) ||
      !WriteFileAtomic(token->pin_file_, AsBytes(pin), 0600)) {
    return Fail(ErrorCode::kUnavailable, "softhsm.setup", "cannot write " + token->dir_);
  }
  setenv("SOFTHSM2_CONF", token->conf_path_.c_str(), 1);
  if (auto added = token->AddToken(label); !added) return Fail(added.error());
  return token;
}

SoftHsmToken::~SoftHsmToken() {
  unsetenv("SOFTHSM2_CONF");
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

Status SoftHsmToken::AddToken(const std::string& label) const {
  ShellResult r = RunShell("SOFTHSM2_CONF=" + ShellQuote(conf_path_) +
                           " softhsm2-util --init-token --free --label " + ShellQuote(label) +
                           " --pin " + ShellQuote(pin_) + " --so-pin " + ShellQuote(pin_));
  if (r.exit_code != 0) {
    return Fail(ErrorCode::kUnavailable, "softhsm.setup", "softhsm2-util: " + r.output);
  }
  return Ok();
}

std::string SoftHsmToken::KeyUri(const std::string& key_label) const {
  Pkcs11Uri uri;
  uri.token = label_;
  uri.object = key_label;
  uri.type = "private";
  return uri.ToString();
}

Pkcs11Config SoftHsmToken::ConfigFor(const std::string& key_label) const {
  return Pkcs11Config{kSoftHsmModule, KeyUri(key_label),
                      PinSource{PinSource::Kind::kFile, pin_file_}};
}

std::string SoftHsmToken::Pkcs11ToolArgs() const {
  return "--module " + ShellQuote(kSoftHsmModule) + " --token-label " + ShellQuote(label_) +
         " --login --pin " + ShellQuote(pin_);
}

}  // namespace edgetrust::certs::testing
