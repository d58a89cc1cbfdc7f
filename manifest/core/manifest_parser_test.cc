// The strict manifest parser (THREATS M9, M10, M11, M13): every rejection has a stable reason
// and a message that starts with the JSON path; the happy path fills every field and default.
#include "manifest/core/manifest_parser.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <functional>
#include <string>
#include <vector>

namespace edgetrust::manifest {
namespace {

using json = nlohmann::json;

const std::string kHexA(64, 'a');
const std::string kSensorImage = "registry.example.com/sensor@sha256:" + kHexA;

json Base() {
  return json{{"schemaVersion", "1.0"},
              {"deploymentId", "fleet-a-42"},
              {"version", 42},
              {"issuedAt", "2026-11-26T10:00:00Z"},
              {"expiresAt", "2026-12-26T10:00:00Z"},
              {"target", {{"deviceIds", {"gw-0001"}}, {"tags", {"line7"}}}},
              {"modules",
               {{"sensor",
                 {{"image", kSensorImage},
                  {"imageSize", 1048576},
                  {"createOptions", {{"HostConfig", {{"Privileged", false}}}}},
                  {"env", {{"LOG_LEVEL", "info"}}},
                  {"restartPolicy", "on-failure"},
                  {"startupOrder", 5},
                  {"status", "stopped"}}},
                {"hub",
                 {{"image", "registry.example.com:5000/edge/hub@sha256:" + std::string(64, 'b')},
                  {"imageSize", 2048}}}}},
              {"routes", {{"upstream", "FROM /messages/* INTO $upstream"}}},
              {"storeAndForward", {{"timeToLiveSecs", 60}}}};
}

Result<Manifest> Parse(const std::string& text) { return ParseManifest(AsBytes(text)); }
Result<Manifest> Parse(const json& doc) { return Parse(doc.dump()); }

// Replace returns `text` with the first `from` replaced by `to`; the test fails if absent.
std::string Replace(std::string text, const std::string& from, const std::string& to) {
  size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

void ExpectRejected(const Result<Manifest>& r, const std::string& reason, const std::string& path,
                    const std::string& label) {
  ASSERT_FALSE(r.has_value()) << label << ": expected " << reason;
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument) << label;
  EXPECT_EQ(r.error().reason, reason) << label << ": " << r.error().ToString();
  EXPECT_TRUE(r.error().message.starts_with(path + ": "))
      << label << ": expected path " << path << " in " << r.error().message;
}

json& Sensor(json& doc) { return doc["modules"]["sensor"]; }

struct DocCase {
  std::string label;
  std::function<void(json&)> mutate;
  std::string reason;
  std::string path;
};

TEST(ManifestParserTest, BaseIsAccepted) {
  auto m = Parse(Base());
  ASSERT_TRUE(m.has_value()) << m.error().ToString();
}

TEST(ManifestParserTest, RejectsEachShapeWithReasonAndPath) {
  const std::string long_name(65, 'm');
  const std::vector<DocCase> cases = {
      // missing_field
      {"no schemaVersion", [](json& d) { d.erase("schemaVersion"); }, "manifest.missing_field",
       "schemaVersion"},
      {"no deploymentId", [](json& d) { d.erase("deploymentId"); }, "manifest.missing_field",
       "deploymentId"},
      {"no version", [](json& d) { d.erase("version"); }, "manifest.missing_field", "version"},
      {"no issuedAt", [](json& d) { d.erase("issuedAt"); }, "manifest.missing_field", "issuedAt"},
      {"no expiresAt", [](json& d) { d.erase("expiresAt"); }, "manifest.missing_field",
       "expiresAt"},
      {"no target", [](json& d) { d.erase("target"); }, "manifest.missing_field", "target"},
      {"no modules", [](json& d) { d.erase("modules"); }, "manifest.missing_field", "modules"},
      {"empty modules", [](json& d) { d["modules"] = json::object(); }, "manifest.missing_field",
       "modules"},
      {"empty target", [](json& d) { d["target"] = json::object(); }, "manifest.missing_field",
       "target"},
      {"empty target lists",
       [](json& d) {
         d["target"] = {{"deviceIds", json::array()}, {"tags", json::array()}};
       },
       "manifest.missing_field", "target"},
      {"no image", [](json& d) { Sensor(d).erase("image"); }, "manifest.missing_field",
       "modules.sensor.image"},
      {"no imageSize", [](json& d) { Sensor(d).erase("imageSize"); }, "manifest.missing_field",
       "modules.sensor.imageSize"},
      {"no timeToLiveSecs", [](json& d) { d["storeAndForward"] = json::object(); },
       "manifest.missing_field", "storeAndForward.timeToLiveSecs"},
      // unknown_field
      {"unknown top-level", [](json& d) { d["extra"] = 1; }, "manifest.unknown_field", "extra"},
      {"unknown in target", [](json& d) { d["target"]["groups"] = json::array(); },
       "manifest.unknown_field", "target.groups"},
      {"unknown in module", [](json& d) { Sensor(d)["privileged"] = true; },
       "manifest.unknown_field", "modules.sensor.privileged"},
      {"unknown in storeAndForward", [](json& d) { d["storeAndForward"]["x"] = 1; },
       "manifest.unknown_field", "storeAndForward.x"},
      {"IoT Edge spelling", [](json& d) { d["$schema"] = "x"; }, "manifest.unknown_field",
       "$schema"},
      // wrong_type
      {"schemaVersion number", [](json& d) { d["schemaVersion"] = 1; }, "manifest.wrong_type",
       "schemaVersion"},
      {"version string", [](json& d) { d["version"] = "42"; }, "manifest.wrong_type", "version"},
      {"version null", [](json& d) { d["version"] = nullptr; }, "manifest.wrong_type", "version"},
      {"version bool", [](json& d) { d["version"] = true; }, "manifest.wrong_type", "version"},
      {"target array", [](json& d) { d["target"] = json::array(); }, "manifest.wrong_type",
       "target"},
      {"deviceIds string", [](json& d) { d["target"]["deviceIds"] = "gw"; }, "manifest.wrong_type",
       "target.deviceIds"},
      {"deviceIds number entry", [](json& d) { d["target"]["deviceIds"] = {1}; },
       "manifest.wrong_type", "target.deviceIds[0]"},
      {"modules array", [](json& d) { d["modules"] = json::array({1}); }, "manifest.wrong_type",
       "modules"},
      {"module string", [](json& d) { d["modules"]["sensor"] = "x"; }, "manifest.wrong_type",
       "modules.sensor"},
      {"image number", [](json& d) { Sensor(d)["image"] = 5; }, "manifest.wrong_type",
       "modules.sensor.image"},
      {"createOptions string", [](json& d) { Sensor(d)["createOptions"] = "{}"; },
       "manifest.wrong_type", "modules.sensor.createOptions"},
      {"createOptions array", [](json& d) { Sensor(d)["createOptions"] = json::array(); },
       "manifest.wrong_type", "modules.sensor.createOptions"},
      {"env array", [](json& d) { Sensor(d)["env"] = json::array(); }, "manifest.wrong_type",
       "modules.sensor.env"},
      {"env value number", [](json& d) { Sensor(d)["env"]["LOG_LEVEL"] = 5; },
       "manifest.wrong_type", "modules.sensor.env.LOG_LEVEL"},
      {"restartPolicy number", [](json& d) { Sensor(d)["restartPolicy"] = 1; },
       "manifest.wrong_type", "modules.sensor.restartPolicy"},
      {"status bool", [](json& d) { Sensor(d)["status"] = true; }, "manifest.wrong_type",
       "modules.sensor.status"},
      {"routes array", [](json& d) { d["routes"] = json::array(); }, "manifest.wrong_type",
       "routes"},
      {"route number", [](json& d) { d["routes"]["upstream"] = 1; }, "manifest.wrong_type",
       "routes.upstream"},
      {"storeAndForward number", [](json& d) { d["storeAndForward"] = 1; }, "manifest.wrong_type",
       "storeAndForward"},
      // out_of_range
      {"schemaVersion 2.0", [](json& d) { d["schemaVersion"] = "2.0"; }, "manifest.out_of_range",
       "schemaVersion"},
      {"version 0", [](json& d) { d["version"] = 0; }, "manifest.out_of_range", "version"},
      {"version 2^53", [](json& d) { d["version"] = uint64_t{1} << 53; }, "manifest.out_of_range",
       "version"},
      {"imageSize 0", [](json& d) { Sensor(d)["imageSize"] = 0; }, "manifest.out_of_range",
       "modules.sensor.imageSize"},
      {"imageSize 2^40+1", [](json& d) { Sensor(d)["imageSize"] = (uint64_t{1} << 40) + 1; },
       "manifest.out_of_range", "modules.sensor.imageSize"},
      {"startupOrder 1001", [](json& d) { Sensor(d)["startupOrder"] = 1001; },
       "manifest.out_of_range", "modules.sensor.startupOrder"},
      {"startupOrder -1", [](json& d) { Sensor(d)["startupOrder"] = -1; }, "manifest.out_of_range",
       "modules.sensor.startupOrder"},
      {"ttl 2^31", [](json& d) { d["storeAndForward"]["timeToLiveSecs"] = uint64_t{1} << 31; },
       "manifest.out_of_range", "storeAndForward.timeToLiveSecs"},
      {"ttl -1", [](json& d) { d["storeAndForward"]["timeToLiveSecs"] = -1; },
       "manifest.out_of_range", "storeAndForward.timeToLiveSecs"},
      {"restartPolicy case", [](json& d) { Sensor(d)["restartPolicy"] = "Always"; },
       "manifest.out_of_range", "modules.sensor.restartPolicy"},
      {"restartPolicy unknown", [](json& d) { Sensor(d)["restartPolicy"] = "sometimes"; },
       "manifest.out_of_range", "modules.sensor.restartPolicy"},
      {"status unknown", [](json& d) { Sensor(d)["status"] = "paused"; }, "manifest.out_of_range",
       "modules.sensor.status"},
      {"env value 4097 bytes", [](json& d) { Sensor(d)["env"]["X"] = std::string(4097, 'v'); },
       "manifest.out_of_range", "modules.sensor.env.X"},
      {"env value NUL", [](json& d) { Sensor(d)["env"]["X"] = std::string("a\0b", 3); },
       "manifest.out_of_range", "modules.sensor.env.X"},
      {"route 1025 bytes", [](json& d) { d["routes"]["r"] = std::string(1025, 'r'); },
       "manifest.out_of_range", "routes.r"},
      {"route NUL", [](json& d) { d["routes"]["r"] = std::string("FROM\0", 5); },
       "manifest.out_of_range", "routes.r"},
      {"route empty", [](json& d) { d["routes"]["r"] = ""; }, "manifest.out_of_range", "routes.r"},
      // bad_name (deployment, target, env, routes; module names in their own test)
      {"deploymentId leading dash", [](json& d) { d["deploymentId"] = "-x"; }, "manifest.bad_name",
       "deploymentId"},
      {"deploymentId empty", [](json& d) { d["deploymentId"] = ""; }, "manifest.bad_name",
       "deploymentId"},
      {"deploymentId 129", [](json& d) { d["deploymentId"] = std::string(129, 'd'); },
       "manifest.bad_name", "deploymentId"},
      {"deploymentId slash", [](json& d) { d["deploymentId"] = "a/b"; }, "manifest.bad_name",
       "deploymentId"},
      {"deviceId leading dot", [](json& d) { d["target"]["deviceIds"] = {".gw"}; },
       "manifest.bad_name", "target.deviceIds[0]"},
      {"deviceId leading dash",
       [](json& d) {
         d["target"]["deviceIds"] = {"gw", "-gw"};
       },
       "manifest.bad_name", "target.deviceIds[1]"},
      {"deviceId slash", [](json& d) { d["target"]["deviceIds"] = {"a/b"}; }, "manifest.bad_name",
       "target.deviceIds[0]"},
      {"deviceId empty", [](json& d) { d["target"]["deviceIds"] = {""}; }, "manifest.bad_name",
       "target.deviceIds[0]"},
      {"deviceId 129", [](json& d) { d["target"]["deviceIds"] = {std::string(129, 'g')}; },
       "manifest.bad_name", "target.deviceIds[0]"},
      {"tag colon", [](json& d) { d["target"]["tags"] = {"a:b"}; }, "manifest.bad_name",
       "target.tags[0]"},
      {"tag 65", [](json& d) { d["target"]["tags"] = {std::string(65, 't')}; }, "manifest.bad_name",
       "target.tags[0]"},
      {"env name digit", [](json& d) { Sensor(d)["env"]["1X"] = "v"; }, "manifest.bad_name",
       "modules.sensor.env.1X"},
      {"env name dash", [](json& d) { Sensor(d)["env"]["A-B"] = "v"; }, "manifest.bad_name",
       "modules.sensor.env.A-B"},
      {"env name empty", [](json& d) { Sensor(d)["env"][""] = "v"; }, "manifest.bad_name",
       "modules.sensor.env.\"\""},
      {"env name 129", [](json& d) { Sensor(d)["env"][std::string(129, 'E')] = "v"; },
       "manifest.bad_name", "modules.sensor.env." + std::string(64, 'E') + "..."},
      {"route name traversal", [](json& d) { d["routes"]["../r"] = "FROM x"; }, "manifest.bad_name",
       "routes.../r"},
      // bad_time
      {"offset", [](json& d) { d["issuedAt"] = "2026-11-26T10:00:00+01:00"; }, "manifest.bad_time",
       "issuedAt"},
      {"fraction", [](json& d) { d["issuedAt"] = "2026-11-26T10:00:00.5Z"; }, "manifest.bad_time",
       "issuedAt"},
      {"space", [](json& d) { d["issuedAt"] = "2026-11-26 10:00:00Z"; }, "manifest.bad_time",
       "issuedAt"},
      {"lower z", [](json& d) { d["expiresAt"] = "2026-12-26T10:00:00z"; }, "manifest.bad_time",
       "expiresAt"},
      {"Feb 30", [](json& d) { d["issuedAt"] = "2026-02-30T10:00:00Z"; }, "manifest.bad_time",
       "issuedAt"},
      {"Feb 29 non-leap", [](json& d) { d["issuedAt"] = "2026-02-29T10:00:00Z"; },
       "manifest.bad_time", "issuedAt"},
      {"hour 24", [](json& d) { d["issuedAt"] = "2026-11-26T24:00:00Z"; }, "manifest.bad_time",
       "issuedAt"},
      {"leap second", [](json& d) { d["issuedAt"] = "2026-11-26T23:59:60Z"; }, "manifest.bad_time",
       "issuedAt"},
      {"before 1970", [](json& d) { d["issuedAt"] = "1969-12-31T23:59:59Z"; }, "manifest.bad_time",
       "issuedAt"},
      {"date only", [](json& d) { d["issuedAt"] = "2026-11-26"; }, "manifest.bad_time", "issuedAt"},
      {"equal times", [](json& d) { d["expiresAt"] = d["issuedAt"]; }, "manifest.bad_time",
       "expiresAt"},
      {"expires first",
       [](json& d) {
         d["issuedAt"] = "2026-12-26T10:00:00Z";
         d["expiresAt"] = "2026-11-26T10:00:00Z";
       },
       "manifest.bad_time", "expiresAt"},
      // too_many / too_large (the M13 set has its own test)
      {"1025 device ids",
       [](json& d) { d["target"]["deviceIds"] = std::vector<std::string>(1025, "gw"); },
       "manifest.too_many", "target.deviceIds"},
      {"1025 tags", [](json& d) { d["target"]["tags"] = std::vector<std::string>(1025, "t"); },
       "manifest.too_many", "target.tags"},
      {"129 routes",
       [](json& d) {
         for (int i = 0; i < 129; ++i) d["routes"]["r" + std::to_string(i)] = "FROM x";
       },
       "manifest.too_many", "routes"},
      {"createOptions 16 KiB + 1",
       [](json& d) {
         // {"k":"<v>"} is 8 bytes plus the value.
         Sensor(d)["createOptions"] = {{"k", std::string(16 * 1024 - 8 + 1, 'c')}};
       },
       "manifest.too_large", "modules.sensor.createOptions"},
  };
  for (const auto& c : cases) {
    json doc = Base();
    c.mutate(doc);
    ExpectRejected(Parse(doc), c.reason, c.path, c.label);
  }
}

TEST(ManifestParserTest, CreateOptionsAtTheLimitIsAccepted) {
  json doc = Base();
  Sensor(doc)["createOptions"] = {{"k", std::string(16 * 1024 - 8, 'c')}};
  auto m = Parse(doc);
  ASSERT_TRUE(m.has_value()) << m.error().ToString();
}

struct TextCase {
  std::string label;
  std::string text;
  std::string reason;
  std::string path;
};

// M9: JSON tricks, written as raw text because a JSON library would never produce them.
TEST(ManifestParserTest, RejectsJsonTricks) {
  const std::string base = Base().dump();
  auto with_version = [&](const std::string& number) {
    return Replace(base, "\"version\":42", "\"version\":" + number);
  };
  const std::vector<TextCase> cases = {
      {"duplicate top-level", "{\"version\":42," + base.substr(1), "manifest.malformed_json",
       "version"},
      {"duplicate in module",
       Replace(base, "\"imageSize\":1048576", "\"imageSize\":1048576,\"imageSize\":1"),
       "manifest.malformed_json", "modules.sensor.imageSize"},
      {"duplicate module", Replace(base, "\"modules\":{", "\"modules\":{\"sensor\":{},"),
       "manifest.malformed_json", "modules.sensor"},
      {"duplicate in createOptions",
       Replace(base, "\"createOptions\":{", "\"createOptions\":{\"a\":1,\"a\":2,"),
       "manifest.malformed_json", "modules.sensor.createOptions.a"},
      {"duplicate deep in createOptions",
       Replace(base, "\"createOptions\":{", "\"createOptions\":{\"x\":[{\"a\":1,\"a\":1}],"),
       "manifest.malformed_json", "modules.sensor.createOptions.x[0].a"},
      {"duplicate env", Replace(base, "\"env\":{", "\"env\":{\"LOG_LEVEL\":\"x\","),
       "manifest.malformed_json", "modules.sensor.env.LOG_LEVEL"},
      {"invalid UTF-8 in key", Replace(base, "\"LOG_LEVEL\"", "\"LOG_\xff\""),
       "manifest.malformed_json", "modules.sensor.env"},
      {"invalid UTF-8 in value", Replace(base, "\"info\"", "\"in\xc3\x28\""),
       "manifest.malformed_json", "modules.sensor.env.LOG_LEVEL"},
      {"overlong UTF-8", Replace(base, "\"info\"", "\"\xc0\xaf\""), "manifest.malformed_json",
       "modules.sensor.env.LOG_LEVEL"},
      {"UTF-8 surrogate", Replace(base, "\"info\"", "\"\xed\xa0\x80\""), "manifest.malformed_json",
       "modules.sensor.env.LOG_LEVEL"},
      {"truncated UTF-8", Replace(base, "\"info\"", "\"\xe2\x82\""), "manifest.malformed_json",
       "modules.sensor.env.LOG_LEVEL"},
      {"lone surrogate escape", Replace(base, "\"info\"", "\"\\ud800\""), "manifest.malformed_json",
       "modules.sensor.env.LOG_LEVEL"},
      {"version 1e3", with_version("1e3"), "manifest.wrong_type", "version"},
      {"version 1.0", with_version("1.0"), "manifest.wrong_type", "version"},
      {"version 4.2E1", with_version("4.2E1"), "manifest.wrong_type", "version"},
      {"version -1", with_version("-1"), "manifest.out_of_range", "version"},
      {"version -0", with_version("-0"), "manifest.out_of_range", "version"},
      {"version 2^64", with_version("18446744073709551616"), "manifest.out_of_range", "version"},
      {"version 2^63", with_version("9223372036854775808"), "manifest.out_of_range", "version"},
      {"version 1e30", with_version("1e30"), "manifest.out_of_range", "version"},
      {"version huge exponent", with_version("1e999999"), "manifest.out_of_range", "version"},
      {"huge exponent in createOptions",
       Replace(base, "\"createOptions\":{", "\"createOptions\":{\"n\":-1e400,"),
       "manifest.out_of_range", "modules.sensor.createOptions.n"},
      {"byte order mark", "\xef\xbb\xbf" + base, "manifest.malformed_json", "(root)"},
      {"trailing data", base + "{}", "manifest.malformed_json", "(root)"},
      {"two documents", base + base, "manifest.malformed_json", "(root)"},
      {"truncated", base.substr(0, base.size() - 1), "manifest.malformed_json", "(root)"},
      {"empty", "", "manifest.malformed_json", "(root)"},
      {"comment", "/**/" + base, "manifest.malformed_json", "(root)"},
      {"single quotes", Replace(base, "\"info\"", "'info'"), "manifest.malformed_json",
       "modules.sensor.env.LOG_LEVEL"},
      {"trailing comma", Replace(base, "\"info\"", "\"info\","), "manifest.malformed_json",
       "modules.sensor.env"},
      {"raw control character", Replace(base, "\"info\"", "\"in\tfo\""), "manifest.malformed_json",
       "modules.sensor.env.LOG_LEVEL"},
      {"array root", "[" + base + "]", "manifest.wrong_type", "(root)"},
      {"string root", "\"manifest\"", "manifest.wrong_type", "(root)"},
      {"null root", "null", "manifest.wrong_type", "(root)"},
  };
  for (const auto& c : cases) ExpectRejected(Parse(c.text), c.reason, c.path, c.label);
}

// M10: module names come from the document and become paths and process names downstream.
TEST(ManifestParserTest, RejectsModuleNamesOutsideTheAllowList) {
  const std::vector<std::string> names = {"../x",
                                          "a/b",
                                          "",
                                          std::string(65, 'm'),
                                          std::string("a\0b", 3),
                                          "a b",
                                          " a",
                                          "a\n",
                                          "ünï",
                                          "\xce\xb1",
                                          "-x",
                                          "_x",
                                          ".x",
                                          "x.y",
                                          "..",
                                          "a\\b",
                                          "a:b",
                                          "$upstream"};
  for (const auto& name : names) {
    json doc = Base();
    doc["modules"][name] = Sensor(doc);
    auto r = Parse(doc);
    ASSERT_FALSE(r.has_value()) << name;
    EXPECT_EQ(r.error().reason, "manifest.bad_name") << name;
    EXPECT_TRUE(r.error().message.starts_with("modules.")) << r.error().message;
    // The path is safe to log whatever the name holds.
    for (char ch : r.error().message) {
      EXPECT_TRUE(ch >= 0x20 && ch < 0x7f) << "unprintable byte in " << r.error().message;
    }
  }
  json doc = Base();
  doc["modules"][std::string(64, 'm')] = Sensor(doc);
  doc["modules"]["A0_-z"] = Sensor(doc);
  EXPECT_TRUE(Parse(doc).has_value());
}

// M11: every image is pinned by a sha256 digest of exactly 64 lower-case hex digits.
TEST(ManifestParserTest, RejectsImagesNotPinnedBySha256) {
  const std::string repo = "registry.example.com/sensor";
  const std::vector<std::string> images = {
      repo + ":1.0",
      repo,
      repo + ":latest@" + "sha256",
      repo + "@sha256:" + std::string(64, 'A'),
      repo + "@sha256:" + std::string(63, 'a'),
      repo + "@sha256:" + std::string(65, 'a'),
      repo + "@sha256:" + std::string(63, 'a') + "g",
      repo + "@sha512:" + std::string(128, 'a'),
      repo + "@SHA256:" + kHexA,
      repo + "@sha256:0x" + std::string(62, 'a'),
      repo + "@sha256:" + kHexA + " ",
      "@sha256:" + kHexA,
      "Registry.example.com/sensor@sha256:" + kHexA,
      "registry.example.com/../sensor@sha256:" + kHexA,
      "registry.example.com//sensor@sha256:" + kHexA,
      "/sensor@sha256:" + kHexA,
      "a@b@sha256:" + kHexA,
      repo + "@sha256:" + kHexA + "@sha256:" + kHexA,
      std::string(256, 'r') + "@sha256:" + kHexA,
  };
  for (const auto& image : images) {
    json doc = Base();
    Sensor(doc)["image"] = image;
    ExpectRejected(Parse(doc), "manifest.bad_image", "modules.sensor.image", image);
  }
  json doc = Base();
  Sensor(doc)["image"] = std::string(255, 'r') + "@sha256:" + kHexA;
  EXPECT_TRUE(Parse(doc).has_value());
}

std::string Nested(int levels) {
  std::string open;
  std::string close;
  for (int i = 0; i < levels; ++i) {
    open += "{\"a\":";
    close += "}";
  }
  return open + "1" + close;
}

// M13: bounded input, bounded work.
TEST(ManifestParserTest, RejectsOversizedInputs) {
  // Size is checked before parsing: 257 KiB of anything is refused as too large.
  ExpectRejected(Parse(std::string(257 * 1024, ' ')), "manifest.too_large", "(root)", "257 KiB");
  std::string padded = Base().dump();
  padded.append(kMaxManifestSize - padded.size(), ' ');
  EXPECT_TRUE(Parse(padded).has_value()) << "exactly kMaxManifestSize";
  ExpectRejected(Parse(padded + " "), "manifest.too_large", "(root)", "kMaxManifestSize + 1");

  // Depth: the root is level 1, modules 2, the module 3, createOptions 4.
  const std::string base = Base().dump();
  auto deep = [&](int levels_in_options) {
    return Replace(base, "\"createOptions\":{",
                   "\"createOptions\":{\"deep\":" + Nested(levels_in_options) + ",");
  };
  EXPECT_TRUE(Parse(deep(12)).has_value()) << "depth 16";
  ExpectRejected(Parse(deep(13)), "manifest.malformed_json",
                 "modules.sensor.createOptions.deep.a.a.a.a.a.a.a.a.a.a.a.a", "depth 17");
  ExpectRejected(Parse(std::string(100000, '[')), "manifest.wrong_type", "(root)", "[[[[");
  ExpectRejected(Parse(Replace(base, "\"createOptions\":{",
                               "\"createOptions\":{\"x\":" + std::string(50000, '[') + ",")),
                 "manifest.malformed_json",
                 "modules.sensor.createOptions.x[0][0][0][0][0][0][0][0][0][0][0][0]",
                 "deep arrays");

  json doc = Base();
  for (size_t i = 2; i < kMaxModules; ++i) doc["modules"]["m" + std::to_string(i)] = Sensor(doc);
  EXPECT_TRUE(Parse(doc).has_value()) << "64 modules";
  doc["modules"]["one-too-many"] = Sensor(doc);
  ExpectRejected(Parse(doc), "manifest.too_many", "modules", "65 modules");

  doc = Base();
  for (int i = 1; i < 128; ++i) Sensor(doc)["env"]["V" + std::to_string(i)] = "v";
  EXPECT_TRUE(Parse(doc).has_value()) << "128 env entries";
  Sensor(doc)["env"]["V128"] = "v";
  ExpectRejected(Parse(doc), "manifest.too_many", "modules.sensor.env", "129 env entries");
}

TEST(ManifestParserTest, ReadsEveryField) {
  auto m = Parse(Base());
  ASSERT_TRUE(m.has_value()) << m.error().ToString();
  EXPECT_EQ(m->schema_version, "1.0");
  EXPECT_EQ(m->deployment_id, "fleet-a-42");
  EXPECT_EQ(m->version, 42u);
  EXPECT_EQ(m->issued_at, 1795687200);
  EXPECT_EQ(m->expires_at, 1798279200);
  EXPECT_EQ(m->target.device_ids, std::vector<std::string>{"gw-0001"});
  EXPECT_EQ(m->target.tags, std::vector<std::string>{"line7"});
  ASSERT_EQ(m->modules.size(), 2u);

  const Module& hub = m->modules[0];  // startupOrder 0 (default) comes first
  EXPECT_EQ(hub.name, "hub");
  EXPECT_EQ(hub.image.repository, "registry.example.com:5000/edge/hub");
  EXPECT_EQ(hub.image.DigestHex(), std::string(64, 'b'));
  EXPECT_EQ(hub.image.sha256, Bytes(32, 0xbb));
  EXPECT_EQ(hub.image.size, 2048u);
  EXPECT_EQ(hub.create_options, "{}");
  EXPECT_TRUE(hub.env.empty());
  EXPECT_EQ(hub.restart_policy, RestartPolicy::kAlways);
  EXPECT_EQ(hub.startup_order, 0u);
  EXPECT_EQ(hub.status, ModuleStatus::kRunning);

  const Module& sensor = m->modules[1];
  EXPECT_EQ(sensor.name, "sensor");
  EXPECT_EQ(sensor.image.repository, "registry.example.com/sensor");
  EXPECT_EQ(sensor.image.sha256, Bytes(32, 0xaa));
  EXPECT_EQ(sensor.image.size, 1048576u);
  EXPECT_EQ(sensor.create_options, R"({"HostConfig":{"Privileged":false}})");
  EXPECT_EQ(sensor.env, (std::map<std::string, std::string>{{"LOG_LEVEL", "info"}}));
  EXPECT_EQ(sensor.restart_policy, RestartPolicy::kOnFailure);
  EXPECT_EQ(sensor.startup_order, 5u);
  EXPECT_EQ(sensor.status, ModuleStatus::kStopped);

  EXPECT_EQ(m->routes,
            (std::map<std::string, std::string>{{"upstream", "FROM /messages/* INTO $upstream"}}));
  EXPECT_EQ(m->store_and_forward_ttl_secs, 60u);
}

TEST(ManifestParserTest, AppliesDefaultsAndLimits) {
  json doc = Base();
  doc.erase("routes");
  doc.erase("storeAndForward");
  doc["target"].erase("deviceIds");
  doc["version"] = (uint64_t{1} << 53) - 1;
  doc["issuedAt"] = "2024-02-29T23:59:59Z";
  doc["expiresAt"] = "9999-12-31T23:59:59Z";
  Sensor(doc) = {{"image", kSensorImage}, {"imageSize", uint64_t{1} << 40}};
  Sensor(doc)["startupOrder"] = 1000;
  Sensor(doc)["env"] = {{"_", ""}, {"A", std::string(4096, 'v')}, {"Z9_", "ü"}};
  auto m = Parse(doc);
  ASSERT_TRUE(m.has_value()) << m.error().ToString();
  EXPECT_EQ(m->version, (uint64_t{1} << 53) - 1);
  EXPECT_EQ(m->issued_at, 1709251199);
  EXPECT_EQ(m->expires_at, 253402300799);
  EXPECT_TRUE(m->target.device_ids.empty());
  EXPECT_TRUE(m->routes.empty());
  EXPECT_EQ(m->store_and_forward_ttl_secs, 7200u);
  EXPECT_EQ(m->modules[1].image.size, uint64_t{1} << 40);
  EXPECT_EQ(m->modules[1].startup_order, 1000u);
  EXPECT_EQ(m->modules[1].env.at("Z9_"), "ü");

  doc["storeAndForward"] = {{"timeToLiveSecs", 0}};
  doc["target"] = {{"deviceIds", {"gw:1", "_x", "a.b-c"}}};
  m = Parse(doc);
  ASSERT_TRUE(m.has_value()) << m.error().ToString();
  EXPECT_EQ(m->store_and_forward_ttl_secs, 0u);
  doc["storeAndForward"] = {{"timeToLiveSecs", (uint64_t{1} << 31) - 1}};
  m = Parse(doc);
  ASSERT_TRUE(m.has_value()) << m.error().ToString();
  EXPECT_EQ(m->store_and_forward_ttl_secs, (uint64_t{1} << 31) - 1);
}

TEST(ManifestParserTest, SortsModulesByStartupOrderThenName) {
  json doc = Base();
  json module = {{"image", kSensorImage}, {"imageSize", 1}};
  doc["modules"] = json::object();
  for (auto [name, order] : std::vector<std::pair<std::string, int>>{
           {"b", 1}, {"a", 1}, {"c", 0}, {"Z", 0}, {"late", 1000}, {"a0", 1}}) {
    doc["modules"][name] = module;
    doc["modules"][name]["startupOrder"] = order;
  }
  auto m = Parse(doc);
  ASSERT_TRUE(m.has_value()) << m.error().ToString();
  std::vector<std::string> names;
  for (const auto& mod : m->modules) names.push_back(mod.name);
  EXPECT_EQ(names, (std::vector<std::string>{"Z", "c", "a", "a0", "b", "late"}));
}

TEST(ManifestParserTest, CreateOptionsRoundTripAsCompactJson) {
  json options = json::parse(R"({
      "Env": ["A=1", "B=\u00fc\ud83d\ude00"],
      "HostConfig": {"Binds": ["/data:/data"], "Memory": 536870912, "CpuShares": 0.5,
                     "Privileged": false, "Devices": null, "Nested": {"x": [[], {}]}},
      "Labels": {"quote\"back\\slash": "ctl\u0001"}
  })");
  json doc = Base();
  Sensor(doc)["createOptions"] = options;
  std::string text = Replace(doc.dump(2), "\"createOptions\": {", "\"createOptions\" :\n {  ");
  auto m = Parse(text);
  ASSERT_TRUE(m.has_value()) << m.error().ToString();
  const std::string& compact = m->modules[1].create_options;
  EXPECT_EQ(compact, options.dump());
  EXPECT_EQ(compact.find('\n'), std::string::npos);
  EXPECT_EQ(json::parse(compact), options);

  // Feeding the compact form back yields the same bytes.
  Sensor(doc)["createOptions"] = json::parse(compact);
  auto again = Parse(doc);
  ASSERT_TRUE(again.has_value()) << again.error().ToString();
  EXPECT_EQ(again->modules[1].create_options, compact);
}

}  // namespace
}  // namespace edgetrust::manifest
