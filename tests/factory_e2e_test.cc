// `edgetrust factory provision` end to end (issue 6 §3): a real edgetrust-enrolld (SoftHSM CA,
// SQLite), a station token (SoftHSM: operator key and factory EK CA), and private swtpms, some
// with manufacturer EK certificates and some without. Judges: the operator API (curl, mutual
// TLS), tpm2_nvread + openssl verify, `edgetrust tpm ek` + sha256sum for the registration id,
// `edgetrustd --check-config` for the bundles, and `edgetrust tpm enroll` for group enrollment
// with a factory-issued EK certificate.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "common/testing/shell.h"
#include "enrollment/server/testing/enrolld_process.h"
#include "swtpm/swtpm_process.h"
#include "swtpm/temp_dir.h"

namespace edgetrust::factory_e2e {
namespace {

using enrollment::server::testing::EnrolldProcess;
using nlohmann::json;
using swtpm::SwtpmProcess;
using test_util::RunCommand;
using test_util::ShellQuote;

constexpr int kWithCerts = 6;
constexpr int kWithoutCerts = 5;
// Nothing listens on port 1 of the loopback: a device whose TPM does not answer.
constexpr const char* kBrokenTcti = "swtpm:host=127.0.0.1,port=1";

std::vector<json> JsonLines(const std::string& text) {
  std::vector<json> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line.front() == '{') lines.push_back(json::parse(line));
  }
  return lines;
}

void WriteText(const std::string& path, const std::string& text) { std::ofstream(path) << text; }

class FactoryE2eTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto dir = swtpm::TempDir::Create("edgetrust-factory-e2e.");
    ASSERT_TRUE(dir) << dir.error().ToString();
    dir_ = new swtpm::TempDir(std::move(*dir));
    auto enrolld = EnrolldProcess::Start();
    ASSERT_TRUE(enrolld) << enrolld.error().ToString();
    enrolld_ = enrolld->release();
    auto env = RunCommand("bash " + ShellQuote(EDGETRUST_STATION_ENV) + " " +
                          ShellQuote(enrolld_->dir()) + " " + ShellQuote(Station("")));
    ASSERT_EQ(env.exit_code, 0) << env.output;
  }
  static void TearDownTestSuite() {
    delete enrolld_;
    delete dir_;
  }

  static std::string Station(const std::string& file) {
    return dir_->path() + "/station" + (file.empty() ? "" : "/" + file);
  }
  static std::string Path(const std::string& name) { return dir_->path() + "/" + name; }

  // WriteProfile writes a station profile named `name` and returns its path; `enrollment` and
  // `bundle` are extra lines for those tables.
  static std::string WriteProfile(const std::string& name, const std::string& enrollment = "",
                                  bool with_ek_ca = true) {
    std::string text = "[service]\noperator_url = \"" + enrolld_->operator_url() +
                       "\"\ndevice_url = \"" + enrolld_->device_url() + "\"\nca_bundle = \"" +
                       enrolld_->ca_bundle_path() +
                       "\"\n\n[station]\n"
                       "operator_key_uri = \"pkcs11:token=factory;object=station;type=private\"\n"
                       "pin_file = \"station.pin\"\noperator_certificate = \"station.pem\"\n"
                       "software_tpm = true\n\n"
                       "[enrollment]\ntags = [\"line7\"]\n" +
                       enrollment + "\n";
    if (with_ek_ca) {
      text +=
          "[ek_ca]\nkey_uri = \"pkcs11:token=factory;object=factory-ca;type=private\"\n"
          "certificate = \"factory-ca.pem\"\n\n";
    }
    text += "[bundle]\nout_dir = \"" + Path(name + "-bundles") +
            "\"\ndevice_tcti = \"station\"\nstate_dir = \"{install_dir}/state\"\n"
            "socket = \"/run/edgetrust-e2e.sock\"\n";
    const std::string path = Station(name + ".toml");
    WriteText(path, text);
    return path;
  }

  static test_util::CommandResult Provision(const std::string& profile, const std::string& args) {
    return RunCommand("SOFTHSM2_CONF=" + ShellQuote(Station("softhsm2.conf")) + " " +
                      EDGETRUST_CLI + " factory provision --profile " + ShellQuote(profile) +
                      " --json --no-progress " + args + " 2>" + ShellQuote(Path("stderr.txt")));
  }

  // Operator calls the operator API with curl over mutual TLS (the test operator's key).
  static json Operator(const std::string& method, const std::string& path,
                       const std::string& body = "") {
    std::string command = "curl -sS --cacert " + ShellQuote(enrolld_->ca_bundle_path()) +
                          " --cert " + ShellQuote(enrolld_->operator_client_cert_path()) +
                          " --key " + ShellQuote(enrolld_->operator_client_key_path()) + " -X " +
                          method + " " + ShellQuote(enrolld_->operator_url() + path);
    if (!body.empty()) {
      command += " -H 'Content-Type: application/json' -d " + ShellQuote(body);
    }
    auto answer = RunCommand(command);
    EXPECT_EQ(answer.exit_code, 0) << answer.output;
    json doc = json::parse(answer.output, nullptr, false);
    return doc;
  }

  // RegistrationIdOf: the hex SHA-256 of the EK's TPM2B_PUBLIC, computed by independent means.
  static std::string RegistrationIdOf(const SwtpmProcess& tpm, const std::string& name) {
    const std::string out = Path(name + ".ek.tss");
    auto ek = RunCommand(std::string(EDGETRUST_CLI) + " tpm ek --alg rsa2048 --format tss --tcti " +
                         ShellQuote(tpm.tcti()) + " --out " + ShellQuote(out));
    EXPECT_EQ(ek.exit_code, 0) << ek.output;
    auto sum = RunCommand("sha256sum " + ShellQuote(out) + " | cut -d' ' -f1");
    return sum.output.substr(0, 64);
  }

  static std::string Csv(const std::vector<const SwtpmProcess*>& tpms) {
    std::string csv = "tcti,tags,serial\n";
    int n = 0;
    for (const SwtpmProcess* tpm : tpms) {
      csv += "\"" + tpm->tcti() + "\",rack" + std::to_string(n % 2) + ";gw,SN-" +
             std::to_string(1000 + n) + "\n";
      ++n;
    }
    return csv;
  }

  // StartTpm starts a private swtpm, with manufacturer EK certificates or without.
  static std::unique_ptr<SwtpmProcess> StartTpm(bool with_ek_certs) {
    auto tpm = SwtpmProcess::Start({.ca_dir = "", .with_ek_certs = with_ek_certs});
    EXPECT_TRUE(tpm) << tpm.error().ToString();
    return tpm ? std::move(*tpm) : nullptr;
  }

  static swtpm::TempDir* dir_;
  static EnrolldProcess* enrolld_;
};

swtpm::TempDir* FactoryE2eTest::dir_ = nullptr;
EnrolldProcess* FactoryE2eTest::enrolld_ = nullptr;

TEST_F(FactoryE2eTest, BatchProvisionsEveryDeviceReportsTheBrokenOneAndReRunsIdempotently) {
  std::vector<std::unique_ptr<SwtpmProcess>> tpms;
  std::vector<const SwtpmProcess*> line;
  for (int i = 0; i < kWithCerts + kWithoutCerts; ++i) {
    tpms.push_back(StartTpm(i < kWithCerts));
    ASSERT_NE(tpms.back(), nullptr);
    line.push_back(tpms.back().get());
  }
  std::string csv = Csv(line);
  csv.insert(csv.find('\n', csv.find("SN-1004")) + 1,
             std::string("\"") + kBrokenTcti + "\",,SN-broken\n");
  WriteText(Path("devices.csv"), csv);
  const std::string profile = WriteProfile("batch");

  auto first = Provision(profile, "--batch " + ShellQuote(Path("devices.csv")) + " --jobs 3");
  EXPECT_EQ(first.exit_code, 1) << first.output;  // one device failed, the batch went on
  auto records = JsonLines(first.output);
  ASSERT_EQ(records.size(), line.size() + 1) << first.output;
  int issued = 0, present = 0, failed = 0;
  std::map<std::string, std::string> source;  // tcti -> ek_certificate of the first run
  for (const json& r : records) {
    if (r["tcti"] == kBrokenTcti) {
      ++failed;
      EXPECT_EQ(r["outcome"], "failed");
      EXPECT_EQ(r["error"]["step"], "tpm");
      EXPECT_EQ(r["serial"], "SN-broken");
      continue;
    }
    EXPECT_EQ(r["outcome"], "provisioned") << r.dump();
    EXPECT_EQ(r["enrollment"], "created") << r.dump();
    EXPECT_EQ(r["bundle"], "written") << r.dump();
    issued += r["ek_certificate"] == "issued";
    present += r["ek_certificate"] == "present";
    source[r["tcti"]] = r["ek_certificate"];
    EXPECT_EQ(r["ek_certificate_serial"].get<std::string>().empty(), false) << r.dump();
    EXPECT_GT(r["timing_ms"]["tpm"].get<double>(), 0.0);
  }
  EXPECT_EQ(failed, 1);
  EXPECT_EQ(issued, kWithoutCerts);
  EXPECT_EQ(present, kWithCerts);
  // The summary's totals line went to stderr's neighbour: stdout carried JSON only.
  auto records_file = RunCommand("wc -l < " + ShellQuote(Path("batch-bundles/records.jsonl")));
  EXPECT_EQ(std::stoi(records_file.output), static_cast<int>(line.size()) + 1);

  // Every device is enrolled with the service under the id independent tools compute, with the
  // profile's tag plus its batch line's, and its bundle is a config edgetrustd accepts.
  for (size_t i = 0; i < line.size(); ++i) {
    const std::string id = RegistrationIdOf(*line[i], "dev" + std::to_string(i));
    json enrollment = Operator("GET", "/v1/operator/enrollments/individual/" + id);
    ASSERT_TRUE(enrollment.is_object()) << id;
    EXPECT_EQ(enrollment["registration_id"], id);
    EXPECT_EQ(enrollment["ek_digest"], id);
    std::vector<std::string> tags = enrollment["tags"];
    std::sort(tags.begin(), tags.end());
    EXPECT_EQ(tags, (std::vector<std::string>{"gw", "line7", "rack" + std::to_string(i % 2)}));
    const std::string bundle = Path("batch-bundles/" + id);
    auto check = RunCommand(std::string(EDGETRUSTD) + " --check-config --config " +
                            ShellQuote(bundle + "/config.toml"));
    EXPECT_EQ(check.exit_code, 0) << check.output;
    auto same_ca = RunCommand("cmp " + ShellQuote(bundle + "/ca-bundle.pem") + " " +
                              ShellQuote(enrolld_->ca_bundle_path()));
    EXPECT_EQ(same_ca.exit_code, 0) << same_ca.output;
  }

  // A factory-issued certificate is in the TPM's NV index and chains to the factory CA.
  const SwtpmProcess& bare = *line.back();
  auto nv = RunCommand("TPM2TOOLS_TCTI=" + ShellQuote(bare.tcti()) + " tpm2_nvread -C o -o " +
                       ShellQuote(Path("ek.der")) + " 0x01c00002" +
                       " && openssl x509 -inform DER -in " + ShellQuote(Path("ek.der")) + " -out " +
                       ShellQuote(Path("ek.pem")) + " && openssl verify -CAfile " +
                       ShellQuote(Station("factory-ca.pem")) + " " + ShellQuote(Path("ek.pem")));
  EXPECT_EQ(nv.exit_code, 0) << nv.output;

  // Again: nothing to do, and it says so; the service holds no second enrollment.
  auto second = Provision(profile, "--batch " + ShellQuote(Path("devices.csv")));
  EXPECT_EQ(second.exit_code, 1) << second.output;
  auto again = JsonLines(second.output);
  ASSERT_EQ(again.size(), line.size() + 1);
  for (const json& r : again) {
    if (r["tcti"] == kBrokenTcti) continue;
    EXPECT_EQ(r["outcome"], "unchanged") << r.dump();
    EXPECT_EQ(r["enrollment"], "exists");
    EXPECT_EQ(r["bundle"], "unchanged");
    // What the station issued is recognised as the factory's; the makers' stay "present".
    EXPECT_EQ(r["ek_certificate"], source[r["tcti"]] == "issued" ? "factory" : "present")
        << r.dump();
  }
  json list = Operator("GET", "/v1/operator/enrollments/individual");
  EXPECT_EQ(list["enrollments"].size(), line.size());

  // A new tag from the command line does not rewrite what the service holds: each device is
  // reported (the operator changes enrollments through the operator API), none is changed.
  auto third = Provision(profile, "--batch " + ShellQuote(Path("devices.csv")) + " --tag wave2");
  EXPECT_EQ(third.exit_code, 1);
  auto differs = JsonLines(third.output);
  ASSERT_EQ(differs.size(), line.size() + 1);
  for (const json& r : differs) {
    if (r["tcti"] == kBrokenTcti) continue;
    EXPECT_EQ(r["outcome"], "failed");
    EXPECT_EQ(r["error"]["step"], "register");
    EXPECT_EQ(r["error"]["reason"], "factory.enrollment_differs") << r.dump();
    json enrollment = Operator(
        "GET", "/v1/operator/enrollments/individual/" + r["registration_id"].get<std::string>());
    std::vector<std::string> tags = enrollment["tags"];
    EXPECT_EQ(std::find(tags.begin(), tags.end(), "wave2"), tags.end());
  }
}

TEST_F(FactoryE2eTest, AnEnrollmentOfAnotherEkOrADisabledOneIsReportedNotOverwritten) {
  auto a = StartTpm(false);
  auto b = StartTpm(false);
  ASSERT_TRUE(a && b);
  const std::string id_a = RegistrationIdOf(*a, "conflict-a");
  const std::string id_b = RegistrationIdOf(*b, "conflict-b");
  // Someone registered a's id for another EK, and disabled b's enrollment.
  const std::string other = std::string(64, '0');
  Operator("POST", "/v1/operator/enrollments/individual",
           json{{"registration_id", id_a}, {"ek_digest", other}}.dump());
  Operator("POST", "/v1/operator/enrollments/individual",
           json{{"registration_id", id_b}, {"ek_digest", id_b}, {"enabled", false}}.dump());
  WriteText(Path("conflict.csv"), "\"" + a->tcti() + "\"\n\"" + b->tcti() + "\"\n");
  auto run = Provision(WriteProfile("conflict"), "--batch " + ShellQuote(Path("conflict.csv")));
  EXPECT_EQ(run.exit_code, 1) << run.output;
  auto records = JsonLines(run.output);
  ASSERT_EQ(records.size(), 2u) << run.output;
  for (const json& r : records) {
    EXPECT_EQ(r["outcome"], "failed");
    EXPECT_EQ(r["error"]["step"], "register");
    const bool is_a = r["registration_id"] == id_a;
    EXPECT_EQ(r["error"]["reason"],
              is_a ? "factory.registration_conflict" : "factory.enrollment_disabled");
  }
  json kept = Operator("GET", "/v1/operator/enrollments/individual/" + id_a);
  EXPECT_EQ(kept["ek_digest"], other);
  EXPECT_EQ(Operator("GET", "/v1/operator/enrollments/individual/" + id_b)["enabled"], false);
}

TEST_F(FactoryE2eTest, AFactoryIssuedEkCertificateMakesGroupEnrollmentWork) {
  auto tpm = StartTpm(false);
  ASSERT_NE(tpm, nullptr);
  auto run = Provision(WriteProfile("group", "register = false\n"),
                       "--tcti " + ShellQuote(tpm->tcti()) + " --serial SN-G1");
  ASSERT_EQ(run.exit_code, 0) << run.output;
  auto records = JsonLines(run.output);
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0]["ek_certificate"], "issued");
  EXPECT_EQ(records[0]["enrollment"], "not_registered");
  const std::string id = records[0]["registration_id"];

  // Without a group for the factory CA the service does not know the device...
  const std::string enroll = std::string(EDGETRUST_CLI) + " tpm enroll --tcti " +
                             ShellQuote(tpm->tcti()) + " --service " + enrolld_->device_url() +
                             " --ca-bundle " + ShellQuote(enrolld_->ca_bundle_path()) +
                             " --registration-id " + id + " --state-dir " +
                             ShellQuote(Path("group-state")) + " --ek-alg rsa2048";
  EXPECT_NE(RunCommand(enroll).exit_code, 0);
  // ...with the factory CA registered as a group's manufacturer CA, it enrolls.
  std::ifstream pem(Station("factory-ca.pem"));
  std::string ca((std::istreambuf_iterator<char>(pem)), std::istreambuf_iterator<char>());
  Operator("POST", "/v1/operator/enrollments/groups",
           json{{"group_id", "factory-line"}, {"manufacturer_ca_pem", ca}}.dump());
  auto enrolled = RunCommand(enroll);
  EXPECT_EQ(enrolled.exit_code, 0) << enrolled.output;
  EXPECT_NE(enrolled.output.find("enrolled: device " + id), std::string::npos) << enrolled.output;
}

// One device's bundle written straight into a mounted device image at its install_dir, with
// the paths the device will see; again, nothing changes.
TEST_F(FactoryE2eTest, ABundleGoesIntoAMountedImageAtItsInstallDir) {
  auto tpm = StartTpm(true);
  ASSERT_NE(tpm, nullptr);
  const std::string profile = WriteProfile("image");
  std::string text;
  {
    std::ifstream in(profile);
    text.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  text.replace(text.find("[bundle]\n"), 9, "[bundle]\ninstall_dir = \"/etc/edgetrust\"\n");
  WriteText(profile, text);
  const std::string root = Path("rootfs");
  const std::string args =
      "--tcti " + ShellQuote(tpm->tcti()) + " --image-root " + ShellQuote(root);
  auto run = Provision(profile, args);
  ASSERT_EQ(run.exit_code, 0) << run.output;
  auto records = JsonLines(run.output);
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0]["bundle_dir"], root + "/etc/edgetrust");
  EXPECT_EQ(records[0]["bundle"], "written");
  auto config = RunCommand("cat " + ShellQuote(root + "/etc/edgetrust/config.toml"));
  EXPECT_NE(config.output.find("ca_bundle = \"/etc/edgetrust/ca-bundle.pem\""), std::string::npos)
      << config.output;
  EXPECT_NE(config.output.find("state_dir = \"/etc/edgetrust/state\""), std::string::npos);
  EXPECT_EQ(RunCommand("cmp " + ShellQuote(root + "/etc/edgetrust/ca-bundle.pem") + " " +
                       ShellQuote(enrolld_->ca_bundle_path()))
                .exit_code,
            0);
  auto again = Provision(profile, args);
  ASSERT_EQ(again.exit_code, 0) << again.output;
  EXPECT_EQ(JsonLines(again.output).at(0)["outcome"], "unchanged");
  // A batch cannot share one image.
  WriteText(Path("image.csv"), "\"" + tpm->tcti() + "\"\n");
  EXPECT_EQ(Provision(profile, "--batch " + ShellQuote(Path("image.csv")) + " --image-root " +
                                   ShellQuote(root))
                .exit_code,
            2);
}

// Two batch lines naming one TPM by two spellings of its address: the text cannot tell, the EK
// can. The second line fails at step tpm and names the first; nothing is done twice.
TEST_F(FactoryE2eTest, OneTpmListedTwiceUnderTwoSpellingsIsReportedOnce) {
  auto tpm = StartTpm(false);
  ASSERT_NE(tpm, nullptr);
  const std::string alias = "swtpm:port=" + std::to_string(tpm->command_port()) + ",host=127.0.0.1";
  ASSERT_NE(alias, tpm->tcti());
  WriteText(Path("twice.csv"), "\"" + tpm->tcti() + "\",,SN-T1\n\"" + alias + "\",,SN-T2\n");
  const std::string profile = WriteProfile("twice");
  for (const char* round : {"first", "re-run"}) {
    auto run = Provision(profile, "--jobs 1 --batch " + ShellQuote(Path("twice.csv")));
    EXPECT_EQ(run.exit_code, 1) << round << "\n" << run.output;
    auto records = JsonLines(run.output);
    ASSERT_EQ(records.size(), 2u) << run.output;
    EXPECT_EQ(records[0]["outcome"], round == std::string("first") ? "provisioned" : "unchanged");
    EXPECT_EQ(records[1]["outcome"], "failed");
    EXPECT_EQ(records[1]["error"]["step"], "tpm");
    EXPECT_EQ(records[1]["error"]["reason"], "factory.duplicate_device");
    EXPECT_NE(records[1]["error"]["message"].get<std::string>().find(tpm->tcti()),
              std::string::npos);
    EXPECT_EQ(records[1]["registration_id"], records[0]["registration_id"]);
    // One EK certificate issued for the device, in the first round only.
    EXPECT_EQ(records[0]["ek_certificate"], round == std::string("first") ? "issued" : "factory");
  }
}

// A TPM whose NV holds an EK certificate for another TPM's key (a copied certificate) is
// reported at the certificate step, and nothing about it reaches the service.
TEST_F(FactoryE2eTest, AnEkCertificateForAnotherKeyIsReportedAndNothingIsRegistered) {
  auto donor = StartTpm(true);
  auto clone = StartTpm(false);
  ASSERT_TRUE(donor && clone);
  const std::string der = Path("donor-ek.der");
  auto copy = RunCommand("TPM2TOOLS_TCTI=" + ShellQuote(donor->tcti()) + " tpm2_nvread -C o -o " +
                         ShellQuote(der) + " 0x01c00002 && size=$(stat -c %s " + ShellQuote(der) +
                         ") && TPM2TOOLS_TCTI=" + ShellQuote(clone->tcti()) +
                         " tpm2_nvdefine -C o -s $size -a 'ownerwrite|ownerread|authread'" +
                         " 0x01c00002 >/dev/null && TPM2TOOLS_TCTI=" + ShellQuote(clone->tcti()) +
                         " tpm2_nvwrite -C o -i " + ShellQuote(der) + " 0x01c00002");
  ASSERT_EQ(copy.exit_code, 0) << copy.output;
  auto run = Provision(WriteProfile("clone"), "--tcti " + ShellQuote(clone->tcti()));
  EXPECT_EQ(run.exit_code, 1) << run.output;
  auto records = JsonLines(run.output);
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0]["outcome"], "failed");
  EXPECT_EQ(records[0]["error"]["step"], "ek_certificate");
  EXPECT_EQ(records[0]["error"]["reason"], "ek.cert_key_mismatch");
  const std::string id = records[0]["registration_id"];
  ASSERT_EQ(id.size(), 64u);
  auto answer = RunCommand(
      "curl -s -o /dev/null -w '%{http_code}' --cacert " + ShellQuote(enrolld_->ca_bundle_path()) +
      " --cert " + ShellQuote(enrolld_->operator_client_cert_path()) + " --key " +
      ShellQuote(enrolld_->operator_client_key_path()) + " " +
      ShellQuote(enrolld_->operator_url() + "/v1/operator/enrollments/individual/" + id));
  EXPECT_EQ(answer.output, "404");
}

// A batch line whose TCTI would run a command (tpm2-tss's "cmd" loader) or load a library is
// refused before any device is touched, and nothing is written.
TEST_F(FactoryE2eTest, ATctiThatCouldRunCodeStopsTheBatchBeforeAnyDevice) {
  auto tpm = StartTpm(false);
  ASSERT_NE(tpm, nullptr);
  const std::string marker = Path("cmd-ran");
  WriteText(Path("evil.csv"), "\"" + tpm->tcti() + "\"\n\"cmd:touch " + marker + "\"\n");
  const std::string profile = WriteProfile("evil");
  auto run = Provision(profile, "--batch " + ShellQuote(Path("evil.csv")));
  EXPECT_EQ(run.exit_code, 2) << run.output;
  auto err = RunCommand("cat " + ShellQuote(Path("stderr.txt")));
  EXPECT_NE(err.output.find("factory.tcti_refused"), std::string::npos) << err.output;
  EXPECT_NE(err.output.find("evil.csv:2"), std::string::npos) << err.output;
  EXPECT_TRUE(JsonLines(run.output).empty());
  EXPECT_NE(RunCommand("test -e " + ShellQuote(marker)).exit_code, 0);
  EXPECT_NE(RunCommand("test -e " + ShellQuote(Path("evil-bundles"))).exit_code, 0);
  // Without software_tpm = true a swtpm is refused too (the factory CA certifies only TPMs
  // attached to the station).
  std::string text;
  {
    std::ifstream in(profile);
    text.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  text.replace(text.find("software_tpm = true"), 19, "software_tpm = false");
  WriteText(profile, text);
  auto strict = Provision(profile, "--tcti " + ShellQuote(tpm->tcti()));
  EXPECT_EQ(strict.exit_code, 2);
  EXPECT_NE(RunCommand("cat " + ShellQuote(Path("stderr.txt"))).output.find("software_tpm"),
            std::string::npos);
}

TEST_F(FactoryE2eTest, TheStationStopsBeforeTheFirstDeviceWhenItsCredentialIsWrong) {
  const std::string profile = WriteProfile("wrong-cert");
  // The operator certificate of someone else's key: refused before any TPM is touched.
  std::string text;
  {
    std::ifstream in(profile);
    text.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  text.replace(text.find("station.pem"), 11, enrolld_->operator_client_cert_path());
  WriteText(profile, text);
  auto run = Provision(profile, "--tcti " + ShellQuote(kBrokenTcti));
  EXPECT_EQ(run.exit_code, 2);  // the profile is wrong: an invalid argument
  EXPECT_NE(RunCommand("test -e " + ShellQuote(Path("wrong-cert-bundles"))).exit_code, 0);
  auto err = RunCommand("cat " + ShellQuote(Path("stderr.txt")));
  EXPECT_NE(err.output.find("client.bad_credentials"), std::string::npos) << err.output;
  EXPECT_TRUE(JsonLines(run.output).empty());
}

}  // namespace
}  // namespace edgetrust::factory_e2e
