// enroll_load: the enrollment service's load generator (not a test; see bench/run.sh).
//
// N concurrent simulated devices (SoftwareDevice: software keys, EK certificates from a test
// manufacturer CA, so the service sees only cryptographic evidence) each run complete
// two-round-trip enrollments (challenge, ActivateCredential, complete) over TLS with
// keep-alive for D seconds. Every device enrolls once; all key material is generated before
// the clock starts. It prints enrollments/s, p50/p99 latency and errors by reason, the
// service's CPU time per enrollment (utime+stime of --service-pid from /proc) and, measured in
// this process single-threaded (thread CPU time), the crypto-only cost of the same checks:
// MakeCredential + VerifyQuote + VerifyCertify + CSR verify + a CA Issue with the service's signer
// type (the PKCS#11 CA key, when --hsm-module/--ca-key-uri are given), plus the EK chain check that
// group enrollment adds.
#include <CLI/CLI.hpp>

#include <unistd.h>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <iostream>
#include <map>
#include <mutex>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "attestation/certify_verifier.h"
#include "attestation/make_credential.h"
#include "attestation/quote_verifier.h"
#include "certs/certificate_authority.h"
#include "certs/chain.h"
#include "certs/csr.h"
#include "certs/pkcs11_signer.h"
#include "common/crypto.h"
#include "common/file.h"
#include "enrollment/api/protocol_crypto.h"
#include "enrollment/client/enrollment_client.h"
#include "enrollment/client/testing/reference_verifier.h"
#include "enrollment/client/testing/software_device.h"

namespace {

using namespace edgetrust;
using enrollment::client::EnrollmentClient;
using enrollment::client::testing::SoftwareDevice;
using enrollment::client::testing::TestManufacturerCa;
using Clock = std::chrono::steady_clock;

struct Flags {
  std::string url;
  std::string ca_bundle;
  std::string manufacturer_cert;
  std::string manufacturer_key;
  std::string ek_type = "ecc256";
  int concurrency = 16;
  int duration_s = 30;
  int devices = 40000;
  int service_pid = 0;
  int crypto_iterations = 2000;
  std::string pcr_selection = "sha256:0,1,2,3,4,5,6,7";
  std::string hsm_module;
  std::string ca_key_uri;
  std::string pin_file;
  std::string ca_chain;
};

[[noreturn]] void Die(const std::string& what, const Error& e) {
  std::cerr << "enroll_load: " << what << ": " << e.ToString() << "\n";
  std::exit(1);
}

double Micros(Clock::duration d) { return std::chrono::duration<double, std::micro>(d).count(); }

// ThreadCpu reads this thread's CPU time: the crypto-only cost is CPU time like the service's
// figure, so that other load on the machine inflates neither.
struct ThreadCpu {
  using duration = std::chrono::nanoseconds;
  static std::chrono::time_point<ThreadCpu, duration> now() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return std::chrono::time_point<ThreadCpu, duration>(
        duration(static_cast<int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec));
  }
};

// ServiceCpuMicros reads utime+stime of `pid` (clock ticks → µs); -1 when unreadable.
double ServiceCpuMicros(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  size_t close = stat.rfind(')');
  if (close == std::string::npos) return -1;
  std::istringstream fields(stat.substr(close + 2));
  std::string field;
  unsigned long long utime = 0, stime = 0;
  for (int i = 3; i <= 15 && fields >> field; ++i) {  // field 3 is the state
    if (i == 14) utime = std::stoull(field);
    if (i == 15) stime = std::stoull(field);
  }
  return static_cast<double>(utime + stime) * 1e6 / static_cast<double>(sysconf(_SC_CLK_TCK));
}

// ProcessCpuMicros is this process's CPU time (all threads), in µs.
double ProcessCpuMicros() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e6 + static_cast<double>(ts.tv_nsec) / 1e3;
}

// MachineCpu is the machine's busy and total CPU time from /proc/stat (all CPUs), in µs.
struct MachineCpu {
  double busy = -1, total = -1;
};
MachineCpu ReadMachineCpu() {
  std::ifstream in("/proc/stat");
  std::string cpu;
  unsigned long long v[8] = {};
  if (!(in >> cpu) || cpu != "cpu") return {};
  for (auto& x : v) in >> x;  // user nice system idle iowait irq softirq steal
  const double tick = 1e6 / static_cast<double>(sysconf(_SC_CLK_TCK));
  double total = 0;
  for (auto x : v) total += static_cast<double>(x);
  return {(total - static_cast<double>(v[3] + v[4])) * tick, total * tick};
}

std::string LoadAverage() {
  std::ifstream in("/proc/loadavg");
  std::string a, b, c;
  in >> a >> b >> c;
  return a + " " + b + " " + c;
}

std::vector<SoftwareDevice> MakeDevices(const Flags& flags, const TestManufacturerCa& ca,
                                        attestation::EkType ek_type) {
  std::mt19937_64 rng(std::random_device{}());
  std::string run = HexEncode(*RandomBytes(4));
  std::vector<std::optional<SoftwareDevice>> slots(static_cast<size_t>(flags.devices));
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (size_t i = next++; i < slots.size(); i = next++) {
      auto device = SoftwareDevice::Create({"bench-" + run + "-" + std::to_string(i), ek_type,
                                            attestation::KeyAlgorithm::kEccP256, &ca});
      if (!device) Die("device generation", device.error());
      slots[i] = std::move(*device);
    }
  };
  std::vector<std::thread> threads;
  unsigned n = std::max(1u, std::thread::hardware_concurrency());
  for (unsigned t = 0; t < n; ++t) threads.emplace_back(work);
  for (auto& t : threads) t.join();
  std::vector<SoftwareDevice> devices;
  devices.reserve(slots.size());
  for (auto& s : slots) devices.push_back(std::move(*s));
  return devices;
}

// CryptoCost times, single-threaded in this process, what the service must compute for one
// enrollment. Each step is timed alone; the device side (activation, signing) is not counted.
struct CryptoCost {
  double make_credential = 0, verify_quote = 0, verify_certify = 0, verify_csr = 0, issue = 0,
         ek_chain = 0;
  double core() const {
    return make_credential + verify_quote + verify_certify + verify_csr + issue;
  }
};

CryptoCost MeasureCrypto(const Flags& flags, const std::vector<SoftwareDevice>& devices,
                         const TestManufacturerCa& manufacturer,
                         const certs::CertificateAuthority* ca) {
  CryptoCost total;
  int n = std::min<int>(flags.crypto_iterations, static_cast<int>(devices.size()));
  auto required = *enrollment::api::QuoteSelection(flags.pcr_selection);
  std::vector<certs::Certificate> roots{manufacturer.certificate()};
  for (int i = 0; i < n; ++i) {
    const SoftwareDevice& d = devices[static_cast<size_t>(i)];
    auto request = d.BuildChallengeRequest();
    auto t0 = ThreadCpu::now();
    auto ek = attestation::TpmPublic::Parse(request.ek_public);
    auto ak = attestation::TpmPublic::Parse(request.ak_public);
    auto secret = RandomSecret(32);
    auto blob = attestation::MakeCredential(*ek, *ak->Name(), *secret);
    auto t1 = ThreadCpu::now();
    if (!blob) Die("MakeCredential", blob.error());
    auto cert = certs::Certificate::FromDer(*request.ek_certificate);
    auto chain = certs::VerifyChain(*cert, {}, roots, certs::ChainProfile::kEkCredential,
                                    std::time(nullptr));
    auto t2 = ThreadCpu::now();
    if (!chain) Die("VerifyChain", chain.error());

    enrollment::api::ChallengeResponse challenge{*RandomBytes(16),       blob->id_object,
                                                 blob->encrypted_secret, *RandomBytes(32),
                                                 flags.pcr_selection,    60};
    auto complete = d.BuildCompleteRequest(challenge);
    if (!complete) Die("device complete", complete.error());
    auto qualifying = *enrollment::api::EnrollmentQualifyingData(*secret, challenge.nonce);

    auto t3 = ThreadCpu::now();
    attestation::PcrValues values;
    for (const auto& [bank, entries] : complete->evidence.quote.pcrs) {
      for (const auto& [index, digest] : entries) {
        values.push_back({*ParseHashAlgorithm(bank), index, digest});
      }
    }
    auto quote = attestation::VerifyQuote(*ak, complete->evidence.quote.attest,
                                          complete->evidence.quote.signature, values,
                                          {qualifying, required});
    auto t4 = ThreadCpu::now();
    if (!quote) Die("VerifyQuote", quote.error());
    auto identity = attestation::TpmPublic::Parse(complete->evidence.certify.identity_public);
    auto certify =
        attestation::VerifyCertify(*ak, complete->evidence.certify.attest,
                                   complete->evidence.certify.signature, *identity, qualifying);
    auto t5 = ThreadCpu::now();
    if (!certify) Die("VerifyCertify", certify.error());
    auto csr = certs::Csr::FromDer(complete->evidence.csr);
    auto csr_ok = csr ? csr->VerifySignature() : Status(std::unexpected(csr.error()));
    auto t6 = ThreadCpu::now();
    if (!csr_ok) Die("CSR verify", csr_ok.error());
    if (ca != nullptr) {
      certs::LeafProfile profile{
          d.registration_id(), {"urn:edgetrust:device:" + d.registration_id()}, {}};
      auto issued = ca->Issue(certify->certified_key(), profile, std::time(nullptr));
      if (!issued) Die("CA Issue", issued.error());
    }
    auto t7 = ThreadCpu::now();
    total.make_credential += Micros(t1 - t0);
    total.ek_chain += Micros(t2 - t1);
    total.verify_quote += Micros(t4 - t3);
    total.verify_certify += Micros(t5 - t4);
    total.verify_csr += Micros(t6 - t5);
    total.issue += Micros(t7 - t6);
  }
  for (double* v : {&total.make_credential, &total.verify_quote, &total.verify_certify,
                    &total.verify_csr, &total.issue, &total.ek_chain}) {
    *v /= n;
  }
  return total;
}

struct WorkerResult {
  std::vector<double> latencies_us;
  std::map<std::string, int> errors;
};

int Run(const Flags& flags) {
  auto ek_type = attestation::ParseEkType(flags.ek_type);
  if (!ek_type) Die("--ek-type", ek_type.error());
  auto manufacturer = TestManufacturerCa::Load(flags.manufacturer_cert, flags.manufacturer_key);
  if (!manufacturer) Die("manufacturer CA", manufacturer.error());

  std::shared_ptr<const certs::CertificateAuthority> ca;
  if (!flags.hsm_module.empty()) {
    auto signer = certs::OpenPkcs11Signer(
        {flags.hsm_module, flags.ca_key_uri, {certs::PinSource::Kind::kFile, flags.pin_file}});
    if (!signer) Die("CA signer", signer.error());
    auto chain_pem = ReadFile(flags.ca_chain);
    if (!chain_pem) Die("CA chain", chain_pem.error());
    auto chain = certs::Certificate::ChainFromPem(
        std::string_view(reinterpret_cast<const char*>(chain_pem->data()), chain_pem->size()));
    if (!chain) Die("CA chain", chain.error());
    auto authority = certs::CertificateAuthority::Create(std::move(*signer), std::move(*chain));
    if (!authority) Die("CA", authority.error());
    ca = std::make_shared<certs::CertificateAuthority>(std::move(*authority));
  }

  auto g0 = Clock::now();
  std::vector<SoftwareDevice> devices = MakeDevices(flags, *manufacturer, *ek_type);
  std::printf("generated %zu devices (%s EK, EK certificates) in %.1f s\n", devices.size(),
              flags.ek_type.c_str(), Micros(Clock::now() - g0) / 1e6);

  CryptoCost crypto = MeasureCrypto(flags, devices, *manufacturer, ca.get());

  std::vector<std::unique_ptr<EnrollmentClient>> clients;
  for (int i = 0; i < flags.concurrency; ++i) {
    auto client = EnrollmentClient::Create({flags.url, flags.ca_bundle});
    if (!client) Die("client", client.error());
    clients.push_back(std::move(*client));
  }
  // Warm the connections (TLS handshakes) before the clock starts.
  for (auto& c : clients) {
    if (auto r = c->GetCaChain(); !r) Die("warm-up GET /v1/ca", r.error());
  }

  std::atomic<size_t> next{0};
  std::atomic<bool> stop{false};
  std::vector<WorkerResult> results(static_cast<size_t>(flags.concurrency));
  double cpu_before = flags.service_pid > 0 ? ServiceCpuMicros(flags.service_pid) : -1;
  const double self_before = ProcessCpuMicros();
  const MachineCpu machine_before = ReadMachineCpu();
  auto start = Clock::now();
  auto deadline = start + std::chrono::seconds(flags.duration_s);
  std::vector<std::thread> workers;
  for (int w = 0; w < flags.concurrency; ++w) {
    workers.emplace_back([&, w] {
      WorkerResult& out = results[static_cast<size_t>(w)];
      const EnrollmentClient& client = *clients[static_cast<size_t>(w)];
      while (!stop && Clock::now() < deadline) {
        size_t i = next++;
        if (i >= devices.size()) break;
        const SoftwareDevice& d = devices[i];
        auto t0 = Clock::now();
        auto challenge = client.Challenge(d.BuildChallengeRequest());
        if (!challenge) {
          ++out.errors["challenge:" + challenge.error().reason];
          continue;
        }
        auto complete = d.BuildCompleteRequest(*challenge);
        if (!complete) {
          ++out.errors["device:" + complete.error().reason];
          continue;
        }
        auto enrolled = client.Complete(*complete);
        if (!enrolled) {
          ++out.errors["complete:" + enrolled.error().reason];
          continue;
        }
        out.latencies_us.push_back(Micros(Clock::now() - t0));
      }
    });
  }
  for (auto& t : workers) t.join();
  double elapsed_s = Micros(Clock::now() - start) / 1e6;
  double cpu_after = flags.service_pid > 0 ? ServiceCpuMicros(flags.service_pid) : -1;
  const double self_after = ProcessCpuMicros();
  const MachineCpu machine_after = ReadMachineCpu();
  const std::string load_average = LoadAverage();

  std::vector<double> latencies;
  std::map<std::string, int> errors;
  int error_count = 0;
  for (auto& r : results) {
    latencies.insert(latencies.end(), r.latencies_us.begin(), r.latencies_us.end());
    for (auto& [reason, count] : r.errors) {
      errors[reason] += count;
      error_count += count;
    }
  }
  std::sort(latencies.begin(), latencies.end());
  auto pct = [&](double p) {
    if (latencies.empty()) return 0.0;
    return latencies[std::min(latencies.size() - 1,
                              static_cast<size_t>(p * static_cast<double>(latencies.size())))];
  };
  double rate = static_cast<double>(latencies.size()) / elapsed_s;
  std::printf("\nconcurrency %d, %.1f s, %zu enrollments, %d errors%s\n", flags.concurrency,
              elapsed_s, latencies.size(), error_count,
              next.load() >= devices.size() ? " (ran out of pre-generated devices)" : "");
  std::printf("throughput      %.0f enrollments/s\n", rate);
  std::printf("latency         p50 %.2f ms, p99 %.2f ms (both round trips + device work)\n",
              pct(0.50) / 1e3, pct(0.99) / 1e3);
  for (auto& [reason, count] : errors)
    std::printf("error           %-40s %d\n", reason.c_str(), count);
  std::printf("\ncrypto-only (in process, single thread, CPU time, mean of %d):\n",
              flags.crypto_iterations);
  std::printf("  MakeCredential  %7.1f us\n", crypto.make_credential);
  std::printf("  VerifyQuote     %7.1f us\n", crypto.verify_quote);
  std::printf("  VerifyCertify   %7.1f us\n", crypto.verify_certify);
  std::printf("  CSR verify      %7.1f us\n", crypto.verify_csr);
  std::printf("  CA Issue        %7.1f us%s\n", crypto.issue,
              ca ? " (PKCS#11 signer)" : " (skipped: no --hsm-module)");
  std::printf("  sum             %7.1f us\n", crypto.core());
  std::printf("  (+ EK chain     %7.1f us, group enrollment)\n", crypto.ek_chain);
  if (cpu_before >= 0 && cpu_after >= 0 && !latencies.empty()) {
    double per = (cpu_after - cpu_before) / static_cast<double>(latencies.size());
    std::printf("\nservice CPU     %.1f us per enrollment (utime+stime of pid %d)\n", per,
                flags.service_pid);
    std::printf("ratio           %.2fx crypto-only (%.2fx incl. EK chain check); target <= 2.5x\n",
                per / crypto.core(), per / (crypto.core() + crypto.ek_chain));
  }
  if (!latencies.empty()) {
    const double n = static_cast<double>(latencies.size());
    const double self = (self_after - self_before) / n;
    std::printf("load generator  %.1f us CPU per enrollment (device side + client TLS)\n", self);
    if (machine_before.busy >= 0 && machine_after.busy >= 0) {
      const double wall = (machine_after.total - machine_before.total);
      const double busy = machine_after.busy - machine_before.busy;
      const double cores = wall / (elapsed_s * 1e6);
      const double service = cpu_before >= 0 ? (cpu_after - cpu_before) : 0;
      std::printf(
          "machine         %.2f of %.0f cores busy during the run: service %.2f, load "
          "generator %.2f, other processes %.2f; loadavg %s\n",
          busy / (elapsed_s * 1e6), cores, service / (elapsed_s * 1e6),
          (self_after - self_before) / (elapsed_s * 1e6),
          (busy - service - (self_after - self_before)) / (elapsed_s * 1e6), load_average.c_str());
      if (cpu_before >= 0) {
        const double per = service / n + self;
        std::printf(
            "CPU bound       service+generator %.1f us per enrollment -> at most %.0f "
            "enrollments/s on %.0f idle cores\n",
            per, cores * 1e6 / per, cores);
      }
    }
  }
  std::printf("target          >= 1000 enrollments/s for 30 s, zero errors: %s\n",
              rate >= 1000 && error_count == 0 && elapsed_s >= 29.5 ? "MET" : "NOT MET");
  return error_count == 0 ? 0 : 3;
}

}  // namespace

int main(int argc, char** argv) {
  Flags f;
  CLI::App app{"enroll_load: load generator for the enrollment service"};
  app.add_option("--url", f.url, "device API base URL, https://host:port")->required();
  app.add_option("--ca-bundle", f.ca_bundle, "PEM that anchors the service's TLS cert")->required();
  app.add_option("--manufacturer-ca-cert", f.manufacturer_cert, "PEM")->required();
  app.add_option("--manufacturer-ca-key", f.manufacturer_key, "PEM private key")->required();
  app.add_option("--ek-type", f.ek_type, "ecc256 (default), rsa2048, ecc384");
  app.add_option("--concurrency,-n", f.concurrency, "concurrent devices")
      ->check(CLI::Range(1, 1024));
  app.add_option("--duration,-d", f.duration_s, "seconds")->check(CLI::Range(1, 3600));
  app.add_option("--devices", f.devices, "devices to pre-generate")->check(CLI::Range(1, 10000000));
  app.add_option("--service-pid", f.service_pid, "pid whose CPU time is measured");
  app.add_option("--crypto-iterations", f.crypto_iterations)->check(CLI::Range(1, 1000000));
  app.add_option("--pcr-selection", f.pcr_selection, "the policy's selection (crypto-only check)");
  app.add_option("--hsm-module", f.hsm_module, "PKCS#11 module of the CA key");
  app.add_option("--ca-key-uri", f.ca_key_uri);
  app.add_option("--pin-file", f.pin_file);
  app.add_option("--ca-chain", f.ca_chain, "CA chain PEM (for the crypto-only CA Issue)");
  CLI11_PARSE(app, argc, argv);
  return Run(f);
}
