// libFuzzer target for the spreadsheet readers: any bytes, read as .xlsx and
// as .csv, must end in rows or an Error — never a crash, a hang or a leak.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "common/tabular.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  dj::tabular::Limits limits;
  limits.max_uncompressed = 8u << 20;
  limits.max_rows = 2000;
  size_t cells = 0;
  auto sink = [&cells](size_t, const dj::tabular::Row& row, const dj::tabular::SheetInfo&) {
    cells += row.size();
    return dj::Status{};
  };
  (void)dj::tabular::read_xlsx(bytes, limits, sink);
  (void)dj::tabular::read_csv(bytes, limits, sink);
  return 0;
}
