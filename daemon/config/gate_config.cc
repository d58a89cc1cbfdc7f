// The [gate] table of edgetrustd's configuration (config.h).
#include <string>

#include "daemon/config/toml_reader.h"

namespace edgetrust::daemon::config::internal {
namespace {

constexpr int64_t kOwnerNvFirst = 0x01000000;
constexpr int64_t kOwnerNvLast = 0x013FFFFF;
// Raising the floor costs one TPM2_NV_Increment per version, under the TPM lock, and TPMs
// rate-limit NV writes: versions must be dense, and one healthy report may cost at most this.
constexpr int64_t kMaxVersionJump = 1000;

bool IsTag(std::string_view s) {
  if (s.empty() || s.size() > 64) return false;
  for (char c : s) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

bool IsOid(std::string_view s) {
  if (s.empty() || s.front() == '.' || s.back() == '.' || s.find("..") != std::string::npos) {
    return false;
  }
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || c == '.')) return false;
  }
  return s.find('.') != std::string::npos;
}

// Integer reads an optional integer in [min, max].
Status Integer(Reader& r, std::string_view key, int64_t min, int64_t max, int64_t& out) {
  const toml::node* node = r.Get(key);
  if (node == nullptr) return Ok();
  const auto* value = node->as_integer();
  if (value == nullptr) return r.Invalid(key, node, "expected an integer");
  if (value->get() < min || value->get() > max) {
    return r.Invalid(key, node, "must be in " + std::to_string(min) + ".." + std::to_string(max));
  }
  out = value->get();
  return Ok();
}

Status RequiredPath(Reader& r, const toml::table& table, std::string_view key, std::string& out) {
  auto value = r.RequiredString(key);
  if (!value) return Fail(value.error());
  if (!value->starts_with('/')) return r.Invalid(key, table.get(key), "must be an absolute path");
  out = *value;
  return Ok();
}

// StringList reads an optional array of strings, each passing `valid`.
Status StringList(Reader& r, std::string_view key, bool (*valid)(std::string_view),
                  std::string_view rule, std::vector<std::string>& out) {
  const toml::node* node = r.Get(key);
  if (node == nullptr) return Ok();
  const toml::array* list = node->as_array();
  if (list == nullptr) return r.Invalid(key, node, "expected an array of strings");
  for (size_t i = 0; i < list->size(); ++i) {
    const toml::node& item = *list->get(i);
    const std::string name = std::string(key) + "[" + std::to_string(i) + "]";
    const auto* text = item.as_string();
    if (text == nullptr || !valid(text->get())) return r.Invalid(name, &item, rule);
    out.push_back(text->get());
  }
  return Ok();
}

bool IsAbsolutePath(std::string_view s) {
  if (!s.starts_with('/')) return false;
  for (char c : s) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return false;
  }
  return true;
}

Status ReadNvIndex(Reader& r, uint32_t& out) {
  const toml::node* node = r.Get("nv_index");
  if (node == nullptr) return Ok();
  int64_t value = -1;
  if (const auto* i = node->as_integer()) {
    value = i->get();
  } else if (const auto* s = node->as_string(); s != nullptr && s->get().starts_with("0x")) {
    const std::string& text = s->get();
    auto [end, ec] = std::from_chars(text.data() + 2, text.data() + text.size(), value, 16);
    if (ec != std::errc() || end != text.data() + text.size() || text.size() == 2) value = -1;
  }
  if (value < kOwnerNvFirst || value > kOwnerNvLast) {
    return r.Invalid("nv_index", node,
                     "expected an owner NV index 0x01000000..0x013FFFFF (\"0x...\" or integer)");
  }
  out = static_cast<uint32_t>(value);
  return Ok();
}

}  // namespace

Status ReadGate(Reader& root, DaemonConfig& out) {
  auto table = root.Table("gate", false);
  if (!table || *table == nullptr) return table ? Ok() : Fail(table.error());
  Reader r(**table, "gate", root.source());
  GateConfig& gate = out.gate;
  gate.enabled = true;
  for (auto [key, field] :
       {std::pair{"trust_roots", &gate.trust_roots}, std::pair{"staging_dir", &gate.staging_dir},
        std::pair{"store_dir", &gate.store_dir}}) {
    if (auto ok = RequiredPath(r, **table, key, *field); !ok) return ok;
  }
  if (auto ok = StringList(r, "crls", IsAbsolutePath, "must be an absolute path", gate.crls); !ok) {
    return ok;
  }
  if (auto ok = StringList(r, "tags", IsTag, "expected 1-64 of [A-Za-z0-9._-]", gate.tags); !ok) {
    return ok;
  }
  int64_t min_signers = gate.min_signers, pcr = gate.pcr;
  int64_t jump = static_cast<int64_t>(gate.max_version_jump);
  if (auto ok = Integer(r, "min_signers", 1, 8, min_signers); !ok) return ok;
  if (auto ok = Integer(r, "pcr", 0, 15, pcr); !ok) return ok;
  if (auto ok = Integer(r, "max_version_jump", 1, kMaxVersionJump, jump); !ok) return ok;
  gate.min_signers = static_cast<uint32_t>(min_signers);
  gate.pcr = static_cast<uint32_t>(pcr);
  gate.max_version_jump = static_cast<uint64_t>(jump);
  if (auto ok = ReadNvIndex(r, gate.nv_index); !ok) return ok;
  auto eku = r.OptionalString("signer_eku");
  if (!eku) return Fail(eku.error());
  if (*eku) {
    if (!IsOid(**eku))
      return r.Invalid("signer_eku", (*table)->get("signer_eku"), "expected an OID");
    gate.signer_eku = **eku;
  }
  return r.Finish();
}

}  // namespace edgetrust::daemon::config::internal
