#include "manifest/core/manifest.h"

namespace edgetrust::manifest {

std::string ImageRef::DigestHex() const { return HexEncode(sha256); }

}  // namespace edgetrust::manifest
