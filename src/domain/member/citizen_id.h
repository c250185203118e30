// Chinese citizen ID numbers (GB 11643-1999) and phone numbers.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace dj::member {

struct CitizenIdInfo {
  std::string birth_date;  // YYYY-MM-DD
  std::string gender;      // male / female
};

// Why an ID number is not valid, or nullopt when it is. Checks length,
// digits, the birth date and the check digit.
std::optional<std::string> citizen_id_problem(std::string_view id);

// Birth date and gender written in a valid ID.
CitizenIdInfo citizen_id_info(std::string_view id);

// The check digit ('0'-'9' or 'X') for the first 17 digits.
char citizen_id_check_digit(std::string_view first17);

// "5301**********1234"
std::string mask_citizen_id(std::string_view id);
// "138****5678"; other lengths keep the first 3 and last 2.
std::string mask_phone(std::string_view phone);
// True for a mainland mobile number (1[3-9] and 9 digits) or a landline
// (0 area code, optional '-', 7-8 digits).
bool is_valid_phone(std::string_view phone);

}  // namespace dj::member
