// OpenStore: the Store named by a configuration URL.
//
//   "sqlite:/var/lib/edgetrust/registry.db"   SqliteStore on that file
//   "sqlite:///var/lib/edgetrust/registry.db" the same (empty authority)
//   "/var/lib/edgetrust/registry.db", "registry.db"   a plain path is an SQLite file
//   "postgresql://..." / "postgres://..."     kInvalidArgument "store.unsupported": the
//                                              PostgreSQL back end is not built yet
// Any other "<scheme>://" or an empty URL is kInvalidArgument "store.invalid_url". Errors of
// SqliteStore::Open pass through unchanged.
#ifndef EDGETRUST_ENROLLMENT_STORE_STORE_FACTORY_H_
#define EDGETRUST_ENROLLMENT_STORE_STORE_FACTORY_H_

#include <memory>
#include <string>

#include "common/error.h"
#include "enrollment/store/store.h"

namespace edgetrust::enrollment::store {

Result<std::shared_ptr<Store>> OpenStore(const std::string& url);

}  // namespace edgetrust::enrollment::store

#endif  // EDGETRUST_ENROLLMENT_STORE_STORE_FACTORY_H_
