#include "tools/factory/station_profile.h"

#include <cstdlib>
#include <filesystem>

#include "common/file.h"
#include "common/toml_reader.h"
#include "enrollment/api/wire.h"
#include "tools/factory/names.h"
#include "tools/factory/tcti_policy.h"

namespace edgetrust::factory {
namespace {

using toml_config::Reader;

constexpr size_t kMaxProfileSize = 1024 * 1024;

std::string DefaultModule() {
  const char* value = std::getenv("EDGETRUST_PKCS11_MODULE");
  if (value != nullptr && *value != '\0') return value;
  return "/usr/lib/softhsm/libsofthsm2.so";
}

// Resolver makes relative paths in the profile relative to its directory.
struct Resolver {
  std::filesystem::path base;
  std::string operator()(const std::string& path) const {
    if (path.empty() || path.starts_with('/')) return path;
    return (base / path).lexically_normal().string();
  }
};

Result<std::string> RequiredPath(Reader& r, std::string_view key, const Resolver& resolve) {
  auto value = r.RequiredString(key);
  if (!value) return Fail(value.error());
  return resolve(*value);
}

Status OptionalString(Reader& r, std::string_view key, std::string& out) {
  auto value = r.OptionalString(key);
  if (!value) return Fail(value.error());
  if (value->has_value()) out = **value;
  return Ok();
}

Result<std::vector<std::string>> StringArray(Reader& r, std::string_view key) {
  std::vector<std::string> out;
  const toml::node* node = r.Get(key);
  if (node == nullptr) return out;
  const toml::array* list = node->as_array();
  if (list == nullptr) return r.Invalid(key, node, "expected an array of strings");
  for (const toml::node& item : *list) {
    const auto* text = item.as_string();
    if (text == nullptr) return r.Invalid(key, &item, "expected an array of strings");
    out.push_back(text->get());
  }
  return out;
}

Result<std::vector<std::string>> Tags(Reader& r, std::string_view key) {
  auto tags = StringArray(r, key);
  if (!tags) return tags;
  for (const std::string& tag : *tags) {
    if (!IsValidTag(tag)) {
      return r.Invalid(key, r.Get(key), "\"" + tag + "\" is not a tag ([A-Za-z0-9._-]{1,64})");
    }
  }
  return tags;
}

Status ReadService(Reader& root, StationProfile& out, const Resolver& resolve) {
  auto table = root.Table("service", true);
  if (!table) return Fail(table.error());
  Reader r(**table, "service", root.source());
  auto operator_url = r.RequiredString("operator_url");
  if (!operator_url) return Fail(operator_url.error());
  out.operator_url = *operator_url;
  auto device_url = r.RequiredString("device_url");
  if (!device_url) return Fail(device_url.error());
  out.device_url = *device_url;
  for (auto [key, url] :
       {std::pair{"operator_url", &out.operator_url}, std::pair{"device_url", &out.device_url}}) {
    if (!url->starts_with("https://")) {
      return r.Invalid(key, (*table)->get(key), "must be an https:// URL");
    }
  }
  auto ca_bundle = RequiredPath(r, "ca_bundle", resolve);
  if (!ca_bundle) return Fail(ca_bundle.error());
  out.ca_bundle = *ca_bundle;
  return r.Finish();
}

// ReadKey reads module, key_uri and pin_file of a PKCS#11 key table.
Status ReadKey(Reader& r, std::string_view uri_key, const Resolver& resolve,
               certs::Pkcs11Config& out) {
  auto uri = r.RequiredString(uri_key);
  if (!uri) return Fail(uri.error());
  if (!uri->starts_with("pkcs11:") || uri->find("pin-value") != std::string::npos) {
    return r.Invalid(uri_key, r.Get(uri_key),
                     "expected a pkcs11: URI without pin-value (the PIN comes from pin_file)");
  }
  out.key_uri = *uri;
  if (auto ok = OptionalString(r, "pkcs11_module", out.module_path); !ok) return ok;
  auto pin_file = r.OptionalString("pin_file");
  if (!pin_file) return Fail(pin_file.error());
  if (pin_file->has_value()) {
    out.pin = {certs::PinSource::Kind::kFile, resolve(**pin_file)};
  }
  return Ok();
}

Status ReadStation(Reader& root, StationProfile& out, const Resolver& resolve) {
  auto table = root.Table("station", true);
  if (!table) return Fail(table.error());
  Reader r(**table, "station", root.source());
  out.operator_key.module_path = DefaultModule();
  out.operator_key.pin = {certs::PinSource::Kind::kEnvironment, "EDGETRUST_STATION_PIN"};
  if (auto ok = ReadKey(r, "operator_key_uri", resolve, out.operator_key); !ok) return ok;
  auto certificate = RequiredPath(r, "operator_certificate", resolve);
  if (!certificate) return Fail(certificate.error());
  out.operator_certificate = *certificate;
  if (const toml::node* node = r.Get("software_tpm"); node != nullptr) {
    const auto* value = node->as_boolean();
    if (value == nullptr) return r.Invalid("software_tpm", node, "expected true or false");
    out.software_tpm = value->get();
  }
  return r.Finish();
}

Status ReadEnrollment(Reader& root, StationProfile& out) {
  auto table = root.Table("enrollment", false);
  if (!table) return Fail(table.error());
  if (*table == nullptr) return Ok();
  Reader r(**table, "enrollment", root.source());
  if (auto ok = r.Enum("ek_algorithm", attestation::ParseEkType, "rsa2048, ecc256 or ecc384",
                       out.ek_type);
      !ok) {
    return ok;
  }
  if (const toml::node* node = r.Get("register"); node != nullptr) {
    const auto* value = node->as_boolean();
    if (value == nullptr) return r.Invalid("register", node, "expected true or false");
    out.register_individual = value->get();
  }
  if (auto ok = OptionalString(r, "pcr_policy_id", out.pcr_policy_id); !ok) return ok;
  if (!out.pcr_policy_id.empty() && !enrollment::api::ValidRegistrationId(out.pcr_policy_id)) {
    return r.Invalid("pcr_policy_id", r.Get("pcr_policy_id"),
                     "expected 1-128 of [A-Za-z0-9._:-], not starting with '.' or '-'");
  }
  auto tags = Tags(r, "tags");
  if (!tags) return Fail(tags.error());
  out.tags = std::move(*tags);
  return r.Finish();
}

Status ReadEkCa(Reader& root, StationProfile& out, const Resolver& resolve) {
  auto table = root.Table("ek_ca", false);
  if (!table) return Fail(table.error());
  if (*table == nullptr) return Ok();
  Reader r(**table, "ek_ca", root.source());
  EkCaProfile ca;
  ca.key = out.operator_key;  // module and PIN default to the station's token
  if (auto ok = ReadKey(r, "key_uri", resolve, ca.key); !ok) return ok;
  auto certificate = RequiredPath(r, "certificate", resolve);
  if (!certificate) return Fail(certificate.error());
  ca.certificate = *certificate;
  if (const toml::node* node = r.Get("lifetime_days"); node != nullptr) {
    const auto* days = node->as_integer();
    if (days == nullptr || days->get() < 1 || days->get() > 36500) {
      return r.Invalid("lifetime_days", node, "expected an integer from 1 to 36500");
    }
    ca.lifetime = std::chrono::hours(24 * days->get());
  }
  out.ek_ca = std::move(ca);
  return r.Finish();
}

Status ReadPrincipals(Reader& r, BundleProfile& out) {
  const toml::node* node = r.Get("principals");
  if (node == nullptr) return Ok();
  const toml::array* list = node->as_array();
  if (list == nullptr) return r.Invalid("principals", node, "expected [[bundle.principals]]");
  for (const toml::node& item : *list) {
    if (!item.is_table()) return r.Invalid("principals", &item, "expected a table");
    Reader p(*item.as_table(), "bundle.principals", r.source());
    BundlePrincipal principal;
    auto name = p.RequiredString("name");
    if (!name) return Fail(name.error());
    principal.name = *name;
    const toml::node* uid = p.Get("uid");
    if (uid == nullptr || !uid->is_integer()) return p.Invalid("uid", uid, "expected an integer");
    principal.uid = uid->as_integer()->get();
    auto endpoints = StringArray(p, "endpoints");
    if (!endpoints) return Fail(endpoints.error());
    principal.endpoints = std::move(*endpoints);
    if (auto ok = p.Finish(); !ok) return ok;
    out.principals.push_back(std::move(principal));
  }
  return Ok();
}

Status ReadBundle(Reader& root, StationProfile& out, const Resolver& resolve) {
  BundleProfile& b = out.bundle;
  b.out_dir = resolve("bundles");
  auto table = root.Table("bundle", false);
  if (!table) return Fail(table.error());
  if (*table == nullptr) return Ok();
  Reader r(**table, "bundle", root.source());
  if (auto ok = OptionalString(r, "out_dir", b.out_dir); !ok) return ok;
  b.out_dir = resolve(b.out_dir);
  for (auto [key, value] :
       {std::pair{"install_dir", &b.install_dir}, std::pair{"device_tcti", &b.device_tcti},
        std::pair{"state_dir", &b.state_dir}, std::pair{"socket", &b.socket},
        std::pair{"staging_dir", &b.staging_dir}, std::pair{"store_dir", &b.store_dir}}) {
    if (auto ok = OptionalString(r, key, *value); !ok) return ok;
  }
  if (b.device_tcti != "station") {
    if (auto ok = CheckTcti(b.device_tcti, true); !ok) {
      return r.Invalid("device_tcti", (*table)->get("device_tcti"), ok.error().message);
    }
  }
  if (!b.install_dir.empty() && !b.install_dir.starts_with('/')) {
    return r.Invalid("install_dir", (*table)->get("install_dir"),
                     "must be an absolute path, or left out (the bundle directory itself)");
  }
  auto roots = r.OptionalString("manifest_roots");
  if (!roots) return Fail(roots.error());
  if (roots->has_value()) b.manifest_roots = resolve(**roots);
  if (auto ok = ReadPrincipals(r, b); !ok) return ok;
  return r.Finish();
}

}  // namespace

Result<StationProfile> ParseStationProfile(std::string_view text, const std::string& path) {
  if (text.size() > kMaxProfileSize) {
    return Fail(ErrorCode::kResourceExhausted, "config.too_large", path + ": larger than 1 MiB");
  }
  auto table = toml_config::Parse(text, path);
  if (!table) return Fail(table.error());
  StationProfile profile;
  profile.source = path;
  const Resolver resolve{std::filesystem::absolute(path).parent_path()};
  Reader root(*table, "", path);
  if (auto ok = ReadService(root, profile, resolve); !ok) return Fail(ok.error());
  if (auto ok = ReadStation(root, profile, resolve); !ok) return Fail(ok.error());
  if (auto ok = ReadEnrollment(root, profile); !ok) return Fail(ok.error());
  if (auto ok = ReadEkCa(root, profile, resolve); !ok) return Fail(ok.error());
  if (auto ok = ReadBundle(root, profile, resolve); !ok) return Fail(ok.error());
  if (auto ok = root.Finish(); !ok) return Fail(ok.error());
  return profile;
}

Result<StationProfile> LoadStationProfile(const std::string& path) {
  auto bytes = ReadFile(path, kMaxProfileSize + 1);
  if (!bytes) return Fail(bytes.error());
  return ParseStationProfile(
      std::string_view(reinterpret_cast<const char*>(bytes->data()), bytes->size()), path);
}

}  // namespace edgetrust::factory
