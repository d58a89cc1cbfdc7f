#include "enrollment/store/store_factory.h"

#include <string_view>

#include "enrollment/store/sqlite_store.h"

namespace edgetrust::enrollment::store {
namespace {

Error InvalidUrl(std::string message) {
  return Error{ErrorCode::kInvalidArgument, "store.invalid_url", std::move(message)};
}

}  // namespace

Result<std::shared_ptr<Store>> OpenStore(const std::string& url) {
  std::string_view u = url;
  if (u.empty()) return Fail(InvalidUrl("the store URL is empty"));
  if (u.starts_with("postgresql://") || u.starts_with("postgres://")) {
    return Fail(ErrorCode::kInvalidArgument, "store.unsupported",
                "the PostgreSQL store is not built yet; use sqlite:<path>");
  }
  std::string path;
  if (u.starts_with("sqlite://")) {
    path = u.substr(std::string_view("sqlite://").size());
    if (!path.starts_with('/')) {
      return Fail(InvalidUrl("sqlite:// URLs take an absolute path (sqlite:///path)"));
    }
  } else if (u.starts_with("sqlite:")) {
    path = u.substr(std::string_view("sqlite:").size());
    if (path.empty()) return Fail(InvalidUrl("sqlite: URL without a path"));
  } else if (u.find("://") != std::string_view::npos) {
    return Fail(InvalidUrl("unknown store URL scheme (supported: sqlite:<path>)"));
  } else {
    path = url;
  }
  auto store = SqliteStore::Open(path);
  if (!store) return Fail(store.error());
  return std::shared_ptr<Store>(std::move(*store));
}

}  // namespace edgetrust::enrollment::store
