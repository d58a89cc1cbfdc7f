#include "enrollment/server/config.h"

#include <gtest/gtest.h>

#include <string>

namespace edgetrust::enrollment::server {
namespace {

constexpr const char* kGood = R"(
[listeners.device]
address = "0.0.0.0"
port = 8443
tls_certificate_chain = "tls/device.pem"
tls_key_uri = "pkcs11:token=edgetrust;object=tls;type=private"

[listeners.operator]
address = "127.0.0.1"
port = 9443
tls_certificate_chain = "/etc/edgetrust/operator.pem"
tls_key_uri = "pkcs11:token=edgetrust;object=tls;type=private"
client_ca = "operator-ca.pem"

[ca]
pkcs11_module = "/usr/lib/softhsm/libsofthsm2.so"
key_uri = "pkcs11:token=edgetrust;object=device-ca;type=private"
pin_file = "hsm.pin"
chain = "ca-chain.pem"

[store]
url = "sqlite:registry.db"

[audit]
log = "/var/log/edgetrust/audit.jsonl"

[options]
challenge_ttl = "90s"
max_pending_challenges = 500
nonce_ttl = 600
certificate_lifetime = "7d"
crl_validity = "12h"
uri_san_template = "urn:example:{id}"
dns_san_suffix = "devices.example.com"

[log]
level = "debug"
)";

std::string Replace(std::string text, const std::string& from, const std::string& to) {
  size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

Error ParseError(const std::string& text) {
  auto config = ParseConfig(text, "test.toml", "/etc/edgetrust");
  EXPECT_FALSE(config.has_value());
  return config ? Error{} : config.error();
}

TEST(ConfigTest, ParsesEveryKeyAndResolvesRelativePaths) {
  auto config = ParseConfig(kGood, "test.toml", "/etc/edgetrust");
  ASSERT_TRUE(config.has_value()) << config.error().ToString();
  EXPECT_EQ(config->device.address, "0.0.0.0");
  EXPECT_EQ(config->device.port, 8443);
  EXPECT_EQ(config->device.certificate_chain_file, "/etc/edgetrust/tls/device.pem");
  EXPECT_EQ(config->device.client_ca_file, "");
  EXPECT_EQ(config->operator_listener.port, 9443);
  EXPECT_EQ(config->operator_listener.certificate_chain_file, "/etc/edgetrust/operator.pem");
  EXPECT_EQ(config->operator_listener.client_ca_file, "/etc/edgetrust/operator-ca.pem");
  EXPECT_EQ(config->pkcs11_module, "/usr/lib/softhsm/libsofthsm2.so");
  EXPECT_EQ(config->ca_key_uri, "pkcs11:token=edgetrust;object=device-ca;type=private");
  EXPECT_EQ(config->pin.kind, certs::PinSource::Kind::kFile);
  EXPECT_EQ(config->pin.location, "/etc/edgetrust/hsm.pin");
  EXPECT_EQ(config->ca_chain_file, "/etc/edgetrust/ca-chain.pem");
  EXPECT_EQ(config->store_url, "sqlite:/etc/edgetrust/registry.db");
  EXPECT_EQ(config->audit_log, "/var/log/edgetrust/audit.jsonl");
  EXPECT_EQ(config->options.challenge_ttl, std::chrono::seconds(90));
  EXPECT_EQ(config->options.max_pending_challenges, 500u);
  EXPECT_EQ(config->options.nonce_ttl, std::chrono::seconds(600));
  EXPECT_EQ(config->options.certificate_lifetime, std::chrono::hours(24 * 7));
  EXPECT_EQ(config->options.crl_validity, std::chrono::hours(12));
  EXPECT_EQ(config->options.uri_san_template, "urn:example:{id}");
  EXPECT_EQ(config->options.dns_san_suffix, "devices.example.com");
  EXPECT_EQ(config->log_level, LogLevel::kDebug);
}

TEST(ConfigTest, OptionsDefaultWhenAbsent) {
  std::string text(kGood);
  text = text.substr(0, text.find("[options]"));
  auto config = ParseConfig(text, "test.toml", "/etc/edgetrust");
  ASSERT_TRUE(config.has_value()) << config.error().ToString();
  service::ServiceOptions defaults;
  EXPECT_EQ(config->options.challenge_ttl, defaults.challenge_ttl);
  EXPECT_EQ(config->options.certificate_lifetime, defaults.certificate_lifetime);
  EXPECT_EQ(config->log_level, LogLevel::kInfo);
}

TEST(ConfigTest, PinFromEnvironment) {
  auto config = ParseConfig(Replace(kGood, "pin_file = \"hsm.pin\"", "pin_env = \"HSM_PIN\""),
                            "test.toml", "/etc/edgetrust");
  ASSERT_TRUE(config.has_value()) << config.error().ToString();
  EXPECT_EQ(config->pin.kind, certs::PinSource::Kind::kEnvironment);
  EXPECT_EQ(config->pin.location, "HSM_PIN");
}

TEST(ConfigTest, SyntaxErrorNamesTheLine) {
  Error e = ParseError(Replace(kGood, "port = 8443", "port = = 8443"));
  EXPECT_EQ(e.code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(e.reason, "config.syntax");
  EXPECT_NE(e.message.find("test.toml:4:"), std::string::npos) << e.message;
}

TEST(ConfigTest, WrongTypeNamesKeyAndLine) {
  Error e = ParseError(Replace(kGood, "port = 8443", "port = \"8443\""));
  EXPECT_EQ(e.reason, "config.invalid");
  EXPECT_NE(e.message.find("test.toml:4: listeners.device.port: expected an integer"),
            std::string::npos)
      << e.message;
}

TEST(ConfigTest, PortOutOfRange) {
  Error e = ParseError(Replace(kGood, "port = 9443", "port = 70000"));
  EXPECT_EQ(e.reason, "config.invalid");
  EXPECT_NE(e.message.find("listeners.operator.port: must be between 1 and 65535"),
            std::string::npos)
      << e.message;
}

TEST(ConfigTest, UnknownKeyIsRejected) {
  Error e = ParseError(Replace(kGood, "[store]\n", "[store]\nurll = \"x\"\n"));
  EXPECT_EQ(e.reason, "config.invalid");
  EXPECT_NE(e.message.find("store.urll: unknown key"), std::string::npos) << e.message;
}

TEST(ConfigTest, UnknownTableIsRejected) {
  Error e = ParseError(std::string(kGood) + "\n[extra]\nx = 1\n");
  EXPECT_NE(e.message.find("extra: unknown key"), std::string::npos) << e.message;
}

TEST(ConfigTest, MissingRequiredKey) {
  Error e = ParseError(Replace(kGood, "client_ca = \"operator-ca.pem\"", ""));
  EXPECT_EQ(e.reason, "config.invalid");
  EXPECT_NE(e.message.find("listeners.operator.client_ca: required, missing"), std::string::npos)
      << e.message;
}

TEST(ConfigTest, MissingTable) {
  std::string text(kGood);
  text = Replace(text, "[audit]\nlog = \"/var/log/edgetrust/audit.jsonl\"\n", "");
  Error e = ParseError(text);
  EXPECT_NE(e.message.find("audit: required table missing"), std::string::npos) << e.message;
}

TEST(ConfigTest, BothPinSourcesRejected) {
  Error e = ParseError(
      Replace(kGood, "pin_file = \"hsm.pin\"", "pin_file = \"hsm.pin\"\npin_env = \"PIN\""));
  EXPECT_NE(e.message.find("exactly one of pin_file and pin_env"), std::string::npos) << e.message;
}

TEST(ConfigTest, TlsKeyMustBeInTheToken) {
  Error e = ParseError(Replace(
      kGood,
      "tls_key_uri = \"pkcs11:token=edgetrust;object=tls;type=private\"\n\n[listeners.operator]",
      "tls_key_uri = \"/etc/key.pem\"\n\n[listeners.operator]"));
  EXPECT_NE(e.message.find("listeners.device.tls_key_uri: must be a pkcs11: URI"),
            std::string::npos)
      << e.message;
}

TEST(ConfigTest, BadDurationNamesKeyAndLine) {
  Error e = ParseError(Replace(kGood, "challenge_ttl = \"90s\"", "challenge_ttl = \"soon\""));
  EXPECT_NE(e.message.find("options.challenge_ttl: expected a duration"), std::string::npos)
      << e.message;
  EXPECT_NE(e.message.find("test.toml:28:"), std::string::npos) << e.message;
}

TEST(ConfigTest, BadLogLevel) {
  Error e = ParseError(Replace(kGood, "level = \"debug\"", "level = \"loud\""));
  EXPECT_NE(e.message.find("log.level"), std::string::npos) << e.message;
}

TEST(ConfigTest, ParseDuration) {
  EXPECT_EQ(*ParseDuration("60"), std::chrono::seconds(60));
  EXPECT_EQ(*ParseDuration("5m"), std::chrono::seconds(300));
  EXPECT_EQ(*ParseDuration("2h"), std::chrono::seconds(7200));
  EXPECT_EQ(*ParseDuration("30d"), std::chrono::seconds(30 * 86400));
  for (const char* bad : {"", "s", "0s", "-5s", "5 s", "5w", "1.5h", "99999999999d"}) {
    auto d = ParseDuration(bad);
    ASSERT_FALSE(d.has_value()) << bad;
    EXPECT_EQ(d.error().reason, "config.invalid");
  }
}

TEST(ConfigTest, LoadConfigMissingFile) {
  auto config = LoadConfig("/nonexistent/edgetrust.toml");
  ASSERT_FALSE(config.has_value());
  EXPECT_EQ(config.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(config.error().reason, "config.unreadable");
}

}  // namespace
}  // namespace edgetrust::enrollment::server
