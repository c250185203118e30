#include "domain/member/citizen_id.h"

#include "common/time.h"

namespace dj::member {
namespace {
bool all_digits(std::string_view s) {
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return !s.empty();
}
}  // namespace

char citizen_id_check_digit(std::string_view first17) {
  static constexpr int kWeights[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
  int sum = 0;
  for (int i = 0; i < 17; ++i) sum += (first17[i] - '0') * kWeights[i];
  return "10X98765432"[sum % 11];
}

std::optional<std::string> citizen_id_problem(std::string_view id) {
  if (id.size() != 18) return "must be 18 characters";
  if (!all_digits(id.substr(0, 17)) || !(all_digits(id.substr(17)) || id[17] == 'X')) {
    return "must be 17 digits followed by a digit or X";
  }
  if (id[0] == '0') return "region code is not valid";
  const std::string birth = std::string(id.substr(6, 4)) + "-" + std::string(id.substr(10, 2)) +
                            "-" + std::string(id.substr(12, 2));
  if (!is_valid_date(birth) || birth > today()) return "birth date in the number is not valid";
  if (const char want = citizen_id_check_digit(id); want != id[17]) {
    return std::string("check digit is wrong (it should be ") + want + ", not " + id[17] + ")";
  }
  return std::nullopt;
}

CitizenIdInfo citizen_id_info(std::string_view id) {
  return {std::string(id.substr(6, 4)) + "-" + std::string(id.substr(10, 2)) + "-" +
              std::string(id.substr(12, 2)),
          (id[16] - '0') % 2 == 1 ? "male" : "female"};
}

std::string mask_citizen_id(std::string_view id) {
  if (id.size() < 8) return std::string(id.size(), '*');
  return std::string(id.substr(0, 4)) + std::string(id.size() - 8, '*') +
         std::string(id.substr(id.size() - 4));
}

std::string mask_phone(std::string_view phone) {
  if (phone.size() == 11)
    return std::string(phone.substr(0, 3)) + "****" + std::string(phone.substr(7));
  if (phone.size() < 6) return std::string(phone.size(), '*');
  return std::string(phone.substr(0, 3)) + std::string(phone.size() - 5, '*') +
         std::string(phone.substr(phone.size() - 2));
}

bool is_valid_phone(std::string_view p) {
  if (p.size() == 11 && p[0] == '1' && p[1] >= '3' && p[1] <= '9' && all_digits(p)) return true;
  if (p.empty() || p[0] != '0') return false;
  const auto dash = p.find('-');
  std::string_view area = dash == std::string_view::npos ? p.substr(0, 4) : p.substr(0, dash);
  std::string_view rest = dash == std::string_view::npos ? p.substr(4) : p.substr(dash + 1);
  if (dash == std::string_view::npos && p.size() >= 11 && p.size() <= 12) return all_digits(p);
  return area.size() >= 3 && area.size() <= 4 && all_digits(area) && rest.size() >= 7 &&
         rest.size() <= 8 && all_digits(rest);
}

}  // namespace dj::member
