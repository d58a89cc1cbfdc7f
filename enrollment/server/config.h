// ServerConfig is edgetrust-enrolld's configuration, read from a TOML file (docs/
// enrollment-service.md has the full reference and an example).
//
// Parsing is strict: unknown tables or keys, wrong types and out-of-range values are errors
// (kInvalidArgument "config.invalid") whose message names the key and, where toml++ knows it,
// the line: "config.toml:12: options.challenge_ttl: expected a duration such as \"60s\"".
// A TOML syntax error is "config.syntax" with toml++'s description and position; a missing or
// unreadable file is kNotFound / kUnavailable "config.unreadable". Relative file paths are
// resolved against the config file's directory. Pure (apart from reading the one file).
#ifndef EDGETRUST_ENROLLMENT_SERVER_CONFIG_H_
#define EDGETRUST_ENROLLMENT_SERVER_CONFIG_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "certs/pkcs11_signer.h"
#include "common/error.h"
#include "common/log.h"
#include "enrollment/service/enrollment_service.h"

namespace edgetrust::enrollment::server {

struct ListenerConfig {
  std::string address;  // IP literal or host name to bind
  uint16_t port = 0;
  std::string certificate_chain_file;  // PEM: server certificate first, then intermediates
  std::string key_uri;                 // RFC 7512 URI of the TLS private key in the token
  std::string client_ca_file;          // operator listener only: CA bundle for client certs
};

struct ServerConfig {
  ListenerConfig device;
  ListenerConfig operator_listener;
  // [ca]: the token holds the CA key and the listeners' TLS keys (same module and PIN).
  std::string pkcs11_module;
  certs::PinSource pin;
  std::string ca_key_uri;
  std::string ca_chain_file;  // PEM: CA certificate, then its issuers
  std::string store_url;      // "sqlite:/path/registry.db"
  std::string audit_log;      // JSON-lines audit file
  service::ServiceOptions options;
  LogLevel log_level = LogLevel::kInfo;
};

// ParseConfig reads `text`; `source` names it in messages, `base_dir` resolves relative paths.
Result<ServerConfig> ParseConfig(std::string_view text, std::string_view source,
                                 std::string_view base_dir);
// LoadConfig reads and parses the file at `path`.
Result<ServerConfig> LoadConfig(const std::string& path);

// ParseDuration reads "90s", "5m", "24h", "30d" (a positive integer and one unit) or a bare
// integer number of seconds.
Result<std::chrono::seconds> ParseDuration(std::string_view text);

}  // namespace edgetrust::enrollment::server

#endif  // EDGETRUST_ENROLLMENT_SERVER_CONFIG_H_
