// GateTest: a module gate on a private swtpm with an in-process manifest-signing PKI, image
// blobs in a staging directory, and helpers to sign manifests of any version, target and
// expiry. TEST ONLY.
#ifndef EDGETRUST_DAEMON_GATE_GATE_TEST_FIXTURE_H_
#define EDGETRUST_DAEMON_GATE_GATE_TEST_FIXTURE_H_

#include <gtest/gtest.h>

#include <ctime>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "attestation/nv.h"
#include "attestation/pcr.h"
#include "common/crypto.h"
#include "common/file.h"
#include "daemon/gate/gate.h"
#include "manifest/core/rfc3339.h"
#include "manifest/jws/sign.h"
#include "manifest/jws/testing/test_pki.h"
#include "swtpm/tpm_test.h"

namespace edgetrust::daemon::gate::testing {

inline constexpr TPM2_HANDLE kFloorIndex = 0x0100ED6E;
inline constexpr uint32_t kPcr = 15;
inline constexpr const char* kDeviceId = "gw-0001";

struct ManifestSpec {
  uint64_t version = 1;
  std::string deployment_id = "fleet-a";
  std::vector<std::string> device_ids = {kDeviceId};
  std::vector<std::string> tags;
  std::time_t issued_at = 0;                   // 0: now - 60
  std::time_t expires_at = 0;                  // 0: now + 1 day
  std::map<std::string, std::string> modules;  // module name -> image content
};

class GateTest : public swtpm::TpmTest {
 protected:
  void SetUp() override {
    TpmTest::SetUp();
    now_ = std::time(nullptr);
    auto pki = manifest::jws::testing::TestPki::Create(now_);
    ASSERT_TRUE(pki.has_value()) << pki.error().ToString();
    pki_ = std::move(*pki);
    auto signer = pki_->NewSigner(KeyType::kEcP256);
    ASSERT_TRUE(signer.has_value()) << signer.error().ToString();
    signer_ = std::move(*signer);
    for (const char* d : {"state", "staging", "store"}) {
      ASSERT_TRUE(EnsureDirectory(Path(d), 0700).has_value());
    }
    // Each test starts from a TPM without the floor index.
    ASSERT_TRUE(attestation::UndefineNvIndex(tpm(), kFloorIndex).has_value());
  }

  GateOptions Options() const {
    return GateOptions{Path("state/gate"), Path("staging"), Path("store"), kPcr, kFloorIndex, 100};
  }

  WithTpm Tpm() {
    return [this](const TpmWork& work) { return work(tpm()); };
  }

  // OpenGate opens and reconciles a gate over the test's directories.
  // `policy` defaults to the PKI's (its root pinned, no CRLs); `now` to the test's now_.
  std::unique_ptr<Gate> OpenGate(std::optional<GateOptions> options = std::nullopt,
                                 std::optional<manifest::jws::TrustPolicy> policy = std::nullopt,
                                 std::time_t now = 0) {
    auto verifier = manifest::jws::ManifestVerifier::Create(policy.value_or(pki_->Policy()));
    EXPECT_TRUE(verifier.has_value());
    auto gate = Gate::Open(options.value_or(Options()), std::move(*verifier), now ? now : now_);
    EXPECT_TRUE(gate.has_value()) << gate.error().ToString();
    if (!gate) return nullptr;
    auto ok = (*gate)->Reconcile(Tpm());
    EXPECT_TRUE(ok.has_value()) << ok.error().ToString();
    return std::move(*gate);
  }

  // Stage writes `content` into the staging directory under its digest and returns the hex.
  std::string Stage(const std::string& content) {
    std::string hex = HexEncode(*Digest(HashAlgorithm::kSha256, AsBytes(content)));
    EXPECT_TRUE(WriteFileAtomic(Path("staging/" + hex), AsBytes(content), 0644).has_value());
    return hex;
  }

  std::string ManifestJson(const ManifestSpec& spec) {
    using json = nlohmann::json;
    json modules = json::object();
    uint32_t order = 0;
    for (const auto& [name, content] : spec.modules) {
      modules[name] = {{"image", "registry.example.com/" + name + "@sha256:" + Stage(content)},
                       {"imageSize", content.size()},
                       {"startupOrder", order++},
                       {"env", {{"MODULE", name}}}};
    }
    json target = json::object();
    if (!spec.device_ids.empty()) target["deviceIds"] = spec.device_ids;
    if (!spec.tags.empty()) target["tags"] = spec.tags;
    json m = {{"schemaVersion", "1.0"},
              {"deploymentId", spec.deployment_id},
              {"version", spec.version},
              {"issuedAt", manifest::internal::FormatUtcTimestamp(
                               spec.issued_at != 0 ? spec.issued_at : now_ - 60)},
              {"expiresAt", manifest::internal::FormatUtcTimestamp(
                                spec.expires_at != 0 ? spec.expires_at : now_ + 86400)},
              {"target", target},
              {"modules", modules}};
    return m.dump();
  }

  std::string Signed(const ManifestSpec& spec) {
    std::string payload = ManifestJson(spec);
    auto jws = manifest::jws::SignManifest(AsBytes(payload), *signer_->key.signer, signer_->chain);
    EXPECT_TRUE(jws.has_value()) << jws.error().ToString();
    return jws.value_or("");
  }

  static ManifestSpec Spec(uint64_t version, std::string id = "fleet-a") {
    ManifestSpec spec;
    spec.version = version;
    spec.deployment_id = std::move(id);
    spec.modules = {{"sensor", "sensor image v" + std::to_string(version)},
                    {"filter", "filter image"}};
    return spec;
  }

  manifest::DeviceIdentity Device() const { return {{kDeviceId}, {"line7"}}; }

  Result<api::GateStatus> Submit(Gate& gate, const ManifestSpec& spec) {
    return gate.Submit(Signed(spec), Device(), now_, Tpm());
  }

  uint64_t FloorInTpm() {
    auto v = attestation::ReadNvCounter(tpm(), kFloorIndex);
    EXPECT_TRUE(v.has_value()) << v.error().ToString();
    return v.value_or(0);
  }

  Bytes PcrValue() {
    auto values = attestation::ReadPcrs(tpm(), {{HashAlgorithm::kSha256, {kPcr}}});
    EXPECT_TRUE(values.has_value());
    return values ? values->front().digest : Bytes{};
  }

  // ReplayedLog reads events.log from disk (a fresh reader, as a verifier would) and replays it.
  Bytes ReplayedLog() {
    auto log = EventLog::Open(Path("state/gate/events.log"), kPcr);
    EXPECT_TRUE(log.has_value());
    return log ? EventLog::Replay(log->initial(), log->events()) : Bytes{};
  }

  std::time_t now_ = 0;
  std::optional<manifest::jws::testing::TestPki> pki_;
  std::optional<manifest::jws::testing::TestSigner> signer_;
};

}  // namespace edgetrust::daemon::gate::testing

#endif  // EDGETRUST_DAEMON_GATE_GATE_TEST_FIXTURE_H_
