// A check-in code that changes every slot: a QR token and a six-digit code
// for one thing (a training session, a community service), and the pass a
// scanned token is traded for, so that a link forwarded later checks nobody
// in. Keyed per purpose: a training session's codes and passes are worth
// nothing for a service with the same id.
#pragma once

#include <cstdint>
#include <string>

namespace dj {

class RotatingCode {
 public:
  // `key`: a secret of 32 bytes (Keys::subkey); `purpose` separates the
  // codes of different things; a slot lasts `slot_ms`, a pass `pass_ms`.
  RotatingCode(std::string key, std::string purpose, int64_t slot_ms, int64_t pass_ms)
      : key_(std::move(key)), purpose_(std::move(purpose)), slot_ms_(slot_ms), pass_ms_(pass_ms) {}

  int64_t slot_at(int64_t ms) const { return ms / slot_ms_; }
  int64_t slot_ms() const { return slot_ms_; }
  std::string token(int64_t id, int64_t slot) const;
  std::string code(int64_t id, int64_t slot) const;
  // The token or the code of the current or the previous slot at `now`.
  bool token_valid(int64_t id, int64_t slot, const std::string& token, int64_t now) const;
  bool code_valid(int64_t id, const std::string& code, int64_t now) const;
  // A pass for `id` issued at `now` ("<id>.<issued>.<random>.<mac>"), and
  // whether one is this id's and still live.
  std::string pass(int64_t id, int64_t now) const;
  bool pass_valid(const std::string& pass, int64_t id, int64_t now) const;
  int64_t pass_ms() const { return pass_ms_; }

 private:
  std::string mac(const std::string& what) const;
  std::string key_, purpose_;
  int64_t slot_ms_, pass_ms_;
};

}  // namespace dj
