#include "certs/pkcs11_uri.h"

#include <array>
#include <cctype>

namespace edgetrust::certs {
namespace {

std::unexpected<Error> BadUri(std::string message) {
  return Fail(ErrorCode::kInvalidArgument, "pkcs11.bad_uri", std::move(message));
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

Result<std::string> PercentDecode(std::string_view in) {
  std::string out;
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] != '%') {
      out += in[i];
      continue;
    }
    if (i + 2 >= in.size()) {
      return BadUri("truncated percent-encoding");
    }
    int hi = HexValue(in[i + 1]);
    int lo = HexValue(in[i + 2]);
    if (hi < 0 || lo < 0) return BadUri("bad percent-encoding");
    out += static_cast<char>(hi * 16 + lo);
    i += 2;
  }
  return out;
}

bool Unreserved(unsigned char c) {
  return std::isalnum(c) != 0 || c == '-' || c == '.' || c == '_' || c == '~';
}

std::string PercentEncode(std::string_view in) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (char ch : in) {
    auto c = static_cast<unsigned char>(ch);
    if (Unreserved(c)) {
      out += ch;
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 0xf];
    }
  }
  return out;
}

// Split calls `fn(name, value)` for each "name=value" element of `part` separated by `sep`.
template <typename Fn>
Status ForEachAttribute(std::string_view part, char sep, Fn fn) {
  while (!part.empty()) {
    size_t end = part.find(sep);
    std::string_view element = part.substr(0, end);
    part = end == std::string_view::npos ? std::string_view() : part.substr(end + 1);
    if (element.empty()) continue;
    size_t eq = element.find('=');
    if (eq == std::string_view::npos || eq == 0) {
      return BadUri("attribute without a value: " + std::string(element));
    }
    auto value = PercentDecode(element.substr(eq + 1));
    if (!value) return Fail(value.error());
    if (auto st = fn(element.substr(0, eq), std::move(*value)); !st) return st;
  }
  return Ok();
}

}  // namespace

Result<Pkcs11Uri> Pkcs11Uri::Parse(std::string_view uri) {
  constexpr std::string_view kScheme = "pkcs11:";
  if (uri.substr(0, kScheme.size()) != kScheme) return BadUri("not a pkcs11: URI");
  uri.remove_prefix(kScheme.size());
  size_t q = uri.find('?');
  std::string_view path = uri.substr(0, q);
  std::string_view query = q == std::string_view::npos ? std::string_view() : uri.substr(q + 1);
  Pkcs11Uri out;
  bool seen_token = false, seen_serial = false, seen_object = false, seen_id = false,
       seen_type = false;
  auto once = [](bool& seen, std::string_view name) -> Status {
    if (seen) return BadUri("repeated attribute " + std::string(name));
    seen = true;
    return Ok();
  };
  auto path_ok =
      ForEachAttribute(path, ';', [&](std::string_view name, std::string value) -> Status {
        Status st = Ok();
        if (name == "token") {
          st = once(seen_token, name);
          out.token = std::move(value);
        } else if (name == "serial") {
          st = once(seen_serial, name);
          out.serial = std::move(value);
        } else if (name == "object") {
          st = once(seen_object, name);
          out.object = std::move(value);
        } else if (name == "id") {
          st = once(seen_id, name);
          out.id.assign(value.begin(), value.end());
        } else if (name == "type") {
          st = once(seen_type, name);
          if (value != "private" && value != "public" && value != "cert" && value != "secret-key" &&
              value != "data") {
            return BadUri("unknown object type " + value);
          }
          out.type = std::move(value);
        } else if (name == "manufacturer" || name == "model" || name.starts_with("library-") ||
                   name.starts_with("slot-")) {
          // Accepted, not used for selection.
        } else {
          return BadUri("unknown path attribute " + std::string(name));
        }
        return st;
      });
  if (!path_ok) return Fail(path_ok.error());
  auto query_ok = ForEachAttribute(query, '&', [&](std::string_view name, std::string) -> Status {
    if (name == "pin-value") {
      return BadUri("pin-value in a URI is refused: use a PIN file or environment variable");
    }
    if (name == "pin-source" || name == "module-name" || name == "module-path") return Ok();
    return BadUri("unknown query attribute " + std::string(name));
  });
  if (!query_ok) return Fail(query_ok.error());
  return out;
}

std::string Pkcs11Uri::ToString() const {
  std::string out = "pkcs11:";
  auto add = [&](std::string_view name, std::string_view value) {
    if (value.empty()) return;
    if (out.size() > 7) out += ';';
    out += name;
    out += '=';
    out += PercentEncode(value);
  };
  add("token", token);
  add("serial", serial);
  add("object", object);
  add("id", std::string_view(reinterpret_cast<const char*>(id.data()), id.size()));
  add("type", type);
  return out;
}

}  // namespace edgetrust::certs
