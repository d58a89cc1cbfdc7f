// Which TPM connections a factory station opens. A TCTI string names a loader that tpm2-tss
// dlopen()s and hands the rest of the string: "cmd:" runs a shell command, a name with a '/'
// loads any library. The station holds an HSM session for the factory CA, so a batch file
// (often written by another system) must not be able to run code in it, and the factory CA must
// only certify EKs of TPMs attached to this station.
//
// CheckTcti accepts
//   device[:/dev/tpmrm<N> | :/dev/tpm<N>]   a TPM attached to this machine (kernel)
//   tabrmd[:<config>]                        the same through the access broker
//   swtpm[:<config>], mssim[:<config>]       software TPMs, only with `allow_software`
//                                            ([station] software_tpm = true: test rigs)
// and refuses everything else with kInvalidArgument "factory.tcti_refused". Pure, thread-safe.
#ifndef EDGETRUST_TOOLS_FACTORY_TCTI_POLICY_H_
#define EDGETRUST_TOOLS_FACTORY_TCTI_POLICY_H_

#include <string_view>

#include "common/error.h"

namespace edgetrust::factory {

Status CheckTcti(std::string_view tcti, bool allow_software);

}  // namespace edgetrust::factory

#endif  // EDGETRUST_TOOLS_FACTORY_TCTI_POLICY_H_
