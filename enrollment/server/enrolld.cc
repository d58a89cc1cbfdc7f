#include "enrollment/server/enrolld.h"

#include <vector>

#include "certs/certificate.h"
#include "certs/certificate_authority.h"
#include "certs/pkcs11_signer.h"
#include "common/file.h"
#include "common/log.h"
#include "enrollment/operator/operator_service.h"
#include "enrollment/server/device_api.h"
#include "enrollment/server/https_server.h"
#include "enrollment/server/operator_api.h"
#include "enrollment/server/tls_context.h"
#include "enrollment/server/tls_key.h"
#include "enrollment/server/worker_pool.h"
#include "enrollment/service/audit_sink.h"
#include "enrollment/service/challenge_store.h"
#include "enrollment/service/enrollment_service.h"
#include "enrollment/service/metrics.h"
#include "enrollment/service/nonce_store.h"
#include "enrollment/store/store_factory.h"

namespace edgetrust::enrollment::server {
namespace {

constexpr size_t kMaxOutstandingNonces = 100000;

Result<std::vector<certs::Certificate>> ReadChain(const std::string& path) {
  auto bytes = ReadFile(path, 1024 * 1024);
  if (!bytes) return Fail(bytes.error());
  auto chain = certs::Certificate::ChainFromPem(std::string(bytes->begin(), bytes->end()));
  if (!chain) {
    return Fail(ErrorCode::kInvalidArgument, "ca.chain",
                "cannot read the CA chain " + path + ": " + chain.error().message);
  }
  return chain;
}

}  // namespace

// Parts are released explicitly in ~Enrolld (see the order there); the declaration order is
// the same order reversed, as a second line of defence.
struct Enrolld::Parts {
  std::shared_ptr<store::Store> store;
  std::shared_ptr<service::FileAuditSink> audit;
  std::shared_ptr<service::Metrics> metrics;
  std::shared_ptr<TlsKey> device_key;
  std::shared_ptr<TlsKey> operator_key;
  std::shared_ptr<service::EnrollmentService> service;
  std::shared_ptr<operator_api::OperatorService> operators;
  std::shared_ptr<DeviceApi> device_api;
  std::shared_ptr<OperatorApi> operator_api;
  std::shared_ptr<WorkerPool> workers;  // runs the handlers of both listeners
  std::unique_ptr<HttpsServer> device_server;
  std::unique_ptr<HttpsServer> operator_server;
};

Enrolld::Enrolld(std::unique_ptr<Parts> parts) : parts_(std::move(parts)) {}
// Shutdown order (each step only after the previous one):
//  1. listeners closed: no new connection, request or TLS handshake is accepted; then the
//     worker pool runs the requests already queued (their replies fail quietly) and joins;
//  2. endpoints and services released: the enrollment service owns the CA and its PKCS#11
//     signer, which drops its key reference (the module stays: see 4);
//  3. TLS contexts and keys released: our references to the token keys are dropped;
//  4. the PKCS#11 module: never finalized or unloaded by this process. Start called
//     RetainModuleUntilExit on it because cpprestsdk frees each connection's SSL_CTX (which
//     holds a reference to the TLS key) on its I/O threads, possibly after close() returned,
//     and those threads only stop when its thread pool is joined during static destruction at
//     exit. Finalizing earlier would leave those references pointing at freed libp11 objects
//     (the "corrupted double-linked list" crash). The OS closes the sessions at exit; SoftHSM
//     has nothing to flush (objects are written when they change).
Enrolld::~Enrolld() {
  Stop();  // 1
  parts_->operator_server.reset();
  parts_->device_server.reset();
  parts_->operator_api.reset();  // 2
  parts_->device_api.reset();
  parts_->operators.reset();
  parts_->service.reset();
  parts_->metrics.reset();
  parts_->audit.reset();
  parts_->store.reset();
  parts_->operator_key.reset();  // 3
  parts_->device_key.reset();
}

const std::string& Enrolld::device_url() const { return parts_->device_server->url(); }
const std::string& Enrolld::operator_url() const { return parts_->operator_server->url(); }

void Enrolld::Stop() {
  if (parts_->operator_server) parts_->operator_server->Stop();
  if (parts_->device_server) parts_->device_server->Stop();
  if (parts_->workers) parts_->workers->Stop();
}

Result<std::unique_ptr<Enrolld>> Enrolld::Start(const ServerConfig& config) {
  auto parts = std::make_unique<Parts>();
  // The TLS keys and the CA signer share the token through certs' one libp11 context per
  // module (one C_Initialize, one login). The module is retained until exit (see ~Enrolld).
  auto device_key =
      TlsKey::Open(certs::Pkcs11Config{config.pkcs11_module, config.device.key_uri, config.pin});
  if (!device_key) return Fail(device_key.error());
  parts->device_key = std::move(*device_key);
  parts->device_key->RetainModuleUntilExit();
  if (config.operator_listener.key_uri == config.device.key_uri) {
    parts->operator_key = parts->device_key;
  } else {
    auto key = TlsKey::Open(
        certs::Pkcs11Config{config.pkcs11_module, config.operator_listener.key_uri, config.pin});
    if (!key) return Fail(key.error());
    parts->operator_key = std::move(*key);
  }

  auto signer = certs::OpenPkcs11Signer(
      certs::Pkcs11Config{config.pkcs11_module, config.ca_key_uri, config.pin});
  if (!signer) return Fail(signer.error());
  auto chain = ReadChain(config.ca_chain_file);
  if (!chain) return Fail(chain.error());
  auto ca = certs::CertificateAuthority::Create(
      std::shared_ptr<const certs::Signer>(std::move(*signer)), std::move(*chain));
  if (!ca) return Fail(ca.error());

  auto store = store::OpenStore(config.store_url);
  if (!store) return Fail(store.error());
  parts->store = *store;
  auto audit = service::FileAuditSink::Open(config.audit_log, service::FsyncPolicy::kEveryRecord);
  if (!audit) return Fail(audit.error());
  parts->audit = std::move(*audit);
  parts->metrics = std::make_shared<service::Metrics>();

  service::ServiceDependencies deps;
  deps.store = parts->store;
  deps.ca = std::make_shared<const certs::CertificateAuthority>(std::move(*ca));
  deps.challenges =
      std::make_shared<service::InMemoryChallengeStore>(config.options.max_pending_challenges);
  deps.nonces = std::make_shared<service::InMemoryNonceStore>(kMaxOutstandingNonces,
                                                              config.options.nonce_ttl);
  deps.metrics = parts->metrics;
  deps.audit = parts->audit;
  auto service = service::EnrollmentService::Create(std::move(deps), config.options);
  if (!service) return Fail(service.error());
  parts->service = std::move(*service);

  std::weak_ptr<service::EnrollmentService> weak_service = parts->service;
  std::shared_ptr<service::FileAuditSink> audit_sink = parts->audit;
  operator_api::OperatorHooks hooks;
  hooks.on_audit = [audit_sink](const store::AuditRecord& record) {
    if (auto ok = audit_sink->Write(record); !ok) {
      LogError("audit log: " + ok.error().ToString());
    }
  };
  hooks.on_revoked = [weak_service] {
    if (auto s = weak_service.lock()) s->InvalidateCrl();
  };
  parts->operators = std::make_shared<operator_api::OperatorService>(parts->store, hooks);
  parts->device_api = std::make_shared<DeviceApi>(parts->service);
  parts->operator_api = std::make_shared<OperatorApi>(parts->operators, parts->metrics);

  auto device_tls = ServerTlsContext::Create(
      TlsSettings{config.device.certificate_chain_file, parts->device_key, ""});
  if (!device_tls) return Fail(device_tls.error());
  auto operator_tls = ServerTlsContext::Create(
      TlsSettings{config.operator_listener.certificate_chain_file, parts->operator_key,
                  config.operator_listener.client_ca_file});
  if (!operator_tls) return Fail(operator_tls.error());

  parts->workers = std::make_shared<WorkerPool>(WorkerPool::DefaultThreads(), kDefaultMaxQueued);
  std::shared_ptr<DeviceApi> device_api = parts->device_api;
  auto device_server =
      HttpsServer::Start(ListenerSpec{"device", config.device.address, config.device.port,
                                      *device_tls, api::kMaxBodySize, parts->workers},
                         [device_api](const HttpRequest& r) { return device_api->Handle(r); });
  if (!device_server) return Fail(device_server.error());
  parts->device_server = std::move(*device_server);
  std::shared_ptr<OperatorApi> operator_api = parts->operator_api;
  auto operator_server = HttpsServer::Start(
      ListenerSpec{"operator", config.operator_listener.address, config.operator_listener.port,
                   *operator_tls, api::kMaxBodySize, parts->workers},
      [operator_api](const HttpRequest& r) { return operator_api->Handle(r); });
  if (!operator_server) return Fail(operator_server.error());
  parts->operator_server = std::move(*operator_server);
  return std::unique_ptr<Enrolld>(new Enrolld(std::move(parts)));
}

}  // namespace edgetrust::enrollment::server
