// Keeps docs/ honest: the example manifest parses, the example embedded in docs/manifest.md
// is the same document, and docs/manifest.schema.json names exactly the members, required
// members and limits the parser enforces (manifest_schema.h).
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>
#include <string>

#include "manifest/core/manifest_parser.h"
#include "manifest/core/manifest_schema.h"

namespace edgetrust::manifest {
namespace {

using json = nlohmann::json;

std::string ReadDoc(const std::string& relative) {
  const char* root = std::getenv("EDGETRUST_SOURCE_DIR");
  std::string path = std::string(root == nullptr ? "." : root) + "/docs/" + relative;
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in.good()) << path;
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

template <typename Names>
std::set<std::string> AsSet(const Names& names, size_t count) {
  std::set<std::string> out;
  for (size_t i = 0; i < count; ++i) out.emplace(names[i]);
  return out;
}

std::set<std::string> Keys(const json& object) {
  std::set<std::string> out;
  for (const auto& [key, value] : object.items()) out.insert(key);
  return out;
}

std::set<std::string> Strings(const json& array) {
  std::set<std::string> out;
  for (const auto& s : array) out.insert(s.get<std::string>());
  return out;
}

TEST(ManifestDocsTest, ExampleParses) {
  std::string text = ReadDoc("examples/manifest.json");
  auto m = ParseManifest(AsBytes(text));
  ASSERT_TRUE(m.has_value()) << m.error().ToString();
  EXPECT_EQ(m->deployment_id, "fleet-a-42");
  EXPECT_EQ(m->version, 42u);
  ASSERT_EQ(m->modules.size(), 2u);
  EXPECT_EQ(m->modules[0].name, "edgehub");
  EXPECT_EQ(m->modules[1].name, "sensor");
}

TEST(ManifestDocsTest, PageEmbedsTheExample) {
  std::string page = ReadDoc("manifest.md");
  const std::string fence = "```json\n";
  size_t start = page.find(fence);
  ASSERT_NE(start, std::string::npos);
  start += fence.size();
  size_t end = page.find("```", start);
  ASSERT_NE(end, std::string::npos);
  std::string embedded = page.substr(start, end - start);
  auto m = ParseManifest(AsBytes(embedded));
  ASSERT_TRUE(m.has_value()) << m.error().ToString();
  EXPECT_EQ(json::parse(embedded), json::parse(ReadDoc("examples/manifest.json")));
}

TEST(ManifestDocsTest, SchemaMatchesTheParser) {
  json schema = json::parse(ReadDoc("manifest.schema.json"));  // throws (fails) if not JSON
  EXPECT_EQ(schema.at("$schema"), "https://json-schema.org/draft/2020-12/schema");
  EXPECT_EQ(schema.at("type"), "object");
  EXPECT_EQ(schema.at("additionalProperties"), false);
  EXPECT_EQ(Keys(schema.at("properties")),
            AsSet(internal::kManifestMembers, internal::kManifestMembers.size()));
  EXPECT_EQ(Strings(schema.at("required")),
            AsSet(internal::kManifestMembers, internal::kManifestRequired));

  const json& defs = schema.at("$defs");
  const json& target = defs.at("target");
  EXPECT_EQ(target.at("additionalProperties"), false);
  EXPECT_EQ(Keys(target.at("properties")),
            AsSet(internal::kTargetMembers, internal::kTargetMembers.size()));
  EXPECT_EQ(target.at("properties").at("tags").at("maxItems"), internal::kMaxTargetEntries);
  EXPECT_EQ(target.at("properties").at("deviceIds").at("maxItems"), internal::kMaxTargetEntries);

  const json& module = defs.at("module");
  EXPECT_EQ(module.at("additionalProperties"), false);
  EXPECT_EQ(Keys(module.at("properties")),
            AsSet(internal::kModuleMembers, internal::kModuleMembers.size()));
  EXPECT_EQ(Strings(module.at("required")),
            AsSet(internal::kModuleMembers, internal::kModuleRequired));
  const json& mp = module.at("properties");
  EXPECT_EQ(mp.at("imageSize").at("minimum"), 1);
  EXPECT_EQ(mp.at("imageSize").at("maximum"), internal::kMaxImageSize);
  EXPECT_EQ(mp.at("startupOrder").at("maximum"), internal::kMaxStartupOrder);
  EXPECT_EQ(mp.at("env").at("maxProperties"), internal::kMaxEnvEntries);
  EXPECT_EQ(mp.at("env").at("additionalProperties").at("maxLength"), internal::kMaxEnvValueBytes);

  const json& sf = defs.at("storeAndForward");
  EXPECT_EQ(Keys(sf.at("properties")),
            AsSet(internal::kStoreAndForwardMembers, internal::kStoreAndForwardMembers.size()));
  EXPECT_EQ(sf.at("properties").at("timeToLiveSecs").at("maximum"), internal::kMaxTimeToLiveSecs);

  const json& props = schema.at("properties");
  EXPECT_EQ(props.at("schemaVersion").at("const"), std::string(internal::kSchemaVersion));
  EXPECT_EQ(props.at("version").at("maximum"), internal::kMaxVersion);
  EXPECT_EQ(props.at("modules").at("minProperties"), 1);
  EXPECT_EQ(props.at("modules").at("maxProperties"), kMaxModules);
  EXPECT_EQ(props.at("routes").at("maxProperties"), internal::kMaxRoutes);
}

}  // namespace
}  // namespace edgetrust::manifest
