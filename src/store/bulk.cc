#include "store/bulk.h"

namespace dj::store {

Status insert_rows(Conn& c, const std::string& table, const std::vector<std::string>& columns,
                   const std::vector<Params>& rows) {
  if (rows.empty()) return {};
  const size_t per_chunk = std::max<size_t>(1, 30000 / columns.size());
  std::string head = "INSERT INTO " + table + " (";
  std::string one = "(";
  for (size_t i = 0; i < columns.size(); ++i) {
    head += (i ? ", " : "") + columns[i];
    one += i ? ", ?" : "?";
  }
  head += ") VALUES ";
  one += ")";
  for (size_t start = 0; start < rows.size(); start += per_chunk) {
    const size_t end = std::min(rows.size(), start + per_chunk);
    std::string sql = head;
    Params params;
    params.reserve((end - start) * columns.size());
    for (size_t r = start; r < end; ++r) {
      sql += r == start ? one : ", " + one;
      for (const auto& v : rows[r]) params.push_back(v);
    }
    DJ_TRY(c.exec(sql, params));
  }
  return {};
}

Status upsert_add(Conn& c, const std::string& table, const std::vector<std::string>& keys,
                  const std::string& amount, const std::vector<Params>& rows) {
  if (rows.empty()) return {};
  std::string cols, one = "(", conflict;
  for (const auto& k : keys) {
    cols += k + ", ";
    one += "?, ";
    conflict += (conflict.empty() ? "" : ", ") + k;
  }
  one += "?)";
  const std::string tail = " ON CONFLICT (" + conflict + ") DO UPDATE SET " + amount + " = " +
                           table + "." + amount + " + excluded." + amount;
  const size_t per_chunk = 30000 / (keys.size() + 1);
  for (size_t start = 0; start < rows.size(); start += per_chunk) {
    const size_t end = std::min(rows.size(), start + per_chunk);
    std::string sql = "INSERT INTO " + table + " (" + cols + amount + ") VALUES ";
    Params params;
    for (size_t r = start; r < end; ++r) {
      sql += r == start ? one : ", " + one;
      for (const auto& v : rows[r]) params.push_back(v);
    }
    DJ_TRY(c.exec(sql + tail, params));
  }
  return {};
}

Status reset_identity(Conn& c, const std::string& table) {
  if (c.dialect() != Dialect::postgres) return {};
  return c.exec_script("SELECT setval(pg_get_serial_sequence('" + table +
                       "', 'id'), "
                       "COALESCE((SELECT MAX(id) FROM " +
                       table + "), 0) + 1, false)");
}

}  // namespace dj::store
