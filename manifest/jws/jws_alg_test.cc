// EcdsaJoseToDer against OpenSSL's own encoder and group orders.
#include "manifest/jws/jws_alg.h"

#include <gtest/gtest.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/ecdsa.h>
#include <openssl/obj_mac.h>

#include "common/openssl.h"

namespace edgetrust::manifest::jws {
namespace {

struct Case {
  JwsAlg alg;
  int nid;
  size_t size;
};
constexpr Case kCases[] = {{JwsAlg::kEs256, NID_X9_62_prime256v1, 32},
                           {JwsAlg::kEs384, NID_secp384r1, 48}};

Bytes Order(const Case& c) {
  OpenSslPtr<EC_GROUP> group(EC_GROUP_new_by_curve_name(c.nid));
  Bytes n(c.size);
  EXPECT_EQ(BN_bn2binpad(EC_GROUP_get0_order(group.get()), n.data(), static_cast<int>(c.size)),
            static_cast<int>(c.size));
  return n;
}

// OpenSslDer encodes r||s with i2d_ECDSA_SIG.
Bytes OpenSslDer(ByteView raw, size_t size) {
  OpenSslPtr<ECDSA_SIG> sig(ECDSA_SIG_new());
  BIGNUM* r = BN_bin2bn(raw.data(), static_cast<int>(size), nullptr);
  BIGNUM* s = BN_bin2bn(raw.data() + size, static_cast<int>(size), nullptr);
  EXPECT_EQ(ECDSA_SIG_set0(sig.get(), r, s), 1);
  unsigned char* out = nullptr;
  const int len = i2d_ECDSA_SIG(sig.get(), &out);
  Bytes der(out, out + len);
  OPENSSL_free(out);
  return der;
}

TEST(JwsAlgTest, EcdsaJoseToDerMatchesOpenSsl) {
  for (const Case& c : kCases) {
    const Bytes n = Order(c);
    Bytes n_minus_1 = n;
    n_minus_1.back() -= 1;  // n is odd
    std::vector<Bytes> values = {n_minus_1, Bytes(c.size, 0x7f), Bytes(c.size, 0x80)};
    Bytes small(c.size, 0);
    small.back() = 1;
    values.push_back(small);
    Bytes mid(c.size, 0);
    for (size_t i = 0; i < c.size; ++i) mid[i] = static_cast<uint8_t>(i * 37 + 11);
    values.push_back(mid);
    for (const Bytes& r : values) {
      for (const Bytes& s : values) {
        Bytes raw = r;
        raw.insert(raw.end(), s.begin(), s.end());
        auto der = internal::EcdsaJoseToDer(raw, c.alg);
        ASSERT_TRUE(der.has_value());
        EXPECT_EQ(*der, OpenSslDer(raw, c.size));
        auto back = internal::EcdsaDerToJose(*der, c.alg);
        ASSERT_TRUE(back.has_value());
        EXPECT_EQ(*back, raw);
      }
    }
  }
}

TEST(JwsAlgTest, EcdsaJoseToDerRefusesZeroAndValuesNotBelowTheOrder) {
  for (const Case& c : kCases) {
    const Bytes n = Order(c);
    Bytes one(c.size, 0);
    one.back() = 1;
    Bytes above = n;
    above.back() += 1;
    for (const Bytes& bad : {Bytes(c.size, 0), n, above, Bytes(c.size, 0xff)}) {
      for (bool bad_r : {true, false}) {
        Bytes raw = bad_r ? bad : one;
        const Bytes& second = bad_r ? one : bad;
        raw.insert(raw.end(), second.begin(), second.end());
        auto der = internal::EcdsaJoseToDer(raw, c.alg);
        ASSERT_FALSE(der.has_value());
        EXPECT_EQ(der.error().reason, "jws.bad_signature");
        EXPECT_EQ(der.error().code, ErrorCode::kPermissionDenied);
      }
    }
    EXPECT_FALSE(internal::EcdsaJoseToDer(Bytes(2 * c.size - 1, 1), c.alg).has_value());
  }
}

}  // namespace
}  // namespace edgetrust::manifest::jws
