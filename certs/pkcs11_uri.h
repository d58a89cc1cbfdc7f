// Pkcs11Uri: the subset of RFC 7512 PKCS#11 URIs edgetrust uses to name a key.
//
//   pkcs11:token=edgetrust-ca;object=device-ca;id=%01%02;type=private
//
// Parse accepts the path attributes token, object, id, type, serial, manufacturer, model and
// the library-* and slot-* attributes (the last ones are accepted and ignored), all
// percent-decoded; an unknown path attribute, a repeated attribute, bad percent-encoding or a
// type other than private/public/cert/secret-key/data is kInvalidArgument "pkcs11.bad_uri".
// Query attributes: "pin-value" is REFUSED ("pkcs11.bad_uri"): a PIN belongs in a PinSource
// (a 0600 file or the environment), never in a URI that ends up in configuration files, logs
// and process listings; "pin-source", "module-name" and "module-path" are accepted and
// ignored (the module path is separate configuration). Value type; thread-compatible.
#ifndef EDGETRUST_CERTS_PKCS11_URI_H_
#define EDGETRUST_CERTS_PKCS11_URI_H_

#include <string>
#include <string_view>

#include "common/bytes.h"
#include "common/error.h"

namespace edgetrust::certs {

struct Pkcs11Uri {
  std::string token;   // token label ("" = any token)
  std::string serial;  // token serial number ("" = any)
  std::string object;  // CKA_LABEL of the key ("" = any)
  Bytes id;            // CKA_ID (empty = any)
  std::string type;    // "private", "public", ... ("" = unspecified)

  static Result<Pkcs11Uri> Parse(std::string_view uri);
  // ToString renders the URI with every non-unreserved byte percent-encoded.
  std::string ToString() const;
};

}  // namespace edgetrust::certs

#endif  // EDGETRUST_CERTS_PKCS11_URI_H_
