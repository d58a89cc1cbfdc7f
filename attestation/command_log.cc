#include "attestation/command_log.h"

#include <fcntl.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstddef>
#include <cstdio>
#include <cstring>
#include <type_traits>

#include "common/file.h"

namespace edgetrust::attestation {
namespace {

// "EdgTrLog": tells our context apart from a foreign one handed to our callbacks.
constexpr uint64_t kMagic = 0x4564675472'4c6f67ULL;

constexpr TPM2_CC kFirstCode = 0x11f;  // TPM2_CC_NV_UndefineSpaceSpecial
// Command names by code - kFirstCode (TPM 2.0 Part 2 §6.5.2, as in tss2_tpm2_types.h);
// nullptr marks codes the specification leaves unassigned.
// clang-format off
constexpr std::array<const char*, 0x198 - kFirstCode + 1> kNames = {
    /* 0x11f */ "NV_UndefineSpaceSpecial",
    /* 0x120 */ "EvictControl", "HierarchyControl", "NV_UndefineSpace", nullptr,
    /* 0x124 */ "ChangeEPS", "ChangePPS", "Clear", "ClearControl",
    /* 0x128 */ "ClockSet", "HierarchyChangeAuth", "NV_DefineSpace", "PCR_Allocate",
    /* 0x12c */ "PCR_SetAuthPolicy", "PP_Commands", "SetPrimaryPolicy", "FieldUpgradeStart",
    /* 0x130 */ "ClockRateAdjust", "CreatePrimary", "NV_GlobalWriteLock", "GetCommandAuditDigest",
    /* 0x134 */ "NV_Increment", "NV_SetBits", "NV_Extend", "NV_Write",
    /* 0x138 */ "NV_WriteLock", "DictionaryAttackLockReset", "DictionaryAttackParameters",
                "NV_ChangeAuth",
    /* 0x13c */ "PCR_Event", "PCR_Reset", "SequenceComplete", "SetAlgorithmSet",
    /* 0x140 */ "SetCommandCodeAuditStatus", "FieldUpgradeData", "IncrementalSelfTest",
                "SelfTest",
    /* 0x144 */ "Startup", "Shutdown", "StirRandom", "ActivateCredential",
    /* 0x148 */ "Certify", "PolicyNV", "CertifyCreation", "Duplicate",
    /* 0x14c */ "GetTime", "GetSessionAuditDigest", "NV_Read", "NV_ReadLock",
    /* 0x150 */ "ObjectChangeAuth", "PolicySecret", "Rewrap", "Create",
    /* 0x154 */ "ECDH_ZGen", "HMAC", "Import", "Load",
    /* 0x158 */ "Quote", "RSA_Decrypt", nullptr, "HMAC_Start",
    /* 0x15c */ "SequenceUpdate", "Sign", "Unseal", nullptr,
    /* 0x160 */ "PolicySigned", "ContextLoad", "ContextSave", "ECDH_KeyGen",
    /* 0x164 */ "EncryptDecrypt", "FlushContext", nullptr, "LoadExternal",
    /* 0x168 */ "MakeCredential", "NV_ReadPublic", "PolicyAuthorize", "PolicyAuthValue",
    /* 0x16c */ "PolicyCommandCode", "PolicyCounterTimer", "PolicyCpHash", "PolicyLocality",
    /* 0x170 */ "PolicyNameHash", "PolicyOR", "PolicyTicket", "ReadPublic",
    /* 0x174 */ "RSA_Encrypt", nullptr, "StartAuthSession", "VerifySignature",
    /* 0x178 */ "ECC_Parameters", "FirmwareRead", "GetCapability", "GetRandom",
    /* 0x17c */ "GetTestResult", "Hash", "PCR_Read", "PolicyPCR",
    /* 0x180 */ "PolicyRestart", "ReadClock", "PCR_Extend", "PCR_SetAuthValue",
    /* 0x184 */ "NV_Certify", "EventSequenceComplete", "HashSequenceStart",
                "PolicyPhysicalPresence",
    /* 0x188 */ "PolicyDuplicationSelect", "PolicyGetDigest", "TestParms", "Commit",
    /* 0x18c */ "PolicyPassword", "ZGen_2Phase", "EC_Ephemeral", "PolicyNvWritten",
    /* 0x190 */ "PolicyTemplate", "CreateLoaded", "PolicyAuthorizeNV", "EncryptDecrypt2",
    /* 0x194 */ "AC_GetCapability", "AC_Send", "Policy_AC_SendSelect", "CertifyX509",
    /* 0x198 */ "ACT_SetTimeout",
};
// clang-format on
static_assert(TPM2_CC_LAST == 0x198, "new command codes: extend kNames");

// The command header: tag (2 bytes), commandSize (4), commandCode (4), big-endian.
constexpr size_t kHeaderSize = 10;

TPM2_CC CommandCode(const uint8_t* command) {
  return static_cast<TPM2_CC>(command[6]) << 24 | static_cast<TPM2_CC>(command[7]) << 16 |
         static_cast<TPM2_CC>(command[8]) << 8 | static_cast<TPM2_CC>(command[9]);
}

// WriteLine appends `line` with one write(): O_APPEND makes it atomic against other writers.
bool WriteLine(int fd, const std::string& line) {
  for (;;) {
    ssize_t n = ::write(fd, line.data(), line.size());
    if (n >= 0) return static_cast<size_t>(n) == line.size();
    if (errno != EINTR) return false;
  }
}

}  // namespace

std::string TpmCommandName(TPM2_CC code) {
  if (code >= kFirstCode && code - kFirstCode < kNames.size() &&
      kNames[code - kFirstCode] != nullptr) {
    return kNames[code - kFirstCode];
  }
  char hex[16];
  std::snprintf(hex, sizeof(hex), "0x%08x", code);
  return hex;
}

CommandLogTcti::CommandLogTcti(TctiLdrPtr inner) : context_{}, inner_(std::move(inner)) {
  static_assert(std::is_standard_layout_v<Context> && offsetof(Context, common) == 0,
                "ESAPI reads the common TCTI header at the start of the context");
  TSS2_TCTI_CONTEXT_COMMON_V1& v1 = context_.common.v1;
  v1.magic = kMagic;
  v1.version = 2;  // TSS2_TCTI_CONTEXT_COMMON_V2: makeSticky is there
  v1.transmit = &Transmit;
  v1.receive = &Receive;
  v1.finalize = &Finalize;
  v1.cancel = &Cancel;
  v1.getPollHandles = &GetPollHandles;
  v1.setLocality = &SetLocality;
  context_.common.makeSticky = &MakeSticky;
  context_.self = this;
}

Result<std::unique_ptr<CommandLogTcti>> CommandLogTcti::Create(TctiLdrPtr inner,
                                                               const std::string& log_path) {
  // Own `inner` (and below the descriptor) in the wrapper at once, so every return frees both.
  std::unique_ptr<CommandLogTcti> tcti(new CommandLogTcti(std::move(inner)));
  if (!log_path.empty()) {
    tcti->log_fd_ = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (tcti->log_fd_ < 0) {
      int err = errno;
      return Fail(ErrorCode::kFailedPrecondition, "tpm.command_log",
                  "cannot open the TPM command log " + log_path + ": " + std::strerror(err),
                  static_cast<uint64_t>(err));
    }
  }
  return tcti;
}

CommandLogTcti::~CommandLogTcti() {
  inner_.reset();
  if (log_fd_ >= 0) ::close(log_fd_);
}

CommandLogTcti* CommandLogTcti::From(TSS2_TCTI_CONTEXT* tcti) {
  if (tcti == nullptr) return nullptr;
  auto* context = reinterpret_cast<Context*>(tcti);
  if (context->common.v1.magic != kMagic) return nullptr;
  return context->self;
}

TSS2_RC CommandLogTcti::Transmit(TSS2_TCTI_CONTEXT* tcti, size_t size, const uint8_t* command) {
  CommandLogTcti* self = From(tcti);
  if (self == nullptr) return TSS2_TCTI_RC_BAD_REFERENCE;
  if (self->inner_ == nullptr) return TSS2_TCTI_RC_BAD_CONTEXT;
  if (command == nullptr) return TSS2_TCTI_RC_BAD_REFERENCE;
  if (size < kHeaderSize) return TSS2_TCTI_RC_BAD_VALUE;
  if (self->log_fd_ >= 0 &&
      !WriteLine(self->log_fd_, TpmCommandName(CommandCode(command)) + "\n")) {
    return TSS2_TCTI_RC_IO_ERROR;
  }
  self->commands_sent_.fetch_add(1, std::memory_order_relaxed);
  return Tss2_Tcti_Transmit(self->inner_.get(), size, command);
}

TSS2_RC CommandLogTcti::Receive(TSS2_TCTI_CONTEXT* tcti, size_t* size, uint8_t* response,
                                int32_t timeout) {
  CommandLogTcti* self = From(tcti);
  if (self == nullptr) return TSS2_TCTI_RC_BAD_REFERENCE;
  if (self->inner_ == nullptr) return TSS2_TCTI_RC_BAD_CONTEXT;
  return Tss2_Tcti_Receive(self->inner_.get(), size, response, timeout);
}

void CommandLogTcti::Finalize(TSS2_TCTI_CONTEXT* tcti) {
  // A TCTI's finalize releases what it holds, not the context memory (the caller's): here the
  // inner TCTI. The wrapper itself stays until its owner destroys it.
  CommandLogTcti* self = From(tcti);
  if (self != nullptr) self->inner_.reset();
}

TSS2_RC CommandLogTcti::Cancel(TSS2_TCTI_CONTEXT* tcti) {
  CommandLogTcti* self = From(tcti);
  if (self == nullptr) return TSS2_TCTI_RC_BAD_REFERENCE;
  if (self->inner_ == nullptr) return TSS2_TCTI_RC_BAD_CONTEXT;
  return Tss2_Tcti_Cancel(self->inner_.get());
}

TSS2_RC CommandLogTcti::GetPollHandles(TSS2_TCTI_CONTEXT* tcti, TSS2_TCTI_POLL_HANDLE* handles,
                                       size_t* num_handles) {
  CommandLogTcti* self = From(tcti);
  if (self == nullptr) return TSS2_TCTI_RC_BAD_REFERENCE;
  if (self->inner_ == nullptr) return TSS2_TCTI_RC_BAD_CONTEXT;
  return Tss2_Tcti_GetPollHandles(self->inner_.get(), handles, num_handles);
}

TSS2_RC CommandLogTcti::SetLocality(TSS2_TCTI_CONTEXT* tcti, uint8_t locality) {
  CommandLogTcti* self = From(tcti);
  if (self == nullptr) return TSS2_TCTI_RC_BAD_REFERENCE;
  if (self->inner_ == nullptr) return TSS2_TCTI_RC_BAD_CONTEXT;
  return Tss2_Tcti_SetLocality(self->inner_.get(), locality);
}

TSS2_RC CommandLogTcti::MakeSticky(TSS2_TCTI_CONTEXT* tcti, TPM2_HANDLE* handle, uint8_t sticky) {
  CommandLogTcti* self = From(tcti);
  if (self == nullptr) return TSS2_TCTI_RC_BAD_REFERENCE;
  if (self->inner_ == nullptr) return TSS2_TCTI_RC_BAD_CONTEXT;
  return Tss2_Tcti_MakeSticky(self->inner_.get(), handle, sticky);
}

Result<std::vector<std::string>> ReadTpmCommandLog(const std::string& path) {
  auto bytes = ReadFile(path);
  if (!bytes) return Fail(bytes.error());
  std::vector<std::string> lines;
  std::string line;
  for (uint8_t b : *bytes) {
    if (b == '\n') {
      lines.push_back(std::move(line));
      line.clear();
    } else {
      line.push_back(static_cast<char>(b));
    }
  }
  if (!line.empty()) lines.push_back(std::move(line));
  return lines;
}

}  // namespace edgetrust::attestation
