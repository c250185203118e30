// List queries: a WHERE clause grown from optional filters, and one page of
// rows with the total, the shape every list endpoint answers.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "store/db.h"

namespace dj::store {

class Filter {
 public:
  // `from_where` is " FROM ... WHERE <condition>", bound by `params`.
  Filter(std::string from_where, Params params)
      : sql_(std::move(from_where)), params_(std::move(params)) {}
  // Appends " AND <clause>"; the clause has one `?` for `v`.
  void add(std::string_view clause, Value v) {
    sql_ += " AND ";
    sql_ += clause;
    params_.push_back(std::move(v));
  }
  // The same for a clause with several `?`.
  void add(std::string_view clause, const Params& values) {
    sql_ += " AND ";
    sql_ += clause;
    params_.insert(params_.end(), values.begin(), values.end());
  }
  template <class T>
  void add_if(std::string_view clause, const std::optional<T>& v) {
    if (v) add(clause, Value(*v));
  }
  // Appends " AND <clause>" without a parameter.
  void add_fixed(std::string_view clause) {
    sql_ += " AND ";
    sql_ += clause;
  }
  const std::string& sql() const { return sql_; }
  const Params& params() const { return params_; }

 private:
  std::string sql_;
  Params params_;
};

struct Paged {
  Rows rows;
  int64_t total = 0;
};

// SELECT COUNT(*) over the filter, then page `page` (from 1) of
// SELECT <columns> ... ORDER BY <order_by>.
Result<Paged> query_page(Conn& c, std::string_view columns, const Filter& f,
                         std::string_view order_by, int64_t page, int64_t page_size);

}  // namespace dj::store
