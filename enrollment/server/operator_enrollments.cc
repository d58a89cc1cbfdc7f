// Operator endpoints for PCR policies and individual and group enrollments:
// GET|POST <collection>, GET|PUT|DELETE <collection>/{id}.
#include "enrollment/server/operator_api.h"

namespace edgetrust::enrollment::server {

void OperatorApi::AddEnrollmentEndpoints() {
  using operator_api::Caller;
  using operator_api::OperatorService;
  auto caller = [](const HttpRequest& r) { return Caller{r.remote_address}; };
  auto service = service_;

  struct Collection {
    std::string name;
    Result<std::string> (OperatorService::*list)();
    Result<std::string> (OperatorService::*get)(const std::string&);
    Result<std::string> (OperatorService::*create)(const Caller&, std::string_view);
    Result<std::string> (OperatorService::*replace)(const Caller&, const std::string&,
                                                    std::string_view);
    Status (OperatorService::*remove)(const Caller&, const std::string&);
  };
  const Collection collections[] = {
      {"pcr_policy", &OperatorService::ListPcrPolicies, &OperatorService::GetPcrPolicy,
       &OperatorService::CreatePcrPolicy, &OperatorService::ReplacePcrPolicy,
       &OperatorService::DeletePcrPolicy},
      {"enrollment.individual", &OperatorService::ListIndividuals, &OperatorService::GetIndividual,
       &OperatorService::CreateIndividual, &OperatorService::ReplaceIndividual,
       &OperatorService::DeleteIndividual},
      {"enrollment.group", &OperatorService::ListGroups, &OperatorService::GetGroup,
       &OperatorService::CreateGroup, &OperatorService::ReplaceGroup,
       &OperatorService::DeleteGroup},
  };
  for (const Collection& c : collections) {
    std::string list = c.name + ".list", get = c.name + ".get", create = c.name + ".create",
                put = c.name + ".put", del = c.name + ".delete";
    endpoints_[list] = [service, c, list](const HttpRequest&, const Params&) {
      return OperatorAnswer(((*service).*c.list)(), 200, list);
    };
    endpoints_[get] = [service, c, get](const HttpRequest&, const Params& p) {
      return OperatorAnswer(((*service).*c.get)(p.at("id")), 200, get);
    };
    endpoints_[create] = [service, c, create, caller](const HttpRequest& r, const Params&) {
      return OperatorAnswer(((*service).*c.create)(caller(r), r.body), 201, create);
    };
    endpoints_[put] = [service, c, put, caller](const HttpRequest& r, const Params& p) {
      return OperatorAnswer(((*service).*c.replace)(caller(r), p.at("id"), r.body), 200, put);
    };
    endpoints_[del] = [service, c, del, caller](const HttpRequest& r, const Params& p) {
      return OperatorAnswer(((*service).*c.remove)(caller(r), p.at("id")), del);
    };
  }
}

}  // namespace edgetrust::enrollment::server
