#include "common/crypto.h"

#include <gtest/gtest.h>

namespace dj {

TEST(Crypto, EncryptRoundTripAndKeySeparation) {
  auto a = Keys::from_master(std::string(32, 'a'));
  auto b = Keys::from_master(std::string(32, 'b'));
  const std::string sealed = a.encrypt("530102199001011234");
  EXPECT_EQ(a.decrypt(sealed), "530102199001011234");
  EXPECT_EQ(b.decrypt(sealed), std::nullopt);
  EXPECT_EQ(a.decrypt("not base64!"), std::nullopt);
  EXPECT_NE(a.encrypt("x"), a.encrypt("x"));  // random nonce
  EXPECT_EQ(a.lookup_hash("x"), a.lookup_hash("x"));
  EXPECT_NE(a.lookup_hash("x"), b.lookup_hash("x"));
}

TEST(Crypto, Passwords) {
  const std::string h = hash_password("Correct-Horse-9");
  EXPECT_TRUE(verify_password(h, "Correct-Horse-9"));
  EXPECT_FALSE(verify_password(h, "correct-horse-9"));
  EXPECT_EQ(random_token().size(), 43u);
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

}  // namespace dj
