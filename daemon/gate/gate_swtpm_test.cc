// The module gate on a real (software) TPM: accepting a deployment, the verdicts, and the
// refusals of THREATS M1, M6, M7, M8 and M14 (M2-M5, M9-M13 are the verifier's and the
// store's own tests; here each refusal must also leave the deployment in force unchanged).
#include <sys/stat.h>

#include "daemon/gate/gate_test_fixture.h"

namespace edgetrust::daemon::gate::testing {
namespace {

// ExpectRefused: the call failed with `reason` and the plan in force is still `id`@`version`.
void ExpectRefused(const Result<api::GateStatus>& result, const std::string& reason, Gate& gate,
                   const std::string& id, uint64_t version) {
  ASSERT_FALSE(result.has_value()) << "accepted, expected " << reason;
  EXPECT_EQ(result.error().reason, reason) << result.error().ToString();
  auto current = gate.Current();
  ASSERT_TRUE(current.has_value()) << current.error().ToString();
  EXPECT_EQ(current->deployment_id, id);
  EXPECT_EQ(current->version, version);
}

class GateSubmitTest : public GateTest {};

TEST_F(GateSubmitTest, AcceptsMeasuresAndServesThePlan) {
  auto gate = OpenGate();
  ASSERT_TRUE(gate);
  auto none = gate->Current();
  ASSERT_FALSE(none.has_value());
  EXPECT_EQ(none.error().reason, "gate.no_deployment");

  auto status = Submit(*gate, Spec(3));
  ASSERT_TRUE(status.has_value()) << status.error().ToString();
  ASSERT_TRUE(status->current.has_value());
  EXPECT_EQ(status->current->state, api::DeploymentState::kPending);
  EXPECT_EQ(status->current->version, 3u);
  EXPECT_EQ(status->rollback_floor, FloorInTpm());  // pending: not raised yet
  ASSERT_EQ(status->current->modules.size(), 2u);
  for (const auto& m : status->current->modules) {
    EXPECT_EQ(m.path, Path("store/images/sha256/" + m.sha256));
    struct stat st {};
    ASSERT_EQ(::stat(m.path.c_str(), &st), 0) << m.path;
    EXPECT_EQ(st.st_mode & 07777, 0444u);
    auto bytes = ReadFile(m.path);
    ASSERT_TRUE(bytes.has_value());
    EXPECT_EQ(HexEncode(*Digest(HashAlgorithm::kSha256, *bytes)), m.sha256);
    EXPECT_EQ(m.env.at("MODULE"), m.name);
  }
  // The log, read afresh from disk, replays to the PCR: manifest + 2 images.
  auto log = EventLog::Open(Path("state/gate/events.log"), kPcr);
  ASSERT_TRUE(log.has_value());
  ASSERT_EQ(log->events().size(), 3u);
  EXPECT_EQ(log->events()[0].type, "manifest");
  EXPECT_EQ(HexEncode(log->events()[0].digest), status->current->manifest_sha256);
  EXPECT_EQ(EventLog::Replay(log->initial(), log->events()), PcrValue());

  // Submitting the same bytes again changes nothing (no new measurement).
  auto again = gate->Submit(Signed(Spec(3)), Device(), now_, Tpm());
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(EventLog::Open(Path("state/gate/events.log"), kPcr)->events().size(), 3u);
}

TEST_F(GateSubmitTest, HealthyRaisesTheTpmFloorAndFailedReturnsToTheLastGood) {
  auto gate = OpenGate();
  ASSERT_TRUE(gate);
  const uint64_t start = FloorInTpm();
  ASSERT_TRUE(Submit(*gate, Spec(start + 5)).has_value());
  auto wrong = gate->Report("fleet-a", true, {start + 4, std::nullopt}, Tpm());
  ASSERT_FALSE(wrong.has_value());
  EXPECT_EQ(wrong.error().reason, "gate.not_pending");

  auto healthy = gate->Report("fleet-a", true, {start + 5, std::nullopt}, Tpm());
  ASSERT_TRUE(healthy.has_value()) << healthy.error().ToString();
  EXPECT_EQ(healthy->current->state, api::DeploymentState::kHealthy);
  EXPECT_EQ(healthy->rollback_floor, start + 5);
  EXPECT_EQ(FloorInTpm(), start + 5);
  // tpm2-tools reads the same counter (big-endian 8 bytes).
  auto r = Tpm2Tools("tpm2_nvread -C o -s 8 0x0100ED6E | xxd -p");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  char expected[17];
  std::snprintf(expected, sizeof(expected), "%016llx", static_cast<unsigned long long>(start + 5));
  EXPECT_NE(r.output.find(expected), std::string::npos) << r.output;

  ASSERT_TRUE(Submit(*gate, Spec(start + 6)).has_value());
  auto failed = gate->Report("fleet-a", false, {start + 6, "smoke test exit 3"}, Tpm());
  ASSERT_TRUE(failed.has_value()) << failed.error().ToString();
  ASSERT_TRUE(failed->current.has_value());
  EXPECT_EQ(failed->current->version, start + 5);
  EXPECT_EQ(failed->current->state, api::DeploymentState::kHealthy);
  EXPECT_EQ(FloorInTpm(), start + 5);  // a failed deployment never raises the floor
  auto log = EventLog::Open(Path("state/gate/events.log"), kPcr);
  ASSERT_TRUE(log.has_value());
  EXPECT_EQ(log->events().back().type, "revert");
  EXPECT_EQ(log->events().back().version, start + 5);
  EXPECT_EQ(EventLog::Replay(log->initial(), log->events()), PcrValue());
}

TEST_F(GateSubmitTest, M6RefusesAGenuineOlderManifest) {
  auto gate = OpenGate();
  ASSERT_TRUE(gate);
  const uint64_t start = FloorInTpm();
  ASSERT_TRUE(Submit(*gate, Spec(start + 2)).has_value());
  ASSERT_TRUE(gate->Report("fleet-a", true, {start + 2, std::nullopt}, Tpm()).has_value());
  ExpectRefused(Submit(*gate, Spec(start + 1)), "gate.refused_rollback", *gate, "fleet-a",
                start + 2);
  // The same version with other bytes is a rollback too (another deployment under a used
  // number).
  ManifestSpec other = Spec(start + 2);
  other.modules["extra"] = "extra image";
  ExpectRefused(Submit(*gate, other), "gate.refused_rollback", *gate, "fleet-a", start + 2);
}

TEST_F(GateSubmitTest, M14RefusesAJumpBeyondTheBound) {
  auto gate = OpenGate();
  ASSERT_TRUE(gate);
  const uint64_t start = FloorInTpm();
  ASSERT_TRUE(Submit(*gate, Spec(start)).has_value());
  ExpectRefused(Submit(*gate, Spec(start + 101)), "gate.refused_version_jump", *gate, "fleet-a",
                start);
  auto edge = Submit(*gate, Spec(start + 100));
  ASSERT_TRUE(edge.has_value()) << edge.error().ToString();
}

TEST_F(GateSubmitTest, M7RefusesAnotherDevicesOrAnExpiredManifest) {
  auto gate = OpenGate();
  ASSERT_TRUE(gate);
  const uint64_t start = FloorInTpm();
  ASSERT_TRUE(Submit(*gate, Spec(start)).has_value());
  ManifestSpec other_device = Spec(start + 1);
  other_device.device_ids = {"gw-0002"};
  ExpectRefused(Submit(*gate, other_device), "manifest.not_for_device", *gate, "fleet-a", start);
  ManifestSpec other_tag = Spec(start + 1);
  other_tag.device_ids = {};
  other_tag.tags = {"line8"};
  ExpectRefused(Submit(*gate, other_tag), "manifest.not_for_device", *gate, "fleet-a", start);
  ManifestSpec by_tag = other_tag;
  by_tag.tags = {"line7"};
  by_tag.deployment_id = "by-tag";
  EXPECT_TRUE(Submit(*gate, by_tag).has_value());
  ManifestSpec expired = Spec(start + 2);
  expired.issued_at = now_ - 7200;
  expired.expires_at = now_ - 1;
  ExpectRefused(Submit(*gate, expired), "manifest.expired", *gate, "by-tag", start + 1);
}

TEST_F(GateSubmitTest, M1RefusesAnImageThatDoesNotMatchAndKeepsTheOldDeployment) {
  auto gate = OpenGate();
  ASSERT_TRUE(gate);
  const uint64_t start = FloorInTpm();
  ASSERT_TRUE(Submit(*gate, Spec(start)).has_value());
  const size_t measured = EventLog::Open(Path("state/gate/events.log"), kPcr)->events().size();
  ManifestSpec next = Spec(start + 1);
  std::string jws = Signed(next);
  // Flip one byte of the staged sensor image after signing.
  std::string content = next.modules.at("sensor");
  std::string hex = HexEncode(*Digest(HashAlgorithm::kSha256, AsBytes(content)));
  content[0] ^= 1;
  ASSERT_TRUE(WriteFileAtomic(Path("staging/" + hex), AsBytes(content), 0644).has_value());
  ExpectRefused(gate->Submit(jws, Device(), now_, Tpm()), "image.digest_mismatch", *gate, "fleet-a",
                start);
  ASSERT_EQ(::unlink(Path("staging/" + hex).c_str()), 0);
  ExpectRefused(gate->Submit(jws, Device(), now_, Tpm()), "image.not_found", *gate, "fleet-a",
                start);
  // Nothing refused was measured.
  EXPECT_EQ(EventLog::Open(Path("state/gate/events.log"), kPcr)->events().size(), measured);
  EXPECT_EQ(ReplayedLog(), PcrValue());
}

TEST_F(GateSubmitTest, M8RefusesASplicedDeployment) {
  auto gate = OpenGate();
  ASSERT_TRUE(gate);
  const uint64_t start = FloorInTpm();
  ASSERT_TRUE(Submit(*gate, Spec(start)).has_value());
  auto a = nlohmann::json::parse(Signed(Spec(start + 1, "fleet-a")));
  auto b = nlohmann::json::parse(Signed(Spec(start + 2, "fleet-b")));
  a["payload"] = b["payload"];  // a's signature over b's manifest
  ExpectRefused(gate->Submit(a.dump(), Device(), now_, Tpm()), "jws.bad_signature", *gate,
                "fleet-a", start);
}

TEST_F(GateSubmitTest, TheHealthyDeploymentCannotCancelAPendingOne) {
  auto gate = OpenGate();
  ASSERT_TRUE(gate);
  const uint64_t start = FloorInTpm();
  const std::string healthy = Signed(Spec(start + 1));
  ASSERT_TRUE(gate->Submit(healthy, Device(), now_, Tpm()).has_value());
  ASSERT_TRUE(gate->Report("fleet-a", true, {start + 1, std::nullopt}, Tpm()).has_value());
  ASSERT_TRUE(Submit(*gate, Spec(start + 2)).has_value());
  ExpectRefused(gate->Submit(healthy, Device(), now_, Tpm()), "gate.refused_rollback", *gate,
                "fleet-a", start + 2);
}

TEST_F(GateSubmitTest, ARenewedCrlKeepsKeptDeploymentsAndARevocationDropsThem) {
  using manifest::jws::testing::MakeCrl;
  auto policy_with = [&](std::time_t this_update, std::vector<certs::Certificate> revoked) {
    auto crl = MakeCrl(pki_->intermediate, pki_->intermediate_key, revoked, this_update,
                       this_update + 86400);
    EXPECT_TRUE(crl.has_value());
    manifest::jws::TrustPolicy policy = pki_->Policy();
    policy.crls = {crl.value_or(Bytes{})};
    return policy;
  };
  uint64_t version = 0;
  {
    auto gate = OpenGate(std::nullopt, policy_with(now_ - 3600, {}));
    ASSERT_TRUE(gate);
    version = FloorInTpm() + 1;
    ASSERT_TRUE(Submit(*gate, Spec(version)).has_value());
    ASSERT_TRUE(gate->Report("fleet-a", true, {version, std::nullopt}, Tpm()).has_value());
  }
  // The CA issues its next CRL two hours later; the device restarts after that.
  const std::time_t later = now_ + 7300;
  {
    auto gate = OpenGate(std::nullopt, policy_with(now_ + 7200, {}), later);
    ASSERT_TRUE(gate);
    auto current = gate->Current();
    ASSERT_TRUE(current.has_value()) << current.error().ToString();
    EXPECT_EQ(current->version, version);
  }
  // A CRL that revokes the signer takes the kept deployment out of force.
  auto gate = OpenGate(std::nullopt, policy_with(now_ + 7200, {signer_->chain.front()}), later);
  ASSERT_TRUE(gate);
  EXPECT_FALSE(gate->Current().has_value());
}

}  // namespace
}  // namespace edgetrust::daemon::gate::testing
