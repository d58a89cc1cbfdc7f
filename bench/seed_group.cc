// seed_group: registers a group enrollment (manufacturer CA) directly in the registry before
// the service starts, so that bench/run.sh needs no operator client certificate.
//   seed_group <store-url> <group-id> <manufacturer-ca.pem>
#include <ctime>
#include <iostream>
#include <string>

#include "common/file.h"
#include "enrollment/store/store_factory.h"

int main(int argc, char** argv) {
  using namespace edgetrust;
  if (argc != 4) {
    std::cerr << "usage: seed_group <store-url> <group-id> <manufacturer-ca.pem>\n";
    return 2;
  }
  auto store = enrollment::store::OpenStore(argv[1]);
  if (!store) {
    std::cerr << "seed_group: " << store.error().ToString() << "\n";
    return 1;
  }
  auto pem = ReadFile(argv[3]);
  if (!pem) {
    std::cerr << "seed_group: " << pem.error().ToString() << "\n";
    return 1;
  }
  std::time_t now = std::time(nullptr);
  enrollment::store::GroupEnrollment group;
  group.group_id = argv[2];
  group.manufacturer_ca_pem.assign(pem->begin(), pem->end());
  group.created_at = now;
  enrollment::store::AuditRecord audit;
  audit.time = now;
  audit.actor = "operator:bench";
  audit.action = "enrollment.create";
  audit.subject = group.group_id;
  audit.outcome = "ok";
  audit.reason = "ok";
  if (auto ok = (*store)->PutGroup(group, audit); !ok) {
    std::cerr << "seed_group: " << ok.error().ToString() << "\n";
    return 1;
  }
  std::cout << "seed_group: group " << group.group_id << " registered\n";
  return 0;
}
