#include "store/query.h"

namespace dj::store {

Result<Paged> query_page(Conn& c, std::string_view columns, const Filter& f,
                         std::string_view order_by, int64_t page, int64_t page_size) {
  Paged out;
  DJ_ASSIGN(auto total, c.query_one("SELECT COUNT(*)" + f.sql(), f.params()));
  out.total = total.i64(0);
  Params params = f.params();
  params.emplace_back(page_size);
  params.emplace_back((page - 1) * page_size);
  DJ_ASSIGN(out.rows, c.query("SELECT " + std::string(columns) + f.sql() + " ORDER BY " +
                                  std::string(order_by) + " LIMIT ? OFFSET ?",
                              params));
  return out;
}

}  // namespace dj::store
