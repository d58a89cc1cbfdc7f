// THREATS E17 with a cpprestsdk client (the library the tools use): the operator listener
// refuses a client without a certificate and one whose certificate comes from another CA, and
// serves one with the operator certificate. With TLS 1.3 the refusal surfaces as a read or
// write error on the client, not as a handshake error (TOOLCHAIN.md §6), so the tests assert
// "no HTTP answer", not a particular message.
// No U() macro from cpprestsdk: it breaks GoogleTest templates that name a parameter U.
#define _TURN_OFF_PLATFORM_STRING
#include <cpprest/http_client.h>
#include <gtest/gtest.h>

#include <optional>
#include <string>

#include "enrollment/server/testing/enrolld_process.h"

#if defined(__SANITIZE_ADDRESS__)
// Sanitizer builds only. The cpprestsdk client's I/O threads are still alive when
// LeakSanitizer checks at exit; the OpenSSL per-thread state they hold (error queues, DRBGs,
// freed at thread exit) is reported as leaked. In this test binary only cpprestsdk uses
// OpenSSL (the service runs in its own process), so its libraries are suppressed as a whole.
extern "C" const char* __lsan_default_suppressions() {
  return "leak:libcpprest.so\nleak:libssl.so\nleak:libcrypto.so\n";
}
#endif

namespace edgetrust {
namespace {

namespace http = web::http;
using enrollment::server::testing::EnrolldProcess;

struct ClientCert {
  std::string cert;
  std::string key;
};

// Get returns the HTTP status, or nullopt when the exchange failed below HTTP.
std::optional<int> Get(const EnrolldProcess& enrolld, const std::string& url,
                       const std::optional<ClientCert>& client, std::string* error) {
  http::client::http_client_config config;
  config.set_validate_certificates(true);
  config.set_timeout(std::chrono::seconds(10));
  std::string ca = enrolld.ca_bundle_path();
  config.set_ssl_context_callback([ca, client](boost::asio::ssl::context& ctx) {
    ctx.load_verify_file(ca);
    if (client) {
      ctx.use_certificate_chain_file(client->cert);
      ctx.use_private_key_file(client->key, boost::asio::ssl::context::pem);
    }
  });
  try {
    http::client::http_client http_client(url, config);
    http::http_response response = http_client.request(http::methods::GET).get();
    response.extract_string().get();
    return static_cast<int>(response.status_code());
  } catch (const std::exception& e) {
    *error = e.what();
    return std::nullopt;
  }
}

TEST(EnrolldMtlsCpprestTest, OperatorApiNeedsAnOperatorCertificate) {
  auto enrolld = EnrolldProcess::Start();
  ASSERT_TRUE(enrolld.has_value()) << enrolld.error().ToString();
  const EnrolldProcess& e = **enrolld;
  std::string url = e.operator_url() + "/v1/operator/enrollments/individual";
  std::string error;

  EXPECT_EQ(Get(e, url, std::nullopt, &error), std::nullopt) << "served without a certificate";
  EXPECT_FALSE(error.empty());
  error.clear();
  EXPECT_EQ(Get(e, url, ClientCert{e.untrusted_client_cert_path(), e.untrusted_client_key_path()},
                &error),
            std::nullopt)
      << "served with a certificate from another CA";
  EXPECT_FALSE(error.empty());
  error.clear();
  EXPECT_EQ(
      Get(e, url, ClientCert{e.operator_client_cert_path(), e.operator_client_key_path()}, &error),
      200)
      << error;
  // The device listener needs no client certificate.
  EXPECT_EQ(Get(e, e.device_url() + "/healthz", std::nullopt, &error), 200) << error;
}

}  // namespace
}  // namespace edgetrust
