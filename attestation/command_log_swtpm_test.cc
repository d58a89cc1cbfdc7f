// The TPM command log (command_log.h) on a real (software) TPM, and the exact commands the
// operations on a device's warm path send: the daemon's budget is <= 8 commands from start to
// ready, with no CreatePrimary when the keys already exist.
#include "attestation/command_log.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include "attestation/ek_certificate.h"
#include "attestation/keys.h"
#include "attestation/primary_keys.h"
#include "attestation/templates.h"
#include "common/file.h"
#include "swtpm/tpm_test.h"

namespace edgetrust::attestation {
namespace {

using Log = std::vector<std::string>;

bool Has(const Log& log, const std::string& command) {
  return std::find(log.begin(), log.end(), command) != log.end();
}

class CommandLogTest : public swtpm::TpmTest {
 protected:
  std::string LogPath() { return Path("commands.log"); }

  // OpenLogged opens a second connection to the swtpm whose commands go to LogPath(). The
  // fixture's own tpm() is not logged: the tests use it to set the TPM up.
  std::unique_ptr<Tpm> OpenLogged() {
    ::setenv(kTpmCommandLogEnv, LogPath().c_str(), 1);
    auto opened = Tpm::Open(swtpm().tcti());
    ::unsetenv(kTpmCommandLogEnv);
    EXPECT_TRUE(opened.has_value()) << opened.error().ToString();
    return opened ? std::move(*opened) : nullptr;
  }

  // TakeLog returns the commands logged since the previous call.
  std::vector<std::string> TakeLog() {
    auto lines = ReadTpmCommandLog(LogPath());
    EXPECT_TRUE(lines.has_value()) << lines.error().ToString();
    if (!lines) return {};
    std::vector<std::string> fresh(lines->begin() + static_cast<std::ptrdiff_t>(seen_),
                                   lines->end());
    seen_ = lines->size();
    return fresh;
  }

 private:
  size_t seen_ = 0;
};

TEST(TpmCommandNameTest, NamesTheCommandsAndHexesTheRest) {
  EXPECT_EQ(TpmCommandName(TPM2_CC_CreatePrimary), "CreatePrimary");
  EXPECT_EQ(TpmCommandName(TPM2_CC_ReadPublic), "ReadPublic");
  EXPECT_EQ(TpmCommandName(TPM2_CC_Load), "Load");
  EXPECT_EQ(TpmCommandName(TPM2_CC_FlushContext), "FlushContext");
  EXPECT_EQ(TpmCommandName(TPM2_CC_NV_UndefineSpaceSpecial), "NV_UndefineSpaceSpecial");
  EXPECT_EQ(TpmCommandName(TPM2_CC_NV_ReadPublic), "NV_ReadPublic");
  EXPECT_EQ(TpmCommandName(TPM2_CC_ACT_SetTimeout), "ACT_SetTimeout");
  EXPECT_EQ(TpmCommandName(0x123), "0x00000123");  // unassigned
  EXPECT_EQ(TpmCommandName(0x11e), "0x0000011e");
  EXPECT_EQ(TpmCommandName(0x199), "0x00000199");
  EXPECT_EQ(TpmCommandName(TPM2_CC_Vendor_TCG_Test), "0x20000000");
}

TEST_F(CommandLogTest, OpenAndCloseSendNothingAndTheLogIsPrivate) {
  auto logged = OpenLogged();
  ASSERT_NE(logged, nullptr);
  EXPECT_EQ(logged->commands_sent(), 0u);
  logged.reset();  // Esys_Finalize
  EXPECT_EQ(TakeLog(), Log{});
  struct stat st {};
  ASSERT_EQ(::stat(LogPath().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

TEST_F(CommandLogTest, AnUnopenableLogFailsOpen) {
  ::setenv(kTpmCommandLogEnv, Path("no-such-dir/commands.log").c_str(), 1);
  auto opened = Tpm::Open(swtpm().tcti());
  ::unsetenv(kTpmCommandLogEnv);
  ASSERT_FALSE(opened.has_value());
  EXPECT_EQ(opened.error().code, ErrorCode::kFailedPrecondition);
  EXPECT_EQ(opened.error().reason, "tpm.command_log");
}

TEST_F(CommandLogTest, CountsWithoutALogFile) {
  const uint64_t before = tpm().commands_sent();
  auto opened = OpenPersistent(tpm(), GetEkProfile(EkType::kRsa2048).persistent);
  ASSERT_TRUE(opened.has_value()) << opened.error().ToString();
  EXPECT_EQ(tpm().commands_sent(), before + 1);
  EXPECT_FALSE(ReadTpmCommandLog(LogPath()).has_value());
}

// The wrapper on its own: it forwards what it does not record, refuses what is not a command,
// and finalizes the inner TCTI exactly once (ASan checks the "once").
TEST_F(CommandLogTest, TheWrapperForwardsAndFinalizesOnce) {
  auto Load = [&]() {
    TSS2_TCTI_CONTEXT* raw = nullptr;
    EXPECT_EQ(Tss2_TctiLdr_Initialize(swtpm().tcti().c_str(), &raw), TSS2_RC_SUCCESS);
    return TctiLdrPtr(raw);
  };
  TctiLdrPtr plain = Load();
  auto wrapped = CommandLogTcti::Create(Load(), LogPath());
  ASSERT_TRUE(wrapped.has_value()) << wrapped.error().ToString();
  TSS2_TCTI_CONTEXT* tcti = (*wrapped)->get();
  size_t n_plain = 0;
  size_t n_wrapped = 0;
  EXPECT_EQ(Tss2_Tcti_GetPollHandles(tcti, nullptr, &n_wrapped),
            Tss2_Tcti_GetPollHandles(plain.get(), nullptr, &n_plain));
  EXPECT_EQ(n_wrapped, n_plain);
  EXPECT_EQ(Tss2_Tcti_SetLocality(tcti, 0), Tss2_Tcti_SetLocality(plain.get(), 0));
  TPM2_HANDLE handle = 0x80000000;
  TPM2_HANDLE plain_handle = handle;
  EXPECT_EQ(Tss2_Tcti_MakeSticky(tcti, &handle, 1),
            Tss2_Tcti_MakeSticky(plain.get(), &plain_handle, 1));

  // TPM2_GetRandom(8), by hand: tag TPM_ST_NO_SESSIONS, size 12, code, bytesRequested.
  const uint8_t get_random[] = {0x80, 0x01, 0, 0, 0, 12, 0, 0, 0x01, 0x7b, 0, 8};
  ASSERT_EQ(Tss2_Tcti_Transmit(tcti, sizeof(get_random), get_random), TSS2_RC_SUCCESS);
  uint8_t response[64];
  size_t response_size = sizeof(response);
  ASSERT_EQ(Tss2_Tcti_Receive(tcti, &response_size, response, TSS2_TCTI_TIMEOUT_BLOCK),
            TSS2_RC_SUCCESS);
  EXPECT_EQ(response_size, 10u + 2u + 8u);
  EXPECT_EQ(Tss2_Tcti_Transmit(tcti, 5, get_random), TSS2_TCTI_RC_BAD_VALUE);
  EXPECT_EQ((*wrapped)->commands_sent(), 1u);
  EXPECT_EQ(TakeLog(), (Log{"GetRandom"}));

  Tss2_Tcti_Finalize(tcti);  // finalizes the inner TCTI now; the destructor must not again
  EXPECT_EQ(Tss2_Tcti_Transmit(tcti, sizeof(get_random), get_random), TSS2_TCTI_RC_BAD_CONTEXT);
  EXPECT_EQ(Tss2_Tcti_Cancel(tcti), TSS2_TCTI_RC_BAD_CONTEXT);
  wrapped->reset();
  EXPECT_EQ(TakeLog(), Log{});
}

TEST_F(CommandLogTest, EnsureSrkOnAnExistingSrkOnlyReadsItsPublicArea) {
  srk();  // make sure it exists
  auto logged = OpenLogged();
  ASSERT_NE(logged, nullptr);
  auto srk = EnsureSrk(*logged);
  ASSERT_TRUE(srk.has_value()) << srk.error().ToString();
  EXPECT_FALSE(srk->created);
  EXPECT_EQ(TakeLog(), (Log{"ReadPublic"}));
  EXPECT_EQ(logged->commands_sent(), 1u);
}

TEST_F(CommandLogTest, FirstEnsureSrkCreatesAndPersistsIt) {
  ASSERT_TRUE(EvictPersistent(tpm(), kSrkHandle).has_value());
  auto logged = OpenLogged();
  ASSERT_NE(logged, nullptr);
  auto srk = EnsureSrk(*logged);
  ASSERT_TRUE(srk.has_value()) << srk.error().ToString();
  EXPECT_TRUE(srk->created);
  // The ReadPublic that finds no SRK, then create, persist and flush the transient copy.
  EXPECT_EQ(TakeLog(), (Log{"ReadPublic", "CreatePrimary", "EvictControl", "FlushContext"}));
  auto again = EnsureSrk(*logged);
  ASSERT_TRUE(again.has_value()) << again.error().ToString();
  EXPECT_FALSE(again->created);
  EXPECT_EQ(again->public_area.Marshal(), srk->public_area.Marshal());
  EXPECT_EQ(TakeLog(), (Log{"ReadPublic"}));
}

TEST_F(CommandLogTest, EnsureEkOnProvisionedEksOnlyReadsTheirPublicAreas) {
  auto logged = OpenLogged();
  ASSERT_NE(logged, nullptr);
  for (EkType type : {EkType::kRsa2048, EkType::kEccP384}) {
    SCOPED_TRACE(std::string(GetEkProfile(type).name));
    auto ek = EnsureEk(*logged, type);
    ASSERT_TRUE(ek.has_value()) << ek.error().ToString();
    EXPECT_FALSE(ek->created);
    EXPECT_EQ(TakeLog(), (Log{"ReadPublic"}));
    // The public area still comes from the TPM: it matches the manufacturer's certificate.
    auto cert = ReadEkCertificate(tpm(), type);
    ASSERT_TRUE(cert.has_value()) << cert.error().ToString();
    EXPECT_TRUE(CheckEkCertificateKey(*cert, ek->public_area).has_value());
  }
}

TEST_F(CommandLogTest, ReadPersistentKeyAndOpenPersistentSendOneReadPublic) {
  srk();
  auto logged = OpenLogged();
  ASSERT_NE(logged, nullptr);
  auto key = ReadPersistentKey(*logged, kSrkHandle);
  ASSERT_TRUE(key.has_value()) << key.error().ToString();
  EXPECT_EQ(key->public_area.Marshal(), srk().public_area.Marshal());
  EXPECT_EQ(key->handle.tpm_handle(), kSrkHandle);
  EXPECT_EQ(TakeLog(), (Log{"ReadPublic"}));
  auto opened = OpenPersistent(*logged, kSrkHandle);
  ASSERT_TRUE(opened.has_value()) << opened.error().ToString();
  EXPECT_EQ(TakeLog(), (Log{"ReadPublic"}));
  auto absent = ReadPersistentKey(*logged, 0x81000123);
  ASSERT_FALSE(absent.has_value());
  EXPECT_EQ(absent.error().reason, "tpm.handle");
  EXPECT_EQ(TakeLog(), (Log{"ReadPublic"}));
}

// The public area now comes from ESAPI's metadata of the one ReadPublic: it must still be
// exactly what the TPM holds (tpm2_readpublic as the oracle) ...
TEST_F(CommandLogTest, ReadPersistentKeyEqualsTpm2ReadPublic) {
  srk();
  auto logged = OpenLogged();
  ASSERT_NE(logged, nullptr);
  auto key = ReadPersistentKey(*logged, kSrkHandle);
  ASSERT_TRUE(key.has_value()) << key.error().ToString();
  auto r = Tpm2Tools("tpm2_readpublic -c 0x81000001 -f tss -o srk.pub");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  auto raw = ReadFile(Path("srk.pub"));
  ASSERT_TRUE(raw.has_value()) << raw.error().ToString();
  EXPECT_EQ(key->public_area.Marshal(), *raw);
}

// ... and a key made from another template is still refused, after that one ReadPublic.
TEST_F(CommandLogTest, AForeignKeyIsRefusedAfterOneReadPublic) {
  const TPM2_HANDLE p256 = GetEkProfile(EkType::kEccP256).persistent;
  ASSERT_TRUE(EvictPersistent(tpm(), p256).has_value());
  auto r = Tpm2Tools(
      "tpm2_createprimary -C o -G ecc256 -c foreign.ctx && "
      "tpm2_evictcontrol -C o -c foreign.ctx 0x81010002");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  auto logged = OpenLogged();
  ASSERT_NE(logged, nullptr);
  auto ek = EnsureEk(*logged, EkType::kEccP256);
  ASSERT_FALSE(ek.has_value());
  EXPECT_EQ(ek.error().reason, "tpm.persistent_mismatch");
  EXPECT_EQ(TakeLog(), (Log{"ReadPublic"}));
  ASSERT_TRUE(EvictPersistent(tpm(), p256).has_value());
}

TEST_F(CommandLogTest, LoadKeyIsExactlyOneLoad) {
  auto blob = CreateKey(tpm(), srk().handle, IdentityKeyTemplate(KeyAlgorithm::kEccP256));
  ASSERT_TRUE(blob.has_value()) << blob.error().ToString();
  auto logged = OpenLogged();
  ASSERT_NE(logged, nullptr);
  auto parent = OpenPersistent(*logged, kSrkHandle);
  ASSERT_TRUE(parent.has_value()) << parent.error().ToString();
  TakeLog();
  auto key = LoadKey(*logged, *parent, *blob);
  ASSERT_TRUE(key.has_value()) << key.error().ToString();
  EXPECT_EQ(TakeLog(), (Log{"Load"}));
  key->Reset();
  EXPECT_EQ(TakeLog(), (Log{"FlushContext"}));
}

// The daemon's warm boot, as far as this layer goes: open, check the SRK against its template,
// load the identity key and the AK, use and flush them.
TEST_F(CommandLogTest, WarmBootFitsTheBudget) {
  auto id_blob = CreateKey(tpm(), srk().handle, IdentityKeyTemplate(KeyAlgorithm::kEccP256));
  ASSERT_TRUE(id_blob.has_value()) << id_blob.error().ToString();
  auto ak_blob = CreateKey(tpm(), srk().handle, AttestationKeyTemplate(KeyAlgorithm::kEccP256));
  ASSERT_TRUE(ak_blob.has_value()) << ak_blob.error().ToString();
  {
    auto logged = OpenLogged();
    ASSERT_NE(logged, nullptr);
    auto srk = EnsureSrk(*logged);
    ASSERT_TRUE(srk.has_value()) << srk.error().ToString();
    auto id = LoadKey(*logged, srk->handle, *id_blob);
    ASSERT_TRUE(id.has_value()) << id.error().ToString();
    auto ak = LoadKey(*logged, srk->handle, *ak_blob);
    ASSERT_TRUE(ak.has_value()) << ak.error().ToString();
    EXPECT_EQ(logged->commands_sent(), 3u);
  }
  auto log = TakeLog();
  EXPECT_EQ(log, (Log{"ReadPublic", "Load", "Load", "FlushContext", "FlushContext"}));
  EXPECT_FALSE(Has(log, "CreatePrimary"));
  EXPECT_LE(log.size(), 8u);
}

// Informational: what reading an EK certificate costs (nv.cc is not on the warm path).
TEST_F(CommandLogTest, ReportsTheCostOfReadingAnEkCertificate) {
  auto logged = OpenLogged();
  ASSERT_NE(logged, nullptr);
  auto cert = ReadEkCertificate(*logged, EkType::kRsa2048);
  ASSERT_TRUE(cert.has_value()) << cert.error().ToString();
  auto log = TakeLog();
  std::string joined;
  for (const auto& c : log) joined += c + " ";
  RecordProperty("ek_certificate_commands", joined);
  std::cout << "ReadEkCertificate(RSA-2048): " << joined << "\n";
  EXPECT_FALSE(Has(log, "CreatePrimary"));
}

}  // namespace
}  // namespace edgetrust::attestation
