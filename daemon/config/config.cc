#include "daemon/config/config.h"

#include <sys/un.h>

#include <toml++/toml.h>

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <map>
#include <optional>

#include "daemon/api/wire.h"
#include "daemon/config/toml_reader.h"
#include "enrollment/api/wire.h"

namespace edgetrust::daemon::config {
namespace {

using internal::Invalid;
using internal::Reader;

constexpr int64_t kMaxUid = 4294967294;  // (uid_t)-1 means "no uid" to chown(2) and friends

// ValidServiceUrl: "https://<authority>[/path]", no credentials, no blanks.
std::optional<std::string> ServiceUrlProblem(std::string_view url) {
  constexpr std::string_view kScheme = "https://";
  if (!url.starts_with(kScheme)) {
    return "must be an https:// URL (the enrollment service is reached over TLS only)";
  }
  std::string_view rest = url.substr(kScheme.size());
  std::string_view authority = rest.substr(0, rest.find_first_of("/?#"));
  if (authority.empty() || authority.starts_with(':')) return "has no host";
  if (authority.find('@') != std::string_view::npos) {
    return "must not carry credentials (user@host)";
  }
  if (url.find(' ') != std::string_view::npos) return "must not contain spaces";
  return std::nullopt;
}

Status ReadEnrollment(Reader& root, DaemonConfig& out) {
  auto table = root.Table("enrollment", true);
  if (!table) return Fail(table.error());
  Reader r(**table, "enrollment", root.source());
  auto url = r.RequiredString("service_url");
  if (!url) return Fail(url.error());
  if (auto problem = ServiceUrlProblem(*url)) {
    return r.Invalid("service_url", (*table)->get("service_url"), *problem);
  }
  out.service_url = *url;
  auto ca = r.RequiredString("ca_bundle");
  if (!ca) return Fail(ca.error());
  // The daemon's working directory is "/" under systemd: a relative path would mean nothing.
  if (!ca->starts_with('/')) {
    return r.Invalid("ca_bundle", (*table)->get("ca_bundle"), "must be an absolute path");
  }
  out.ca_bundle = *ca;
  auto id = r.OptionalString("registration_id");
  if (!id) return Fail(id.error());
  if (id->has_value()) {
    if (!enrollment::api::ValidRegistrationId(**id)) {
      return r.Invalid("registration_id", (*table)->get("registration_id"),
                       "expected 1-128 of [A-Za-z0-9._:-], not starting with '.' or '-'");
    }
    out.registration_id = **id;
  }
  if (auto ok = r.Enum("ek_algorithm", attestation::ParseEkType, "rsa2048, ecc256 or ecc384",
                       out.ek_type);
      !ok) {
    return ok;
  }
  return r.Finish();
}

Status ReadKeys(Reader& root, DaemonConfig& out) {
  auto table = root.Table("keys", false);
  if (!table || *table == nullptr) return table ? Ok() : Fail(table.error());
  Reader r(**table, "keys", root.source());
  for (auto [key, target] : {std::pair{"attestation", &out.ak_algorithm},
                             std::pair{"identity", &out.identity_algorithm}}) {
    if (auto ok = r.Enum(key, attestation::ParseKeyAlgorithm, "ecc256 or rsa2048", *target); !ok) {
      return ok;
    }
  }
  return r.Finish();
}

Status ReadRenewal(Reader& root, DaemonConfig& out) {
  auto table = root.Table("renewal", false);
  if (!table || *table == nullptr) return table ? Ok() : Fail(table.error());
  Reader r(**table, "renewal", root.source());
  if (const toml::node* node = r.Get("threshold")) {
    std::optional<double> value;
    if (const auto* f = node->as_floating_point()) value = f->get();
    if (const auto* i = node->as_integer()) value = static_cast<double>(i->get());
    if (!value) return r.Invalid("threshold", node, "expected a number");
    if (!(*value > 0.0 && *value < 1.0)) {  // also refuses nan
      return r.Invalid("threshold", node, "must be in (0, 1): a fraction of the lifetime");
    }
    out.renew_threshold = *value;
  }
  auto initial = r.OptionalDuration("retry_initial");
  if (!initial) return Fail(initial.error());
  if (initial->has_value()) out.retry_initial = **initial;
  auto max = r.OptionalDuration("retry_max");
  if (!max) return Fail(max.error());
  if (max->has_value()) out.retry_max = **max;
  if (out.retry_initial > out.retry_max) {
    // Blame the key the operator wrote; with both written, the first one.
    return initial->has_value() ? r.Invalid("retry_initial", (*table)->get("retry_initial"),
                                            "must not exceed renewal.retry_max")
                                : r.Invalid("retry_max", (*table)->get("retry_max"),
                                            "must not be below renewal.retry_initial (default 1s)");
  }
  return r.Finish();
}

bool ValidPrincipalName(std::string_view name) {
  return !name.empty() && name.size() <= 64 && std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_' || c == '.';
  });
}

std::string EndpointChoices() {
  std::string out;
  for (api::Endpoint e :
       {api::Endpoint::kStatus, api::Endpoint::kCertificate, api::Endpoint::kSign,
        api::Endpoint::kReenroll, api::Endpoint::kFactoryReset, api::Endpoint::kDeploy,
        api::Endpoint::kPlan, api::Endpoint::kReportHealth}) {
    out += (out.empty() ? "" : ", ") + std::string(api::EndpointName(e));
  }
  return out;
}

Result<Principal> ReadPrincipal(const toml::table& table, const std::string& path,
                                std::string_view source) {
  Reader r(table, path, source);
  Principal p;
  auto name = r.RequiredString("name");
  if (!name) return Fail(name.error());
  if (!ValidPrincipalName(*name)) {
    return r.Invalid("name", table.get("name"), "expected 1-64 of [A-Za-z0-9._-]");
  }
  p.name = *name;
  const toml::node* uid = r.Get("uid");
  if (uid == nullptr) return r.Invalid("uid", nullptr, "required, missing");
  if (!uid->is_integer() || uid->as_integer()->get() < 0 || uid->as_integer()->get() > kMaxUid) {
    return r.Invalid("uid", uid, "expected an integer uid from 0 to " + std::to_string(kMaxUid));
  }
  p.uid = static_cast<uid_t>(uid->as_integer()->get());
  const toml::node* endpoints = r.Get("endpoints");
  if (endpoints == nullptr) return r.Invalid("endpoints", nullptr, "required, missing");
  const toml::array* list = endpoints->as_array();
  if (list == nullptr) return r.Invalid("endpoints", endpoints, "expected an array of names");
  if (list->empty()) {
    return r.Invalid("endpoints", endpoints, "must name at least one endpoint");
  }
  for (size_t i = 0; i < list->size(); ++i) {
    const toml::node& item = *list->get(i);
    const std::string item_name = r.Name("endpoints") + "[" + std::to_string(i) + "]";
    const auto* text = item.as_string();
    auto endpoint = text != nullptr ? api::ParseEndpoint(text->get()) : std::nullopt;
    if (!endpoint) {
      return Invalid(source, item, item_name, "expected one of " + EndpointChoices());
    }
    if (!p.endpoints.insert(*endpoint).second) {
      return Invalid(source, item, item_name, "\"" + text->get() + "\" is listed twice");
    }
  }
  if (auto ok = r.Finish(); !ok) return Fail(ok.error());
  return p;
}

Status ReadLocalApi(Reader& root, DaemonConfig& out) {
  auto table = root.Table("local_api", false);
  if (!table || *table == nullptr) return table ? Ok() : Fail(table.error());
  Reader r(**table, "local_api", root.source());
  auto socket = r.AbsolutePath("socket");
  if (!socket) return Fail(socket.error());
  if (socket->has_value()) {
    if ((*socket)->size() > api::kMaxSocketPathLength) {
      return r.Invalid("socket", (*table)->get("socket"),
                       "longer than " + std::to_string(api::kMaxSocketPathLength) +
                           " bytes (a Unix socket path holds 107, and the daemon binds a "
                           "temporary name beside it first)");
    }
    out.socket_path = **socket;
  }
  if (const toml::node* node = r.Get("principals")) {
    const toml::array* list = node->as_array();
    if (list == nullptr) return r.Invalid("principals", node, "expected [[local_api.principals]]");
    std::map<std::string, size_t> names;
    std::map<uid_t, size_t> uids;
    for (size_t i = 0; i < list->size(); ++i) {
      const toml::node& item = *list->get(i);
      const std::string path = r.Name("principals") + "[" + std::to_string(i) + "]";
      if (!item.is_table()) return Invalid(r.source(), item, path, "expected a table");
      auto p = ReadPrincipal(*item.as_table(), path, r.source());
      if (!p) return Fail(p.error());
      const toml::table& t = *item.as_table();
      if (auto [it, fresh] = names.emplace(p->name, i); !fresh) {
        return Invalid(r.source(), *t.get("name"), path + ".name",
                       "\"" + p->name + "\" is already used by principals[" +
                           std::to_string(it->second) + "]");
      }
      if (auto [it, fresh] = uids.emplace(p->uid, i); !fresh) {
        return Invalid(r.source(), *t.get("uid"), path + ".uid",
                       std::to_string(p->uid) + " is already used by principals[" +
                           std::to_string(it->second) + "] (\"" + out.principals[it->second].name +
                           "\"); merge their endpoints");
      }
      out.principals.push_back(std::move(*p));
    }
  }
  return r.Finish();
}

Result<LogLevel> ParseLogLevel(std::string_view name) {
  static constexpr std::pair<std::string_view, LogLevel> kLevels[] = {
      {"debug", LogLevel::kDebug},
      {"info", LogLevel::kInfo},
      {"warning", LogLevel::kWarning},
      {"error", LogLevel::kError}};
  for (const auto& [level_name, level] : kLevels) {
    if (level_name == name) return level;
  }
  return Fail(ErrorCode::kInvalidArgument, "config.invalid", "unknown log level");
}

}  // namespace

Result<DaemonConfig> ParseDaemonConfig(std::string_view text, std::string_view source) {
  if (text.size() > kMaxDaemonConfigSize) {
    return Fail(ErrorCode::kResourceExhausted, "config.too_large",
                std::string(source) + ": larger than 1 MiB");
  }
  auto root_table = toml_config::Parse(text, source);
  if (!root_table) return Fail(root_table.error());
  DaemonConfig config;
  Reader root(*root_table, "", source);
  auto tcti = root.RequiredString("tcti");
  if (!tcti) return Fail(tcti.error());
  config.tcti = *tcti;
  auto state_dir = root.AbsolutePath("state_dir");
  if (!state_dir) return Fail(state_dir.error());
  if (state_dir->has_value()) config.state_dir = **state_dir;
  if (auto ok =
          root.Enum("log_level", ParseLogLevel, "debug, info, warning or error", config.log_level);
      !ok) {
    return Fail(ok.error());
  }
  for (auto read : {ReadEnrollment, ReadKeys, ReadRenewal, ReadLocalApi, internal::ReadGate}) {
    if (auto ok = read(root, config); !ok) return Fail(ok.error());
  }
  if (auto ok = root.Finish(); !ok) return Fail(ok.error());
  return config;
}

}  // namespace edgetrust::daemon::config
