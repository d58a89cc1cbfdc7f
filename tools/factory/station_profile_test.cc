#include "tools/factory/station_profile.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

namespace edgetrust::factory {
namespace {

// ParamName names a parameterized case by its `name` field.
template <typename T>
std::string ParamName(const ::testing::TestParamInfo<T>& info) {
  return info.param.name;
}

constexpr const char* kPath = "/etc/edgetrust/station/profile.toml";

const std::string kService = R"([service]
operator_url = "https://enroll.example.com:9443"
device_url = "https://enroll.example.com:8443"
ca_bundle = "service-ca.pem"
)";

const std::string kStation = R"([station]
operator_key_uri = "pkcs11:token=station;object=operator"
operator_certificate = "certs/operator.pem"
)";

const std::string kMinimal = kService + kStation;

const std::string kFull = kService + R"([station]
operator_key_uri = "pkcs11:token=station;object=operator"
operator_certificate = "/etc/pki/operator.pem"
pkcs11_module = "/usr/lib/x86_64-linux-gnu/pkcs11/libp11-kit.so"
pin_file = "secrets/station.pin"

[enrollment]
ek_algorithm = "ecc384"
register = false
pcr_policy_id = "golden-2024"
tags = ["line7", "eu.west", "rack_2-b"]

[ek_ca]
key_uri = "pkcs11:token=factory;object=ek-ca"
certificate = "../pki/ek-ca.pem"
lifetime_days = 3650

[bundle]
out_dir = "/srv/bundles"
install_dir = "/etc/edgetrust"
device_tcti = "station"
state_dir = "{install_dir}/state"
socket = "/run/et.sock"
manifest_roots = "manifest-roots.pem"
staging_dir = "/data/staging"
store_dir = "/data/store"

[[bundle.principals]]
name = "edge-agent"
uid = 1000
endpoints = ["status", "sign"]

[[bundle.principals]]
name = "monitor"
uid = 1001
endpoints = ["status"]
)";

// LineOf returns the 1-based line of the first line of `text` containing `marker`.
int LineOf(const std::string& text, const std::string& marker) {
  const size_t at = text.find(marker);
  if (at == std::string::npos) return -1;
  int line = 1;
  for (size_t i = 0; i < at; ++i) line += text[i] == '\n' ? 1 : 0;
  return line;
}

std::string Replace(std::string text, const std::string& from, const std::string& to) {
  const size_t at = text.find(from);
  if (at == std::string::npos) {
    ADD_FAILURE() << "no " << from;
    return text;
  }
  return text.replace(at, from.size(), to);
}

TEST(StationProfileTest, MinimalProfileGetsTheDefaults) {
  auto p = ParseStationProfile(kMinimal, kPath);
  ASSERT_TRUE(p.has_value()) << p.error().ToString();
  EXPECT_EQ(p->source, kPath);
  EXPECT_EQ(p->operator_url, "https://enroll.example.com:9443");
  EXPECT_EQ(p->device_url, "https://enroll.example.com:8443");
  EXPECT_EQ(p->ca_bundle, "/etc/edgetrust/station/service-ca.pem");
  EXPECT_EQ(p->operator_key.key_uri, "pkcs11:token=station;object=operator");
  EXPECT_FALSE(p->operator_key.module_path.empty());
  EXPECT_EQ(p->operator_key.pin.kind, certs::PinSource::Kind::kEnvironment);
  EXPECT_EQ(p->operator_key.pin.location, "EDGETRUST_STATION_PIN");
  EXPECT_EQ(p->operator_certificate, "/etc/edgetrust/station/certs/operator.pem");
  EXPECT_EQ(p->ek_type, attestation::EkType::kRsa2048);
  EXPECT_EQ(p->ek_algorithm(), "rsa2048");
  EXPECT_TRUE(p->register_individual);
  EXPECT_EQ(p->pcr_policy_id, "");
  EXPECT_TRUE(p->tags.empty());
  EXPECT_FALSE(p->ek_ca.has_value());

  const BundleProfile& b = p->bundle;
  EXPECT_EQ(b.out_dir, "/etc/edgetrust/station/bundles");
  EXPECT_EQ(b.install_dir, "");
  EXPECT_EQ(b.device_tcti, "device:/dev/tpmrm0");
  EXPECT_EQ(b.state_dir, "/var/lib/edgetrust");
  EXPECT_EQ(b.socket, "/run/edgetrust/edgetrustd.sock");
  EXPECT_FALSE(b.manifest_roots.has_value());
  EXPECT_EQ(b.staging_dir, "/var/lib/edgetrust-gate/staging");
  EXPECT_EQ(b.store_dir, "/var/lib/edgetrust-gate/store");
  EXPECT_TRUE(b.principals.empty());
}

TEST(StationProfileTest, DefaultModuleComesFromTheEnvironment) {
  ASSERT_EQ(setenv("EDGETRUST_PKCS11_MODULE", "/opt/hsm/libvendor.so", 1), 0);
  auto p = ParseStationProfile(kMinimal, kPath);
  ASSERT_EQ(unsetenv("EDGETRUST_PKCS11_MODULE"), 0);
  ASSERT_TRUE(p.has_value()) << p.error().ToString();
  EXPECT_EQ(p->operator_key.module_path, "/opt/hsm/libvendor.so");
}

TEST(StationProfileTest, FullProfileReadsEveryTable) {
  auto p = ParseStationProfile(kFull, kPath);
  ASSERT_TRUE(p.has_value()) << p.error().ToString();
  EXPECT_EQ(p->operator_key.module_path, "/usr/lib/x86_64-linux-gnu/pkcs11/libp11-kit.so");
  EXPECT_EQ(p->operator_key.pin.kind, certs::PinSource::Kind::kFile);
  EXPECT_EQ(p->operator_key.pin.location, "/etc/edgetrust/station/secrets/station.pin");
  EXPECT_EQ(p->operator_certificate, "/etc/pki/operator.pem");  // absolute stays
  EXPECT_EQ(p->ek_type, attestation::EkType::kEccP384);
  EXPECT_EQ(p->ek_algorithm(), "ecc384");
  EXPECT_FALSE(p->register_individual);
  EXPECT_EQ(p->pcr_policy_id, "golden-2024");
  EXPECT_EQ(p->tags, (std::vector<std::string>{"line7", "eu.west", "rack_2-b"}));

  ASSERT_TRUE(p->ek_ca.has_value());
  EXPECT_EQ(p->ek_ca->key.key_uri, "pkcs11:token=factory;object=ek-ca");
  EXPECT_EQ(p->ek_ca->key.module_path, p->operator_key.module_path);  // inherited
  EXPECT_EQ(p->ek_ca->key.pin.kind, certs::PinSource::Kind::kFile);
  EXPECT_EQ(p->ek_ca->key.pin.location, p->operator_key.pin.location);
  EXPECT_EQ(p->ek_ca->certificate, "/etc/edgetrust/pki/ek-ca.pem");  // ".." resolved
  EXPECT_EQ(p->ek_ca->lifetime, std::chrono::hours(24 * 3650));

  const BundleProfile& b = p->bundle;
  EXPECT_EQ(b.out_dir, "/srv/bundles");
  EXPECT_EQ(b.install_dir, "/etc/edgetrust");
  EXPECT_EQ(b.device_tcti, "station");
  EXPECT_EQ(b.state_dir, "{install_dir}/state");  // expanded by the bundle, not the profile
  EXPECT_EQ(b.socket, "/run/et.sock");
  EXPECT_EQ(b.manifest_roots, "/etc/edgetrust/station/manifest-roots.pem");
  EXPECT_EQ(b.staging_dir, "/data/staging");
  EXPECT_EQ(b.store_dir, "/data/store");
  ASSERT_EQ(b.principals.size(), 2u);
  EXPECT_EQ(b.principals[0].name, "edge-agent");
  EXPECT_EQ(b.principals[0].uid, 1000);
  EXPECT_EQ(b.principals[0].endpoints, (std::vector<std::string>{"status", "sign"}));
  EXPECT_EQ(b.principals[1].name, "monitor");
  EXPECT_EQ(b.principals[1].uid, 1001);
  EXPECT_EQ(b.principals[1].endpoints, (std::vector<std::string>{"status"}));
}

TEST(StationProfileTest, EkCaDefaultsAndOwnKey) {
  // Station PIN from the environment, EK CA with its own module and PIN file, default lifetime.
  auto p = ParseStationProfile(kMinimal + R"([ek_ca]
key_uri = "pkcs11:token=factory;object=ek-ca"
certificate = "ek-ca.pem"
pkcs11_module = "/opt/other.so"
pin_file = "/run/secrets/ca.pin"
)",
                               kPath);
  ASSERT_TRUE(p.has_value()) << p.error().ToString();
  ASSERT_TRUE(p->ek_ca.has_value());
  EXPECT_EQ(p->ek_ca->key.module_path, "/opt/other.so");
  EXPECT_EQ(p->ek_ca->key.pin.kind, certs::PinSource::Kind::kFile);
  EXPECT_EQ(p->ek_ca->key.pin.location, "/run/secrets/ca.pin");
  EXPECT_EQ(p->ek_ca->certificate, "/etc/edgetrust/station/ek-ca.pem");
  EXPECT_EQ(p->ek_ca->lifetime, std::chrono::hours(24 * 365 * 20));
  // The station's key is left alone.
  EXPECT_EQ(p->operator_key.pin.kind, certs::PinSource::Kind::kEnvironment);
  EXPECT_NE(p->operator_key.module_path, "/opt/other.so");

  auto inherited = ParseStationProfile(kMinimal + R"([ek_ca]
key_uri = "pkcs11:token=factory;object=ek-ca"
certificate = "ek-ca.pem"
)",
                                       kPath);
  ASSERT_TRUE(inherited.has_value()) << inherited.error().ToString();
  EXPECT_EQ(inherited->ek_ca->key.module_path, inherited->operator_key.module_path);
  EXPECT_EQ(inherited->ek_ca->key.pin.kind, certs::PinSource::Kind::kEnvironment);
  EXPECT_EQ(inherited->ek_ca->key.pin.location, "EDGETRUST_STATION_PIN");
}

TEST(StationProfileTest, RelativePathsFollowTheProfile) {
  struct Case {
    std::string path;
    std::string ca_bundle;
    std::string out_dir;
  };
  const std::string cwd = std::filesystem::current_path().string();
  for (const Case& c : {Case{"/a/b/p.toml", "/a/b/service-ca.pem", "/a/b/bundles"},
                        Case{"/p.toml", "/service-ca.pem", "/bundles"},
                        Case{"rel/p.toml", cwd + "/rel/service-ca.pem", cwd + "/rel/bundles"}}) {
    SCOPED_TRACE(c.path);
    auto p = ParseStationProfile(kMinimal, c.path);
    ASSERT_TRUE(p.has_value()) << p.error().ToString();
    EXPECT_EQ(p->ca_bundle, c.ca_bundle);
    EXPECT_EQ(p->bundle.out_dir, c.out_dir);
  }
  auto p =
      ParseStationProfile(kMinimal + "[bundle]\nout_dir = \"out/../batches\"\n", "/a/b/p.toml");
  ASSERT_TRUE(p.has_value()) << p.error().ToString();
  EXPECT_EQ(p->bundle.out_dir, "/a/b/batches");
}

TEST(StationProfileTest, EachEkAlgorithm) {
  for (auto [name, type] : {std::pair{"rsa2048", attestation::EkType::kRsa2048},
                            std::pair{"ecc256", attestation::EkType::kEccP256},
                            std::pair{"ecc384", attestation::EkType::kEccP384}}) {
    auto p = ParseStationProfile(
        kMinimal + "[enrollment]\nek_algorithm = \"" + std::string(name) + "\"\n", kPath);
    ASSERT_TRUE(p.has_value()) << p.error().ToString();
    EXPECT_EQ(p->ek_type, type);
    EXPECT_EQ(p->ek_algorithm(), name);
  }
}

struct BadCase {
  const char* name;
  std::string text;
  std::string marker;  // text on the blamed line; "" = line 1
  std::string key;     // the dotted key the message names
};

class StationProfileBadTest : public ::testing::TestWithParam<BadCase> {};

TEST_P(StationProfileBadTest, NamesFileLineAndKey) {
  const BadCase& c = GetParam();
  auto p = ParseStationProfile(c.text, kPath);
  ASSERT_FALSE(p.has_value());
  EXPECT_EQ(p.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(p.error().reason, "config.invalid");
  const int line = c.marker.empty() ? 1 : LineOf(c.text, c.marker);
  ASSERT_GT(line, 0) << "marker not in text: " << c.marker;
  const std::string prefix = std::string(kPath) + ":" + std::to_string(line) + ": " + c.key + ":";
  EXPECT_TRUE(p.error().message.starts_with(prefix))
      << p.error().message << "\nexpected prefix: " << prefix;
}

INSTANTIATE_TEST_SUITE_P(
    Cases, StationProfileBadTest,
    ::testing::Values(
        BadCase{"MissingService", kStation, "", "service"},
        BadCase{"ServiceNotATable", "service = 1\n" + kStation, "service = 1", "service"},
        BadCase{"MissingStation", kService, "", "station"},
        BadCase{"HttpOperatorUrl",
                Replace(kMinimal, "\"https://enroll.example.com:9443\"",
                        "\"http://enroll.example.com:9443\""),
                "operator_url", "service.operator_url"},
        BadCase{"HttpDeviceUrl",
                Replace(kMinimal, "\"https://enroll.example.com:8443\"",
                        "\"http://enroll.example.com:8443\""),
                "device_url", "service.device_url"},
        BadCase{"MissingCaBundle", Replace(kMinimal, "ca_bundle = \"service-ca.pem\"\n", ""),
                "[service]", "service.ca_bundle"},
        BadCase{"EmptyOperatorUrl",
                Replace(kMinimal, "\"https://enroll.example.com:9443\"", "\"\""), "operator_url",
                "service.operator_url"},
        BadCase{"ControlCharInUrl",
                Replace(kMinimal, "\"https://enroll.example.com:9443\"",
                        "\"https://enroll.example.com:9443\\n\""),
                "operator_url", "service.operator_url"},
        BadCase{"KeyUriNotPkcs11",
                Replace(kMinimal, "\"pkcs11:token=station;object=operator\"",
                        "\"/etc/station/key.pem\""),
                "operator_key_uri", "station.operator_key_uri"},
        BadCase{"KeyUriWithPinValue",
                Replace(kMinimal, "\"pkcs11:token=station;object=operator\"",
                        "\"pkcs11:token=station;object=operator?pin-value=1234\""),
                "operator_key_uri", "station.operator_key_uri"},
        BadCase{"EkCaKeyUriWithPinValue",
                kMinimal + "[ek_ca]\nkey_uri = \"pkcs11:token=f;object=ca?pin-value=0000\"\n"
                           "certificate = \"ca.pem\"\n",
                "key_uri = \"pkcs11:token=f", "ek_ca.key_uri"},
        BadCase{"EkCaKeyUriNotPkcs11",
                kMinimal + "[ek_ca]\nkey_uri = \"file:ca.key\"\ncertificate = \"ca.pem\"\n",
                "key_uri = \"file", "ek_ca.key_uri"},
        BadCase{"UnknownTopLevelKey", "verbose = true\n" + kMinimal, "verbose", "verbose"},
        BadCase{"UnknownTopLevelTable", kMinimal + "[servcie]\nx = 1\n", "[servcie]", "servcie"},
        BadCase{"UnknownServiceKey",
                Replace(kMinimal, "[service]\n", "[service]\ntimeout = \"5s\"\n"), "timeout",
                "service.timeout"},
        BadCase{"UnknownStationKey", kMinimal + "operator_pin = \"1234\"\n", "operator_pin",
                "station.operator_pin"},
        BadCase{"UnknownEnrollmentKey", kMinimal + "[enrollment]\ngroup = \"g\"\n", "group",
                "enrollment.group"},
        BadCase{"UnknownEkCaKey",
                kMinimal +
                    "[ek_ca]\nkey_uri = \"pkcs11:token=f;object=ca\"\ncertificate = \"ca.pem\"\n"
                    "lifetime = 5\n",
                "lifetime =", "ek_ca.lifetime"},
        BadCase{"UnknownBundleKey", kMinimal + "[bundle]\nconfig_dir = \"/etc\"\n", "config_dir",
                "bundle.config_dir"},
        BadCase{"UnknownPrincipalKey",
                kMinimal +
                    "[[bundle.principals]]\nname = \"a\"\nuid = 1\nendpoints = [\"status\"]\n"
                    "gid = 1\n",
                "gid", "bundle.principals.gid"},
        BadCase{"BadEkAlgorithm", kMinimal + "[enrollment]\nek_algorithm = \"rsa4096\"\n",
                "ek_algorithm", "enrollment.ek_algorithm"},
        BadCase{"EkAlgorithmNotAString", kMinimal + "[enrollment]\nek_algorithm = 2048\n",
                "ek_algorithm", "enrollment.ek_algorithm"},
        BadCase{"BadTag", kMinimal + "[enrollment]\ntags = [\"ok\", \"not ok\"]\n", "tags",
                "enrollment.tags"},
        BadCase{"EmptyTag", kMinimal + "[enrollment]\ntags = [\"\"]\n", "tags", "enrollment.tags"},
        BadCase{"TagsNotStrings", kMinimal + "[enrollment]\ntags = [1]\n", "tags",
                "enrollment.tags"},
        BadCase{"TagsNotAnArray", kMinimal + "[enrollment]\ntags = \"line7\"\n", "tags",
                "enrollment.tags"},
        BadCase{"RegisterNotBool", kMinimal + "[enrollment]\nregister = \"yes\"\n", "register",
                "enrollment.register"},
        BadCase{"RegisterInteger", kMinimal + "[enrollment]\nregister = 1\n", "register",
                "enrollment.register"},
        BadCase{"LifetimeZero",
                kMinimal +
                    "[ek_ca]\nkey_uri = \"pkcs11:token=f;object=ca\"\ncertificate = \"ca.pem\"\n"
                    "lifetime_days = 0\n",
                "lifetime_days", "ek_ca.lifetime_days"},
        BadCase{"LifetimeTooLong",
                kMinimal +
                    "[ek_ca]\nkey_uri = \"pkcs11:token=f;object=ca\"\ncertificate = \"ca.pem\"\n"
                    "lifetime_days = 36501\n",
                "lifetime_days", "ek_ca.lifetime_days"},
        BadCase{"LifetimeNotInteger",
                kMinimal +
                    "[ek_ca]\nkey_uri = \"pkcs11:token=f;object=ca\"\ncertificate = \"ca.pem\"\n"
                    "lifetime_days = \"10y\"\n",
                "lifetime_days", "ek_ca.lifetime_days"},
        BadCase{"EkCaMissingCertificate",
                kMinimal + "[ek_ca]\nkey_uri = \"pkcs11:token=f;object=ca\"\n", "[ek_ca]",
                "ek_ca.certificate"},
        BadCase{"RelativeInstallDir", kMinimal + "[bundle]\ninstall_dir = \"etc/edgetrust\"\n",
                "install_dir", "bundle.install_dir"},
        BadCase{"PrincipalWithoutUid",
                kMinimal + "[[bundle.principals]]\nname = \"a\"\nendpoints = [\"status\"]\n",
                "[[bundle.principals]]", "bundle.principals.uid"},
        BadCase{"PrincipalsNotTables", kMinimal + "[bundle]\nprincipals = [1]\n", "principals",
                "bundle.principals"}),
    ParamName<BadCase>);

TEST(StationProfileTest, LifetimeBoundsAreInclusive) {
  for (int days : {1, 36500}) {
    auto p = ParseStationProfile(
        kMinimal +
            "[ek_ca]\nkey_uri = \"pkcs11:token=f;object=ca\"\ncertificate = \"ca.pem\"\n"
            "lifetime_days = " +
            std::to_string(days) + "\n",
        kPath);
    ASSERT_TRUE(p.has_value()) << p.error().ToString();
    EXPECT_EQ(p->ek_ca->lifetime, std::chrono::hours(24 * days));
  }
}

TEST(StationProfileTest, BadTomlIsASyntaxError) {
  for (const std::string& text : {kMinimal + "[enrollment\n", kMinimal + "tags = [\"a\"\n",
                                  kService + kService + kStation, std::string("x = \"\xff\"\n")}) {
    SCOPED_TRACE(text);
    auto p = ParseStationProfile(text, kPath);
    ASSERT_FALSE(p.has_value());
    EXPECT_EQ(p.error().code, ErrorCode::kInvalidArgument);
    EXPECT_EQ(p.error().reason, "config.syntax");
    EXPECT_TRUE(p.error().message.starts_with(std::string(kPath) + ":")) << p.error().message;
  }
}

}  // namespace
}  // namespace edgetrust::factory
