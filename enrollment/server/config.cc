#include "enrollment/server/config.h"

#include <charconv>
#include <filesystem>
#include <optional>

#include "common/file.h"
#include "common/toml_reader.h"

namespace edgetrust::enrollment::server {
namespace {

using toml_config::Reader;

// OptionalDuration reads a duration in seconds: an integer, or a string "<n>s|m|h|d".
Result<std::optional<std::chrono::seconds>> OptionalDuration(Reader& r, std::string_view key) {
  const toml::node* node = r.Get(key);
  if (node == nullptr) return std::optional<std::chrono::seconds>();
  Result<std::chrono::seconds> d = Fail(ErrorCode::kInvalidArgument, "", "");
  if (const auto* i = node->as_integer()) {
    d = ParseDuration(std::to_string(i->get()));
  } else if (const auto* s = node->as_string()) {
    d = ParseDuration(s->get());
  }
  if (!d) {
    return r.Invalid(key, node, "expected a duration such as \"60s\", \"5m\", \"24h\", \"30d\"");
  }
  return std::optional<std::chrono::seconds>(*d);
}

std::string Resolve(std::string_view base_dir, const std::string& path) {
  if (path.empty() || path.front() == '/' || base_dir.empty()) return path;
  return (std::filesystem::path(base_dir) / path).lexically_normal().string();
}

Status ReadListener(Reader& parent, std::string_view name, bool is_operator,
                    std::string_view source, std::string_view base_dir, ListenerConfig& out) {
  auto table = parent.Table(name, true);
  if (!table) return Fail(table.error());
  Reader r(**table, parent.Name(name), source);
  auto address = r.RequiredString("address");
  if (!address) return Fail(address.error());
  out.address = *address;
  auto port = r.OptionalInteger("port", 1, 65535);
  if (!port) return Fail(port.error());
  if (!port->has_value()) return r.Invalid("port", nullptr, "required, missing");
  out.port = static_cast<uint16_t>(**port);
  auto chain = r.RequiredString("tls_certificate_chain");
  if (!chain) return Fail(chain.error());
  out.certificate_chain_file = Resolve(base_dir, *chain);
  auto key = r.RequiredString("tls_key_uri");
  if (!key) return Fail(key.error());
  if (!key->starts_with("pkcs11:")) {
    return r.Invalid("tls_key_uri", nullptr, "must be a pkcs11: URI (keys stay in the token)");
  }
  out.key_uri = *key;
  if (is_operator) {
    auto ca = r.RequiredString("client_ca");
    if (!ca) return Fail(ca.error());
    out.client_ca_file = Resolve(base_dir, *ca);
  }
  return r.Finish();
}

Status ReadCa(Reader& root, std::string_view source, std::string_view base_dir, ServerConfig& out) {
  auto table = root.Table("ca", true);
  if (!table) return Fail(table.error());
  Reader r(**table, "ca", source);
  auto module = r.RequiredString("pkcs11_module");
  if (!module) return Fail(module.error());
  out.pkcs11_module = *module;
  auto key = r.RequiredString("key_uri");
  if (!key) return Fail(key.error());
  out.ca_key_uri = *key;
  auto chain = r.RequiredString("chain");
  if (!chain) return Fail(chain.error());
  out.ca_chain_file = Resolve(base_dir, *chain);
  auto pin_file = r.OptionalString("pin_file");
  if (!pin_file) return Fail(pin_file.error());
  auto pin_env = r.OptionalString("pin_env");
  if (!pin_env) return Fail(pin_env.error());
  if (pin_file->has_value() == pin_env->has_value()) {
    return r.Invalid("pin_file", nullptr, "exactly one of pin_file and pin_env is required");
  }
  if (pin_file->has_value()) {
    out.pin = {certs::PinSource::Kind::kFile, Resolve(base_dir, **pin_file)};
  } else {
    out.pin = {certs::PinSource::Kind::kEnvironment, **pin_env};
  }
  return r.Finish();
}

Status ReadOptions(Reader& root, std::string_view source, service::ServiceOptions& out) {
  auto table = root.Table("options", false);
  if (!table) return Fail(table.error());
  if (*table == nullptr) return Ok();
  Reader r(**table, "options", source);
  struct DurationKey {
    const char* key;
    std::chrono::seconds* target;
  };
  for (DurationKey d :
       {DurationKey{"challenge_ttl", &out.challenge_ttl}, DurationKey{"nonce_ttl", &out.nonce_ttl},
        DurationKey{"certificate_lifetime", &out.certificate_lifetime},
        DurationKey{"crl_validity", &out.crl_validity}}) {
    auto value = OptionalDuration(r, d.key);
    if (!value) return Fail(value.error());
    if (value->has_value()) *d.target = **value;
  }
  auto pending = r.OptionalInteger("max_pending_challenges", 1, 10'000'000);
  if (!pending) return Fail(pending.error());
  if (pending->has_value()) out.max_pending_challenges = static_cast<size_t>(**pending);
  auto uri_san = r.OptionalString("uri_san_template");
  if (!uri_san) return Fail(uri_san.error());
  if (uri_san->has_value()) out.uri_san_template = **uri_san;
  auto dns = r.OptionalString("dns_san_suffix");
  if (!dns) return Fail(dns.error());
  if (dns->has_value()) out.dns_san_suffix = **dns;
  return r.Finish();
}

Result<std::string> ReadSingleString(Reader& root, std::string_view table_name,
                                     std::string_view key, std::string_view source) {
  auto table = root.Table(table_name, true);
  if (!table) return Fail(table.error());
  Reader r(**table, std::string(table_name), source);
  auto value = r.RequiredString(key);
  if (!value) return Fail(value.error());
  if (auto ok = r.Finish(); !ok) return Fail(ok.error());
  return *value;
}

Status ReadLog(Reader& root, std::string_view source, LogLevel& out) {
  auto table = root.Table("log", false);
  if (!table) return Fail(table.error());
  if (*table == nullptr) return Ok();
  Reader r(**table, "log", source);
  auto level = r.OptionalString("level");
  if (!level) return Fail(level.error());
  if (level->has_value()) {
    const std::string& l = **level;
    if (l == "debug")
      out = LogLevel::kDebug;
    else if (l == "info")
      out = LogLevel::kInfo;
    else if (l == "warning")
      out = LogLevel::kWarning;
    else if (l == "error")
      out = LogLevel::kError;
    else
      return r.Invalid("level", nullptr, "expected debug, info, warning or error");
  }
  return r.Finish();
}

}  // namespace

Result<std::chrono::seconds> ParseDuration(std::string_view text) {
  if (text.empty()) return Fail(ErrorCode::kInvalidArgument, "config.invalid", "empty duration");
  int64_t unit = 1;
  std::string_view digits = text;
  switch (text.back()) {
    case 's':
      unit = 1;
      digits.remove_suffix(1);
      break;
    case 'm':
      unit = 60;
      digits.remove_suffix(1);
      break;
    case 'h':
      unit = 3600;
      digits.remove_suffix(1);
      break;
    case 'd':
      unit = 86400;
      digits.remove_suffix(1);
      break;
    default:
      break;
  }
  int64_t value = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (digits.empty() || ec != std::errc() || end != digits.data() + digits.size() || value <= 0 ||
      value > 100LL * 365 * 86400 / unit) {
    return Fail(ErrorCode::kInvalidArgument, "config.invalid",
                "bad duration '" + std::string(text) + "'");
  }
  return std::chrono::seconds(value * unit);
}

Result<ServerConfig> ParseConfig(std::string_view text, std::string_view source,
                                 std::string_view base_dir) {
  auto root_table = toml_config::Parse(text, source);
  if (!root_table) return Fail(root_table.error());
  ServerConfig config;
  Reader root(*root_table, "", source);
  auto listeners = root.Table("listeners", true);
  if (!listeners) return Fail(listeners.error());
  Reader lr(**listeners, "listeners", source);
  if (auto ok = ReadListener(lr, "device", false, source, base_dir, config.device); !ok) {
    return Fail(ok.error());
  }
  if (auto ok = ReadListener(lr, "operator", true, source, base_dir, config.operator_listener);
      !ok) {
    return Fail(ok.error());
  }
  if (auto ok = lr.Finish(); !ok) return Fail(ok.error());
  if (auto ok = ReadCa(root, source, base_dir, config); !ok) return Fail(ok.error());
  auto url = ReadSingleString(root, "store", "url", source);
  if (!url) return Fail(url.error());
  if (url->starts_with("sqlite:") && url->size() > 7 && (*url)[7] != '/') {
    *url = "sqlite:" + Resolve(base_dir, url->substr(7));
  }
  config.store_url = *url;
  auto audit = ReadSingleString(root, "audit", "log", source);
  if (!audit) return Fail(audit.error());
  config.audit_log = Resolve(base_dir, *audit);
  if (auto ok = ReadOptions(root, source, config.options); !ok) return Fail(ok.error());
  if (auto ok = ReadLog(root, source, config.log_level); !ok) return Fail(ok.error());
  if (auto ok = root.Finish(); !ok) return Fail(ok.error());
  return config;
}

Result<ServerConfig> LoadConfig(const std::string& path) {
  auto bytes = ReadFile(path, 1024 * 1024);
  if (!bytes) {
    return Fail(
        bytes.error().code == ErrorCode::kNotFound ? ErrorCode::kNotFound : ErrorCode::kUnavailable,
        "config.unreadable", "cannot read config " + path + ": " + bytes.error().message);
  }
  std::string text(bytes->begin(), bytes->end());
  std::string dir = std::filesystem::path(path).parent_path().string();
  if (dir.empty()) dir = ".";
  return ParseConfig(text, path, std::filesystem::absolute(dir).lexically_normal().string());
}

}  // namespace edgetrust::enrollment::server
