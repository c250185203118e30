#include "common/rotating_code.h"

#include <fmt/format.h>

#include "common/crypto.h"

namespace dj {

std::string RotatingCode::mac(const std::string& what) const {
  return hmac_sha256(key_, purpose_ + what);
}

std::string RotatingCode::token(int64_t id, int64_t slot) const {
  return base64url(mac("qr:" + std::to_string(id) + ":" + std::to_string(slot))).substr(0, 22);
}

std::string RotatingCode::code(int64_t id, int64_t slot) const {
  const std::string m = mac("code:" + std::to_string(id) + ":" + std::to_string(slot));
  uint32_t n = 0;
  for (int i = 0; i < 4; ++i) n = (n << 8) | static_cast<unsigned char>(m[i]);
  return fmt::format("{:06}", n % 1000000);
}

bool RotatingCode::token_valid(int64_t id, int64_t slot, const std::string& t, int64_t now) const {
  const int64_t current = slot_at(now);
  return (slot == current || slot == current - 1) && t == token(id, slot);
}

bool RotatingCode::code_valid(int64_t id, const std::string& c, int64_t now) const {
  const int64_t current = slot_at(now);
  return c == code(id, current) || c == code(id, current - 1);
}

std::string RotatingCode::pass(int64_t id, int64_t now) const {
  const std::string body =
      std::to_string(id) + "." + std::to_string(now) + "." + random_token().substr(0, 16);
  return body + "." + base64url(mac("pass:" + body)).substr(0, 22);
}

bool RotatingCode::pass_valid(const std::string& pass, int64_t id, int64_t now) const {
  const auto mac_at = pass.rfind('.');
  if (mac_at == std::string::npos || pass.size() > 100) return false;
  const std::string body = pass.substr(0, mac_at);
  if (pass.substr(mac_at + 1) != base64url(mac("pass:" + body)).substr(0, 22)) return false;
  const auto dot = body.find('.');
  const auto dot2 = body.find('.', dot + 1);
  if (dot == std::string::npos || dot2 == std::string::npos) return false;
  const int64_t issued = std::stoll(body.substr(dot + 1, dot2 - dot - 1));  // signed: digits
  return body.substr(0, dot) == std::to_string(id) && issued <= now && now - issued <= pass_ms_;
}

}  // namespace dj
