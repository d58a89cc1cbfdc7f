// Fuzzes the strict deployment manifest parser (THREATS M9, M10, M11, M13, E16): no input may
// crash it, and whatever it accepts must satisfy the contract of manifest_parser.h, so a
// mutation that slips a bad name, digest or order past the checks aborts the run.
#include <cstdlib>
#include <string>
#include <tuple>

#include "common/bytes.h"
#include "manifest/core/manifest_parser.h"
#include "tests/fuzz/fuzz_seeds.h"

using namespace edgetrust;
using namespace edgetrust::manifest;

namespace {

std::vector<uint8_t> Seed(const std::string& text) { return {text.begin(), text.end()}; }

const std::string kDigest(64, 'a');

void Check(bool ok) {
  if (!ok) std::abort();
}

}  // namespace

std::vector<std::vector<uint8_t>> EdgetrustFuzzSeeds() {
  const std::string head =
      R"({"schemaVersion":"1.0","deploymentId":"fleet-a-42","version":42,)"
      R"("issuedAt":"2026-11-26T10:00:00Z","expiresAt":"2026-12-26T10:00:00Z",)";
  const std::string full =
      head + R"("target":{"deviceIds":["gw-0001"],"tags":["line7"]},"modules":{)" +
      R"("sensor":{"image":"registry.example.com/sensor@sha256:)" + kDigest +
      R"(","imageSize":1048576,"createOptions":{"HostConfig":{"Binds":["/a:/b"],"Memory":5,)" +
      R"("Cpu":0.5,"X":null,"Y":[true,{}]}},"env":{"LOG_LEVEL":"info","\u00fc_":"\ud83d\ude00"},)" +
      R"("restartPolicy":"on-failure","startupOrder":1,"status":"stopped"},)" +
      R"("hub":{"image":"r:5000/h@sha256:)" + kDigest + R"(","imageSize":1}},)" +
      R"("routes":{"upstream":"FROM /messages/* INTO $upstream"},)" +
      R"("storeAndForward":{"timeToLiveSecs":7200}})";
  const std::string minimal = head +
                              R"("target":{"tags":["t"]},"modules":{"m":{"image":"a@sha256:)" +
                              kDigest + R"(","imageSize":1}}})";
  return {Seed(full), Seed(minimal)};
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto manifest = ParseManifest(ByteView(data, size));
  if (!manifest) {
    Check(manifest.error().code == ErrorCode::kInvalidArgument);
    Check(manifest.error().reason.starts_with("manifest."));
    return 0;
  }
  Check(size <= kMaxManifestSize);
  Check(manifest->schema_version == "1.0");
  Check(manifest->version >= 1 && manifest->version < (uint64_t{1} << 53));
  Check(manifest->issued_at < manifest->expires_at);
  Check(!manifest->target.device_ids.empty() || !manifest->target.tags.empty());
  Check(!manifest->modules.empty() && manifest->modules.size() <= kMaxModules);
  for (size_t i = 0; i < manifest->modules.size(); ++i) {
    const Module& m = manifest->modules[i];
    Check(!m.name.empty() && m.name.size() <= 64);
    for (char c : m.name) Check(c != '/' && c != '.' && c != '\0');
    Check(m.image.sha256.size() == 32 && m.image.DigestHex().size() == 64);
    Check(m.image.size >= 1 && m.image.size <= (uint64_t{1} << 40));
    Check(m.image.repository.find("..") == std::string::npos);
    Check(m.create_options.starts_with("{") && m.create_options.ends_with("}"));
    Check(m.create_options.size() <= 16 * 1024);
    Check(m.env.size() <= 128 && m.startup_order <= 1000);
    if (i > 0) {
      const Module& prev = manifest->modules[i - 1];
      Check(std::tie(prev.startup_order, prev.name) < std::tie(m.startup_order, m.name));
    }
  }
  // Accepted input parses the same way twice (the parser is a pure function of the bytes).
  auto again = ParseManifest(ByteView(data, size));
  Check(again.has_value() && again->modules.size() == manifest->modules.size() &&
        again->deployment_id == manifest->deployment_id);
  return 0;
}
