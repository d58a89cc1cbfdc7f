// Fuzzes the X.509 parsers that see untrusted bytes: EK certificates and device certificates
// (Certificate::FromDer, then what a verifier reads from them), CSRs (Csr::FromDer and its
// self-signature check) and PKCS#11 URIs from configuration (THREATS E16).
#include <cstdlib>
#include <ctime>
#include <string_view>

#include "certs/certificate.h"
#include "certs/certificate_authority.h"
#include "certs/csr.h"
#include "certs/pkcs11_uri.h"
#include "certs/testing/software_signer.h"
#include "tests/fuzz/fuzz_seeds.h"

using namespace edgetrust;
using namespace edgetrust::certs;

std::vector<std::vector<uint8_t>> EdgetrustFuzzSeeds() {
  std::vector<std::vector<uint8_t>> seeds;
  auto signer = testing::SoftwareSigner::Create(KeyType::kEcP256);
  if (!signer) return seeds;
  auto ca = MakeSelfSignedCa(**signer, "fuzz CA", std::chrono::hours(24), std::time(nullptr));
  if (ca) seeds.push_back(ca->der());
  auto csr = BuildCsr(**signer, "device-0001");
  if (csr) seeds.push_back(*csr);
  seeds.push_back(ToBytes("pkcs11:token=edgetrust-ca;object=device-ca;id=%01%02;type=private"));
  return seeds;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  ByteView input(data, size);
  if (auto cert = Certificate::FromDer(input)) {
    (void)cert->subject();
    (void)cert->issuer();
    (void)cert->SerialHex();
    (void)cert->public_key();
    (void)cert->ToPem();
  }
  if (auto csr = Csr::FromDer(input)) {
    (void)csr->public_key();
    (void)csr->requested_common_name();
    (void)csr->requested_uri_sans();
    (void)csr->requested_dns_sans();
    (void)csr->requests_ca();
    (void)csr->VerifySignature();
  }
  std::string_view text(reinterpret_cast<const char*>(data), size);
  if (auto uri = Pkcs11Uri::Parse(text)) {
    auto again = Pkcs11Uri::Parse(uri->ToString());
    if (!again || again->ToString() != uri->ToString()) std::abort();
  }
  return 0;
}
