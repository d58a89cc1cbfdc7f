// Cross-checks against an independent implementation: tpm2-tools (5.4) computes MakeCredential
// in software (`-T none`), and our ActivateCredentialInSoftware must recover the secret from its
// output file. Needs the tpm2-tools binaries but no TPM; a missing tool FAILS the test.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <ostream>
#include <string>

#include "attestation/software_activate.h"
#include "attestation/templates.h"
#include "attestation/testing/generated_key.h"
#include "attestation/tools_format.h"
#include "common/file.h"

namespace edgetrust::attestation {
namespace {

using testing::GeneratedKey;

// ToolDir is a private temporary directory in which commands run; removed on destruction.
class ToolDir {
 public:
  ToolDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "et-tpm2tools-XXXXXX");
    if (mkdtemp(pattern.data()) != nullptr) path_ = pattern;
  }
  ~ToolDir() {
    std::error_code ignored;
    if (!path_.empty()) std::filesystem::remove_all(path_, ignored);
  }
  ToolDir(const ToolDir&) = delete;
  ToolDir& operator=(const ToolDir&) = delete;

  std::string Path(const std::string& name) const { return (path_ / name).string(); }

  void Write(const std::string& name, ByteView data) const {
    std::ofstream out(Path(name), std::ios::binary);
    out.write(reinterpret_cast<const char*>(data.data()),
              static_cast<std::streamsize>(data.size()));
    ASSERT_TRUE(out.good()) << name;
  }

  Bytes Read(const std::string& name) const {
    auto data = ReadFile(Path(name));
    EXPECT_TRUE(data.has_value()) << name;
    return data ? *data : Bytes{};
  }

  // Run runs `command` with this directory as its working directory; stdout and stderr go to
  // the returned `output`.
  int Run(const std::string& command, std::string* output) const {
    const std::string full = "cd '" + path_.string() + "' && (" + command + ") > cmd.log 2>&1";
    const int status = std::system(full.c_str());
    auto log = ReadFile(Path("cmd.log"));
    if (output != nullptr) output->assign(log ? std::string(log->begin(), log->end()) : "");
    return status;
  }

  bool ok() const { return !path_.empty(); }

 private:
  std::filesystem::path path_;
};

void RequireTool(const char* tool) {
  ToolDir dir;
  ASSERT_TRUE(dir.ok());
  ASSERT_EQ(dir.Run(std::string("command -v ") + tool, nullptr), 0)
      << tool << " is not installed: install tpm2-tools (this test never skips)";
}

Bytes AkName() {
  static const Bytes name =
      *TpmPublic::FromStruct(
           testing::GenerateKey(AttestationKeyTemplate(KeyAlgorithm::kEccP256)).pub)
           ->Name();
  return name;
}

// ToolMakeCredential runs tpm2_makecredential in software and returns the file it wrote.
// `ek_arg` is either "-G rsa|ecc -u ek.pem" (PEM, tool applies the L-1/L-2 template) or
// "-u ek.pub" (our marshalled TPM2B_PUBLIC, tool uses its nameAlg and symmetric parameters).
Bytes ToolMakeCredential(const ToolDir& dir, const GeneratedKey& ek, const std::string& ek_arg,
                         const SecretBytes& secret) {
  dir.Write("ek.pem", AsBytes(ek.public_pem));
  dir.Write("ek.pub", TpmPublic::FromStruct(ek.pub)->Marshal());
  dir.Write("secret.bin", secret.RevealForCrypto());
  std::string output;
  const int status = dir.Run("tpm2_makecredential -Q -T none " + ek_arg + " -s secret.bin -n " +
                                 HexEncode(AkName()) + " -o cred.out",
                             &output);
  EXPECT_EQ(status, 0) << output;
  return dir.Read("cred.out");
}

struct Case {
  const char* name;
  EkType ek;
  const char* ek_arg;
  size_t secret_size;
};

// PrintTo shows a case by name in test names and failure messages, not as raw bytes.
void PrintTo(const Case& c, std::ostream* os) { *os << c.name; }

class Tpm2ToolsMakeCredential : public ::testing::TestWithParam<Case> {};

TEST_P(Tpm2ToolsMakeCredential, OurSoftwareActivationRecoversTheSecret) {
  RequireTool("tpm2_makecredential");
  const GeneratedKey ek = testing::GenerateKey(EkTemplate(GetParam().ek));
  const TpmPublic ek_public = *TpmPublic::FromStruct(ek.pub);
  ToolDir dir;
  ASSERT_TRUE(dir.ok());
  SecretBytes secret = *RandomSecret(GetParam().secret_size);
  const Bytes file = ToolMakeCredential(dir, ek, GetParam().ek_arg, secret);
  ASSERT_GT(file.size(), 8u);

  // The file layout: magic 0xBADCC0DE, version 1, TPM2B_ID_OBJECT, TPM2B_ENCRYPTED_SECRET.
  EXPECT_EQ(HexEncode(ByteView(file).first(8)), "badcc0de00000001");
  auto blob = DecodeTpm2ToolsCredential(file);
  ASSERT_TRUE(blob.has_value()) << blob.error().ToString();
  EXPECT_EQ(EncodeTpm2ToolsCredential(*blob), file);

  auto recovered = ActivateCredentialInSoftware(ek.private_pem, ek_public, AkName(), *blob);
  ASSERT_TRUE(recovered.has_value()) << recovered.error().ToString();
  EXPECT_EQ(HexEncode(recovered->RevealForCrypto()), HexEncode(secret.RevealForCrypto()));

  Bytes other_name = AkName();
  other_name[5] ^= 0x40;
  auto wrong = ActivateCredentialInSoftware(ek.private_pem, ek_public, other_name, *blob);
  ASSERT_FALSE(wrong.has_value());
  EXPECT_EQ(wrong.error().reason, "credential.integrity");
}

INSTANTIATE_TEST_SUITE_P(
    EkTemplates, Tpm2ToolsMakeCredential,
    ::testing::Values(Case{"RsaPemL1", EkType::kRsa2048, "-G rsa -u ek.pem", 32},
                      Case{"EccPemL2", EkType::kEccP256, "-G ecc -u ek.pem", 32},
                      Case{"RsaPemShortSecret", EkType::kRsa2048, "-G rsa -u ek.pem", 7},
                      Case{"RsaTpm2bL1", EkType::kRsa2048, "-u ek.pub", 32},
                      Case{"EccTpm2bL2", EkType::kEccP256, "-u ek.pub", 32},
                      Case{"EccTpm2bP384H3", EkType::kEccP384, "-u ek.pub", 48}),
    ::testing::PrintToStringParamName());

// tpm2_print is an independent parser of our TpmPublic wire form.
TEST(Tpm2ToolsPrint, ParsesOurMarshalledPublic) {
  RequireTool("tpm2_print");
  const GeneratedKey ek = testing::GenerateKey(EkTemplate(EkType::kEccP384));
  const TpmPublic pub = *TpmPublic::FromStruct(ek.pub);
  ToolDir dir;
  ASSERT_TRUE(dir.ok());
  dir.Write("ek.pub", pub.Marshal());
  std::string output;
  ASSERT_EQ(dir.Run("tpm2_print -t TPM2B_PUBLIC ek.pub", &output), 0) << output;
  const TPMS_ECC_POINT& point = pub.area().unique.ecc;
  EXPECT_NE(output.find("value: sha384"), std::string::npos) << output;
  EXPECT_NE(output.find("value: NIST p384"), std::string::npos) << output;
  EXPECT_NE(output.find("sym-keybits: 256"), std::string::npos) << output;
  EXPECT_NE(output.find("x: " + HexEncode({point.x.buffer, point.x.size})), std::string::npos)
      << output;
  EXPECT_NE(output.find("y: " + HexEncode({point.y.buffer, point.y.size})), std::string::npos)
      << output;
  EXPECT_NE(output.find("authorization policy: b26e7d28d11a50bc"), std::string::npos) << output;
}

}  // namespace
}  // namespace edgetrust::attestation
