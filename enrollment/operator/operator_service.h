// OperatorService is the operator API's logic, with no sockets: individual and group
// enrollments, PCR policies, the device registry (list, get, disable, enable, revoke,
// retire) and audit queries, on top of store::Store. The transport
// (enrollment/server/operator_api.cc) authenticates the caller (mutual TLS), parses bodies with
// operator_wire.h and maps an Error to a status with HttpStatusFor below.
//
// Every change writes one audit record in the same store transaction, with actor
// "operator:<caller>" (the transport passes the remote address: cpprestsdk does not expose
// the client certificate to handlers), and is also handed to `on_audit` (the JSON-lines log).
// A revocation calls `on_revoked` afterwards so the CRL is re-signed at once.
//
// Thread-safe (the Store is; the hooks must be).
// Errors: the Parse* errors of operator_wire.h; kAlreadyExists "operator.exists" (create of an
// existing id); kNotFound "operator.not_found"; kInvalidArgument "operator.id_mismatch" (body
// id differs from the path), "operator.unknown_pcr_policy"; kFailedPrecondition
// "operator.pcr_policy_in_use", "operator.bad_transition"; store errors pass through.
#ifndef EDGETRUST_ENROLLMENT_OPERATOR_OPERATOR_SERVICE_H_
#define EDGETRUST_ENROLLMENT_OPERATOR_OPERATOR_SERVICE_H_

#include <ctime>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "common/error.h"
#include "enrollment/store/records.h"
#include "enrollment/store/store.h"

namespace edgetrust::enrollment::operator_api {

struct OperatorHooks {
  std::function<std::time_t()> clock;                       // default: time(nullptr)
  std::function<void(const store::AuditRecord&)> on_audit;  // optional
  std::function<void()> on_revoked;                         // optional: InvalidateCrl
};

// Caller identifies who asked, for the audit trail.
struct Caller {
  std::string name;  // e.g. the remote address; actor becomes "operator:<name>"
};

enum class DeviceAction { kDisable, kEnable, kRevoke, kRetire };

class OperatorService {
 public:
  OperatorService(std::shared_ptr<store::Store> store, OperatorHooks hooks);

  // Each method takes the raw JSON body where there is one and returns the JSON answer.
  // `id` comes from the path; Create fails if the id exists, Replace creates or replaces.
  Result<std::string> ListPcrPolicies();
  Result<std::string> GetPcrPolicy(const std::string& id);
  Result<std::string> CreatePcrPolicy(const Caller& caller, std::string_view body);
  Result<std::string> ReplacePcrPolicy(const Caller& caller, const std::string& id,
                                       std::string_view body);
  Status DeletePcrPolicy(const Caller& caller, const std::string& id);

  Result<std::string> ListIndividuals();
  Result<std::string> GetIndividual(const std::string& id);
  Result<std::string> CreateIndividual(const Caller& caller, std::string_view body);
  Result<std::string> ReplaceIndividual(const Caller& caller, const std::string& id,
                                        std::string_view body);
  Status DeleteIndividual(const Caller& caller, const std::string& id);

  Result<std::string> ListGroups();
  Result<std::string> GetGroup(const std::string& id);
  Result<std::string> CreateGroup(const Caller& caller, std::string_view body);
  Result<std::string> ReplaceGroup(const Caller& caller, const std::string& id,
                                   std::string_view body);
  Status DeleteGroup(const Caller& caller, const std::string& id);

  // ListDevices: `limit` 1-1000 (default 100), `after` a device id ("" = from the start).
  Result<std::string> ListDevices(std::string_view limit, const std::string& after);
  Result<std::string> GetDevice(const std::string& id);
  // ChangeDevice applies `action` (body: optional {"reason": ...}) and returns the device.
  Result<std::string> ChangeDevice(const Caller& caller, const std::string& id, DeviceAction action,
                                   std::string_view body);

  // QueryAudit: every parameter optional ("" = absent); limit 1-1000, after >= 0.
  Result<std::string> QueryAudit(const std::string& subject, const std::string& action,
                                 const std::string& outcome, std::string_view after,
                                 std::string_view limit);

 private:
  store::AuditRecord Audit(const Caller& caller, std::string action, std::string subject,
                           std::string details = "{}") const;
  void Notify(const store::AuditRecord& record) const;
  Status CheckPolicyExists(const std::string& id);
  template <typename Parsed, typename Put>
  Result<std::string> Write(const Caller& caller, const char* action, Parsed parsed, Put put);

  std::shared_ptr<store::Store> store_;
  OperatorHooks hooks_;
};

// HttpStatusFor maps an operator Error to a status: 400 invalid argument, 404 not found,
// 409 exists / failed precondition, 503 unavailable, 500 otherwise.
int HttpStatusFor(const Error& error);

}  // namespace edgetrust::enrollment::operator_api

#endif  // EDGETRUST_ENROLLMENT_OPERATOR_OPERATOR_SERVICE_H_
