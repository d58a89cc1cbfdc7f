// docs/openapi.yaml must describe exactly the routes the server registers (routes.cc): every
// path+method in the document is served, and every served route is documented. The YAML is
// read line by line: path keys are indented two spaces under `paths:`, their methods four.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <regex>
#include <set>
#include <string>

#include "enrollment/server/routes.h"

namespace edgetrust::enrollment::server {
namespace {

std::set<std::string> DocumentedRoutes(const std::string& path) {
  std::ifstream in(path);
  EXPECT_TRUE(in.good()) << "cannot read " << path;
  const std::regex path_key(R"(^  (/[^:\s]*):\s*$)");
  const std::regex method_key(R"(^    (get|put|post|delete|head|patch|options):)");
  std::set<std::string> routes;
  bool in_paths = false;
  std::string current;
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line[0] != ' ' && line[0] != '#') {
      in_paths = line.rfind("paths:", 0) == 0;
      continue;
    }
    if (!in_paths) continue;
    std::smatch m;
    if (std::regex_match(line, m, path_key)) {
      current = m[1];
    } else if (!current.empty() && std::regex_search(line, m, method_key)) {
      std::string method = m[1];
      for (char& c : method) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      routes.insert(method + " " + current);
    }
  }
  return routes;
}

std::set<std::string> ServedRoutes() {
  std::set<std::string> routes;
  for (const auto* table : {&DeviceRoutes(), &OperatorRoutes()}) {
    for (const Route& r : *table) routes.insert(r.method + " " + r.path);
  }
  return routes;
}

TEST(OpenApiTest, DocumentMatchesTheServedRoutes) {
  const char* source = std::getenv("EDGETRUST_SOURCE_DIR");
  ASSERT_NE(source, nullptr);
  std::set<std::string> documented = DocumentedRoutes(std::string(source) + "/docs/openapi.yaml");
  std::set<std::string> served = ServedRoutes();
  ASSERT_FALSE(documented.empty());
  for (const auto& r : served) {
    EXPECT_TRUE(documented.contains(r)) << "served but not in docs/openapi.yaml: " << r;
  }
  for (const auto& r : documented) {
    EXPECT_TRUE(served.contains(r)) << "in docs/openapi.yaml but not served: " << r;
  }
}

}  // namespace
}  // namespace edgetrust::enrollment::server
