#include "enrollment/service/policy.h"

#include <map>
#include <memory>
#include <mutex>

#include "attestation/ek_certificate.h"
#include "certs/certificate.h"
#include "certs/chain.h"
#include "common/crypto.h"

namespace edgetrust::enrollment::service {
namespace {

std::unexpected<Error> Deny(std::string reason, std::string message) {
  return Fail(ErrorCode::kPermissionDenied, std::move(reason), std::move(message));
}

Result<std::optional<store::PcrPolicy>> LoadPolicy(store::Store& store, const std::string& id) {
  if (id.empty()) return std::optional<store::PcrPolicy>();
  auto policy = store.GetPcrPolicy(id);
  if (!policy) {
    // An enrollment naming a policy that is gone must not enroll without it.
    if (policy.error().code == ErrorCode::kNotFound) {
      return Fail(ErrorCode::kFailedPrecondition, "pcr.policy_missing",
                  "enrollment names PCR policy " + id + ", which does not exist");
    }
    return Fail(policy.error());
  }
  return std::optional<store::PcrPolicy>(std::move(*policy));
}

std::string EkReasonFor(const std::string& chain_reason) {
  if (chain_reason == "chain.expired") return "ek.cert_expired";
  if (chain_reason == "chain.not_yet_valid") return "ek.cert_not_yet_valid";
  if (chain_reason == "chain.bad_key_usage") return "ek.cert_bad_key_usage";
  if (chain_reason == "chain.bad_extension") return "ek.cert_bad_extension";
  if (chain_reason == "chain.untrusted") return "ek.cert_untrusted";
  return "ek.cert_invalid";
}

// TrustAnchors is a group bundle parsed once: self-signed entries are roots, others
// intermediates.
struct TrustAnchors {
  std::vector<certs::Certificate> roots, intermediates;
};

// AnchorsFor parses `group`'s bundle, or returns the parse cached for the same group id and
// the same bundle text (an operator's PutGroup changes the text, so a stale parse is never
// used). nullptr when the bundle does not parse. The cache is process-wide and bounded.
std::shared_ptr<const TrustAnchors> AnchorsFor(const store::GroupEnrollment& group) {
  struct Cached {
    std::string pem;
    std::shared_ptr<const TrustAnchors> anchors;
  };
  static std::mutex mu;
  static std::map<std::string, Cached> cache;  // group id → parse (guarded by mu)
  constexpr size_t kMaxGroups = 256;
  {
    std::lock_guard lock(mu);
    auto it = cache.find(group.group_id);
    if (it != cache.end() && it->second.pem == group.manufacturer_ca_pem) return it->second.anchors;
  }
  auto bundle = certs::Certificate::ChainFromPem(group.manufacturer_ca_pem);
  if (!bundle) return nullptr;
  auto anchors = std::make_shared<TrustAnchors>();
  for (certs::Certificate& c : *bundle) {
    (c.subject() == c.issuer() ? anchors->roots : anchors->intermediates).push_back(std::move(c));
  }
  std::lock_guard lock(mu);
  if (cache.size() >= kMaxGroups && !cache.contains(group.group_id)) cache.clear();
  cache[group.group_id] = Cached{group.manufacturer_ca_pem, anchors};
  return anchors;
}

// TryGroup: Ok if `cert` chains to the group's bundle, else the chain error.
Status TryGroup(const store::GroupEnrollment& group, const certs::Certificate& cert,
                std::time_t now) {
  auto anchors = AnchorsFor(group);
  if (!anchors) {
    return Fail(ErrorCode::kPermissionDenied, "chain.untrusted", "group bundle does not parse");
  }
  return certs::VerifyChain(cert, anchors->intermediates, anchors->roots,
                            certs::ChainProfile::kEkCredential, now);
}

Result<EnrollmentDecision> DecideGroup(store::Store& store, const attestation::TpmPublic& ek,
                                       const std::optional<Bytes>& cert_der, std::time_t now) {
  if (!cert_der) return Deny("enrollment.unknown_ek", "no enrollment for this EK");
  auto cert = certs::Certificate::FromDer(*cert_der);
  if (!cert) return Fail(cert.error());
  auto groups = store.ListGroups();
  if (!groups) return Fail(groups.error());
  std::optional<Error> best;  // the most specific failure seen
  for (const store::GroupEnrollment& group : *groups) {
    if (!group.enabled) continue;
    auto chained = TryGroup(group, *cert, now);
    if (!chained) {
      if (!best || best->reason == "chain.untrusted") best = chained.error();
      continue;
    }
    if (auto key = attestation::CheckEkCertificateKey(*cert, ek); !key) return Fail(key.error());
    auto policy = LoadPolicy(store, group.pcr_policy_id);
    if (!policy) return Fail(policy.error());
    return EnrollmentDecision{"group:" + group.group_id, std::move(*policy)};
  }
  if (!best) return Deny("ek.cert_untrusted", "no enabled group enrollment");
  return Deny(EkReasonFor(best->reason), "EK certificate: " + best->message);
}

}  // namespace

Result<EnrollmentDecision> DecideEnrollment(store::Store& store, const std::string& registration_id,
                                            const attestation::TpmPublic& ek,
                                            const std::optional<Bytes>& ek_certificate_der,
                                            std::time_t now) {
  auto digest = attestation::EkDigestHex(ek);
  if (!digest) return Fail(digest.error());
  auto individual = store.FindIndividualByEk(*digest);
  if (individual) {
    if (!individual->enabled) return Deny("enrollment.disabled", "individual enrollment disabled");
    if (individual->registration_id != registration_id) {
      return Deny("enrollment.registration_id_mismatch",
                  "EK is enrolled under another registration id");
    }
    auto policy = LoadPolicy(store, individual->pcr_policy_id);
    if (!policy) return Fail(policy.error());
    return EnrollmentDecision{"individual", std::move(*policy)};
  }
  if (individual.error().code != ErrorCode::kNotFound) return Fail(individual.error());
  // The id may be reserved for another EK by the factory station.
  auto reserved = store.GetIndividual(registration_id);
  if (reserved) {
    return Fail(ErrorCode::kFailedPrecondition, "enrollment.registration_id_taken",
                "registration id is enrolled individually for another EK");
  }
  if (reserved.error().code != ErrorCode::kNotFound) return Fail(reserved.error());
  return DecideGroup(store, ek, ek_certificate_der, now);
}

Result<EnrollmentDecision> CurrentEnrollment(store::Store& store, const store::Device& device) {
  if (device.enrollment == "individual") {
    auto individual = store.GetIndividual(device.device_id);
    if (!individual) {
      if (individual.error().code == ErrorCode::kNotFound) {
        return Deny("enrollment.disabled", "individual enrollment was deleted");
      }
      return Fail(individual.error());
    }
    if (!individual->enabled || individual->ek_digest_hex != device.ek_digest_hex) {
      return Deny("enrollment.disabled", "individual enrollment disabled or re-assigned");
    }
    auto policy = LoadPolicy(store, individual->pcr_policy_id);
    if (!policy) return Fail(policy.error());
    return EnrollmentDecision{device.enrollment, std::move(*policy)};
  }
  constexpr std::string_view kGroup = "group:";
  if (!device.enrollment.starts_with(kGroup)) {
    return Fail(ErrorCode::kInternal, "store.corrupt", "device has an unknown enrollment kind");
  }
  auto group = store.GetGroup(device.enrollment.substr(kGroup.size()));
  if (!group) {
    if (group.error().code == ErrorCode::kNotFound) {
      return Deny("enrollment.disabled", "group enrollment was deleted");
    }
    return Fail(group.error());
  }
  if (!group->enabled) return Deny("enrollment.disabled", "group enrollment disabled");
  auto policy = LoadPolicy(store, group->pcr_policy_id);
  if (!policy) return Fail(policy.error());
  return EnrollmentDecision{device.enrollment, std::move(*policy)};
}

Result<attestation::PcrSelection> RequiredSelection(const EnrollmentDecision& decision) {
  if (!decision.pcr_policy || decision.pcr_policy->selection.empty()) {
    return attestation::PcrSelection{};
  }
  auto selection = attestation::ParsePcrSelection(decision.pcr_policy->selection);
  if (!selection) {
    return Fail(ErrorCode::kInternal, "pcr.policy_invalid",
                "PCR policy " + decision.pcr_policy->id + " has an invalid selection");
  }
  return selection;
}

Status CheckPcrPolicy(const EnrollmentDecision& decision, const attestation::VerifiedQuote& quote) {
  if (!decision.pcr_policy) return Ok();
  for (const store::PcrPolicy::Golden& golden : decision.pcr_policy->golden) {
    auto alg = ParseHashAlgorithm(golden.bank);
    auto want = HexDecode(golden.digest_hex);
    if (!alg || !want) {
      return Fail(ErrorCode::kInternal, "pcr.policy_invalid",
                  "PCR policy " + decision.pcr_policy->id + " has an invalid golden value");
    }
    bool matched = false;
    for (const attestation::PcrValue& v : quote.pcr_values()) {
      if (v.alg == *alg && v.index == golden.index) {
        matched = ConstantTimeEquals(v.digest, *want);
        break;
      }
    }
    if (!matched) {
      return Deny("pcr.policy_mismatch", golden.bank + ":" + std::to_string(golden.index) +
                                             " does not hold the golden value");
    }
  }
  return Ok();
}

}  // namespace edgetrust::enrollment::service
