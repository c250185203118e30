// Cryptography on libsodium: field encryption, keyed lookup hashes,
// password hashing, session tokens and digests. Call crypto_init() once.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "common/result.h"

namespace dj {

// Initializes libsodium; safe to call more than once.
void crypto_init();

// The secrets derived from one 32-byte master key.
class Keys {
 public:
  // Loads the master key from $DANGJIAO_SECRET_KEY (64 hex characters) when
  // set, else from `path`, creating it (mode 0600) with a random key if absent.
  static Result<Keys> load(const std::string& path);
  // Keys from a given master key; for tests.
  static Keys from_master(std::string_view master32);

  // secretbox(field) as base64 of nonce||ciphertext.
  std::string encrypt(std::string_view plaintext) const;
  // The plaintext, or nullopt when the ciphertext is damaged or from another key.
  std::optional<std::string> decrypt(std::string_view sealed) const;
  // Keyed BLAKE2b of `value` as hex: stable, so equal values can be found
  // without decrypting, and useless without the key.
  std::string lookup_hash(std::string_view value) const;
  // A 32-byte key for HMACs of the named purpose (e.g. "qr").
  std::string subkey(std::string_view purpose) const;

 private:
  std::string master_;
  std::string enc_;
  std::string hash_;
};

// argon2id hash string of a password (libsodium's interactive limits).
std::string hash_password(std::string_view password);
bool verify_password(const std::string& hash, std::string_view password);

// 256 random bits as URL-safe base64 without padding.
std::string random_token();

// SHA-256 of `data` as lowercase hex.
std::string sha256_hex(std::string_view data);
// SHA-256 of the file at `path`, read in pieces; nullopt when it cannot be read.
std::optional<std::string> sha256_file_hex(const std::string& path);

std::string to_hex(std::string_view bytes);

// HMAC-SHA-256 of `data` under `key` (raw 32 bytes).
std::string hmac_sha256(std::string_view key, std::string_view data);

// Equal strings, compared in time independent of where they differ.
bool constant_time_equal(std::string_view a, std::string_view b);

// Bytes as URL-safe base64 without padding.
std::string base64url(std::string_view bytes);

}  // namespace dj
