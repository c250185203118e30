// Funds (resources.h): budget lines per year and organization (and per
// class), commitments and expenses with receipts, the balance never below
// zero without a reason on record.
#include <fmt/format.h>

#include <boost/json.hpp>
#include <cmath>

#include "common/crypto.h"
#include "common/json.h"
#include "common/time.h"
#include "common/validate.h"
#include "domain/audit/audit.h"
#include "domain/org/org.h"
#include "domain/resources/resources.h"
#include "store/blobs.h"

namespace dj::resources {

namespace json = boost::json;
using auth::Perm;
using auth::Principal;

namespace {

std::string yuan(int64_t cents) {
  return fmt::format("{}{}.{:02}", cents < 0 ? "-" : "", std::llabs(cents) / 100,
                     std::llabs(cents) % 100);
}

// Yuan to the fen: positive, at most 100 million, no fraction of a fen.
std::optional<int64_t> cents_of(Validator& v, const char* field, const std::optional<double>& x,
                                bool zero_ok) {
  if (!x) {
    v.add(field, "required", "is required");
    return std::nullopt;
  }
  const double c = *x * 100;
  if (!std::isfinite(c) || c < (zero_ok ? 0 : 1) || c > 1e10) {
    v.add(field, "range", zero_ok ? "must be 0 to 100,000,000" : "must be 0.01 to 100,000,000");
    return std::nullopt;
  }
  if (std::fabs(c - std::round(c)) > 1e-6) {
    v.add(field, "format", "is counted to the fen (two decimals)");
    return std::nullopt;
  }
  return static_cast<int64_t>(std::llround(c));
}

constexpr const char* kLineSelect =
    "SELECT b.id, b.org_id, o.path, b.year, b.training_id, t.title, b.title, b.amount_cents, "
    "b.note, b.updated_at, COALESCE((SELECT SUM(e.amount_cents) FROM fund_entries e WHERE "
    "e.line_id = b.id AND e.voided_at IS NULL AND e.kind = 'expense'), 0), "
    "COALESCE((SELECT SUM(e.amount_cents) FROM fund_entries e WHERE e.line_id = b.id AND "
    "e.voided_at IS NULL AND e.kind = 'commitment' AND NOT EXISTS (SELECT 1 FROM fund_entries s "
    "WHERE s.commitment_id = e.id AND s.voided_at IS NULL)), 0), (SELECT COUNT(*) FROM "
    "enrolments n WHERE b.training_id IS NOT NULL AND n.training_id = b.training_id AND "
    "n.status = 'enrolled') FROM budget_lines b JOIN orgs o ON o.id = b.org_id LEFT JOIN "
    "trainings t ON t.id = b.training_id WHERE b.deleted_at IS NULL";

Result<std::vector<BudgetLine>> select_lines(store::Conn& c, const std::string& and_where,
                                             const store::Params& params) {
  DJ_ASSIGN(auto rows, c.query(std::string(kLineSelect) + and_where +
                                   " ORDER BY o.path, b.training_id IS NOT NULL, b.title, b.id",
                               params));
  std::vector<BudgetLine> out;
  for (const auto& r : rows) {
    BudgetLine b;
    b.id = r.i64(0);
    b.org_id = r.i64(1);
    b.org_path = r.str(2);
    b.year = r.i64(3);
    b.training_id = r.opt_i64(4);
    b.training_title = r.opt_str(5);
    b.title = r.str(6);
    b.amount_cents = r.i64(7);
    b.note = r.opt_str(8);
    b.updated_at = r.i64(9);
    b.spent_cents = r.i64(10);
    b.committed_cents = r.i64(11);
    b.trainees = r.i64(12);
    b.balance_cents = b.amount_cents - b.spent_cents - b.committed_cents;
    if (b.training_id && b.trainees > 0) b.per_trainee_cents = b.spent_cents / b.trainees;
    out.push_back(std::move(b));
  }
  DJ_TRY(org::name_paths(c, out));
  return out;
}

// The line in p's scope (not_found otherwise, never revealing it).
Result<BudgetLine> scoped_line(store::Conn& c, const Principal& p, int64_t id) {
  DJ_ASSIGN(auto list, select_lines(c, " AND b.id = ?", {id}));
  if (list.empty() || !auth::in_scope(p, list[0].org_path)) {
    return Error::not_found("budget line " + std::to_string(id));
  }
  return list[0];
}

Result<std::vector<FundEntry>> entries_of(store::Conn& c, const std::string& where,
                                          const store::Params& params) {
  DJ_ASSIGN(auto rows,
            c.query("SELECT e.id, e.line_id, e.kind, e.amount_cents, e.spent_on, e.description, "
                    "e.commitment_id, e.override_reason, e.receipt_sha256, e.receipt_type, "
                    "e.receipt_name, e.receipt_size, e.created_at, EXISTS (SELECT 1 FROM "
                    "fund_entries s WHERE s.commitment_id = e.id AND s.voided_at IS NULL) FROM "
                    "fund_entries e WHERE e.voided_at IS NULL AND " +
                        where + " ORDER BY e.spent_on, e.id",
                    params));
  std::vector<FundEntry> out;
  for (const auto& r : rows) {
    FundEntry e;
    e.id = r.i64(0);
    e.line_id = r.i64(1);
    e.kind = r.str(2);
    e.amount_cents = r.i64(3);
    e.spent_on = r.str(4);
    e.description = r.str(5);
    e.commitment_id = r.opt_i64(6);
    e.override_reason = r.opt_str(7);
    if (!r.null(8)) e.receipt = Receipt{r.str(8), r.str(9), r.str(10), r.i64(11)};
    e.created_at = r.i64(12);
    e.settled = r.flag(13);
    out.push_back(std::move(e));
  }
  return out;
}

// The entry and its line, both in p's scope for writing.
Result<std::pair<FundEntry, BudgetLine>> writable_entry(store::Conn& c, const Principal& p,
                                                        int64_t entry_id) {
  DJ_ASSIGN(auto list, entries_of(c, "e.id = ?", {entry_id}));
  if (list.empty()) return Error::not_found("fund entry " + std::to_string(entry_id));
  auto line = scoped_line(c, p, list[0].line_id);
  if (!line) return Error::not_found("fund entry " + std::to_string(entry_id));
  return std::pair{list[0], *line};
}

}  // namespace

Result<std::vector<BudgetLine>> ResourceService::budget_lines(const Principal& p,
                                                              std::optional<int64_t> org_id,
                                                              int64_t year) {
  DJ_TRY(auth::require(p, Perm::member_read));
  if (year < 2000 || year > 2100) return Error::invalid("year", "range", "must be 2000 to 2100");
  return store::with_conn(db_, [&](store::Conn& c) -> Result<std::vector<BudgetLine>> {
    DJ_ASSIGN(const std::string scope, org::OrgService::subtree(c, p, org_id));
    return select_lines(c, " AND o.path >= ? AND o.path < ? AND b.year = ?",
                        {scope, auth::subtree_end(scope), year});
  });
}

Result<BudgetLine> ResourceService::budget_line(const Principal& p, int64_t id) {
  DJ_TRY(auth::require(p, Perm::member_read));
  return store::with_conn(db_, [&](store::Conn& c) -> Result<BudgetLine> {
    DJ_ASSIGN(auto b, scoped_line(c, p, id));
    DJ_ASSIGN(b.entries, entries_of(c, "e.line_id = ?", {id}));
    return b;
  });
}

Result<BudgetLine> ResourceService::create_budget_line(const Principal& p,
                                                       const BudgetLineInput& in) {
  DJ_TRY(auth::require(p, Perm::org_write));
  Validator v;
  v.text("title", in.title, 100);
  v.text("note", in.note, 1000, false);
  if (!in.year || *in.year < 2000 || *in.year > 2100)
    v.add("year", "range", "must be 2000 to 2100");
  const auto amount = cents_of(v, "amount", in.amount, true);
  DJ_TRY(v.status());
  return store::with_tx(db_, [&](store::Conn& c) -> Result<BudgetLine> {
    const auto org_id = in.org_id ? in.org_id : p.org_id;
    if (!org_id) return Error::invalid("org_id", "required", "is required");
    DJ_TRY(org::OrgService::subtree(c, p, org_id));
    if (in.training_id) {
      DJ_ASSIGN(auto t, c.query_opt("SELECT id FROM trainings WHERE id = ? AND deleted_at IS NULL",
                                    {*in.training_id}));
      if (!t) return Error::invalid("training_id", "unknown", "no such class");
    }
    const int64_t now = now_ms();
    DJ_ASSIGN(auto row,
              c.query_one("INSERT INTO budget_lines (org_id, year, training_id, title, "
                          "amount_cents, note, created_at, updated_at, created_by, "
                          "updated_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                          {*org_id, *in.year, in.training_id, *in.title, *amount, in.note, now, now,
                           p.user_id, p.user_id}));
    DJ_ASSIGN(auto after, scoped_line(c, p, row.i64(0)));
    DJ_TRY(audit::record(c, p.actor(),
                         {"budget_line.create",
                          "budget_line",
                          std::to_string(after.id),
                          after.org_path,
                          {},
                          to_json(after)}));
    return after;
  });
}

Result<BudgetLine> ResourceService::update_budget_line(const Principal& p, int64_t id,
                                                       const BudgetLineInput& patch) {
  DJ_TRY(auth::require(p, Perm::org_write));
  return store::with_tx(db_, [&](store::Conn& c) -> Result<BudgetLine> {
    DJ_ASSIGN(const auto before, scoped_line(c, p, id));
    Validator v;
    const std::string title = patch.title.value_or(before.title);
    const auto note = patch.note ? patch.note : before.note;
    v.text("title", title, 100);
    v.text("note", note, 1000, false);
    const auto amount = patch.amount ? cents_of(v, "amount", patch.amount, true)
                                     : std::optional<int64_t>(before.amount_cents);
    DJ_TRY(v.status());
    DJ_TRY(
        c.exec("UPDATE budget_lines SET title = ?, note = ?, amount_cents = ?, updated_at = ?, "
               "updated_by = ? WHERE id = ?",
               {title, note, *amount, now_ms(), p.user_id, id}));
    DJ_ASSIGN(auto after, scoped_line(c, p, id));
    DJ_TRY(audit::record(c, p.actor(),
                         {"budget_line.update", "budget_line", std::to_string(id), after.org_path,
                          to_json(before), to_json(after)}));
    return after;
  });
}

Status ResourceService::remove_budget_line(const Principal& p, int64_t id) {
  DJ_TRY(auth::require(p, Perm::org_write));
  return store::with_tx(db_, [&](store::Conn& c) -> Status {
    DJ_ASSIGN(const auto before, scoped_line(c, p, id));
    DJ_ASSIGN(auto n, c.query_one("SELECT COUNT(*) FROM fund_entries WHERE line_id = ? AND "
                                  "voided_at IS NULL",
                                  {id}));
    if (n.i64(0) > 0) return Error::conflict("the line has entries; void them first");
    DJ_TRY(c.exec("UPDATE budget_lines SET deleted_at = ?, updated_by = ? WHERE id = ?",
                  {now_ms(), p.user_id, id}));
    return audit::record(c, p.actor(),
                         {"budget_line.remove",
                          "budget_line",
                          std::to_string(id),
                          before.org_path,
                          to_json(before),
                          {}});
  });
}

Result<FundEntry> ResourceService::add_fund_entry(const Principal& p, int64_t line_id,
                                                  const FundEntryInput& in) {
  DJ_TRY(auth::require(p, Perm::org_write));
  Validator v;
  const std::string kind = in.kind.value_or("expense");
  if (!one_of(kind, kFundEntryKinds)) {
    v.add("kind", "unknown_code", "must be commitment or expense");
  }
  v.text("description", in.description, 200);
  v.date("spent_on", in.spent_on, true);
  v.text("override_reason", in.override_reason, 500, false);
  const auto amount = cents_of(v, "amount", in.amount, false);
  if (in.commitment_id && kind != "expense") {
    v.add("commitment_id", "expense_only", "only an expense settles a commitment");
  }
  DJ_TRY(v.status());
  return store::with_tx(db_, [&](store::Conn& c) -> Result<FundEntry> {
    // Writing the line's row first makes concurrent entries wait for each
    // other, so two cannot both spend the last of it (PostgreSQL).
    DJ_TRY(c.exec("UPDATE budget_lines SET updated_at = updated_at WHERE id = ?", {line_id}));
    DJ_ASSIGN(const auto line, scoped_line(c, p, line_id));
    int64_t released = 0;  // the commitment this expense settles stops counting
    if (in.commitment_id) {
      DJ_ASSIGN(auto k, entries_of(c, "e.id = ? AND e.line_id = ? AND e.kind = 'commitment'",
                                   {*in.commitment_id, line_id}));
      if (k.empty()) return Error::invalid("commitment_id", "unknown", "no such commitment here");
      if (k[0].settled) return Error::invalid("commitment_id", "settled", "is settled already");
      released = k[0].amount_cents;
    }
    const int64_t balance = line.balance_cents + released - *amount;
    const bool overdraws = balance < 0;
    if (overdraws && !in.override_reason) {
      const std::string why = fmt::format(
          "leaves {} yuan on the line, below zero; give override_reason to record it anyway",
          yuan(balance));
      return Error{ErrorCode::invalid, why, {{"amount", "overdraw", why}}};
    }
    const int64_t now = now_ms();
    DJ_ASSIGN(auto row,
              c.query_one("INSERT INTO fund_entries (line_id, kind, amount_cents, spent_on, "
                          "description, commitment_id, override_reason, created_at, created_by, "
                          "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                          {line_id, kind, *amount, *in.spent_on, *in.description, in.commitment_id,
                           overdraws ? in.override_reason : std::nullopt, now, p.user_id, now}));
    DJ_ASSIGN(auto made, entries_of(c, "e.id = ?", {row.i64(0)}));
    json::object after = to_json(made[0]);
    after["balance"] = static_cast<double>(balance) / 100.0;
    DJ_TRY(audit::record(c, p.actor(),
                         {overdraws ? "fund_entry.overdraw" : "fund_entry.create",
                          "budget_line",
                          std::to_string(line_id),
                          line.org_path,
                          {},
                          after}));
    return made[0];
  });
}

Status ResourceService::void_fund_entry(const Principal& p, int64_t entry_id,
                                        const std::string& reason) {
  DJ_TRY(auth::require(p, Perm::org_write));
  Validator v;
  v.text("reason", reason, 500);
  DJ_TRY(v.status());
  return store::with_tx(db_, [&](store::Conn& c) -> Status {
    DJ_ASSIGN(auto el, writable_entry(c, p, entry_id));
    if (el.first.settled) {
      return Error::conflict("an expense settled this commitment; void the expense first");
    }
    DJ_TRY(
        c.exec("UPDATE fund_entries SET voided_at = ?, void_reason = ?, updated_at = ? WHERE "
               "id = ?",
               {now_ms(), reason, now_ms(), entry_id}));
    json::object before = to_json(el.first);
    return audit::record(c, p.actor(),
                         {"fund_entry.void", "budget_line", std::to_string(el.second.id),
                          el.second.org_path, before, json::object{{"void_reason", reason}}});
  });
}

Result<FundEntry> ResourceService::attach_receipt(const Principal& p, int64_t entry_id,
                                                  const std::string& claimed_type,
                                                  const std::string& filename,
                                                  const std::string& bytes) {
  DJ_TRY(auth::require(p, Perm::org_write));
  DJ_TRY(store::check_upload(claimed_type, filename, bytes, cfg_.max_file_bytes));
  const std::string sha = sha256_hex(bytes);
  return store::with_tx(db_, [&](store::Conn& c) -> Result<FundEntry> {
    DJ_ASSIGN(auto el, writable_entry(c, p, entry_id));
    DJ_TRY(store::put_blob(cfg_.blob_dir, sha, bytes));
    DJ_TRY(c.exec(
        "UPDATE fund_entries SET receipt_sha256 = ?, receipt_type = ?, receipt_name = ?, "
        "receipt_size = ?, updated_at = ? WHERE id = ?",
        {sha, claimed_type, filename, static_cast<int64_t>(bytes.size()), now_ms(), entry_id}));
    DJ_ASSIGN(auto after, entries_of(c, "e.id = ?", {entry_id}));
    DJ_TRY(audit::record(c, p.actor(),
                         {"fund_entry.receipt", "budget_line", std::to_string(el.second.id),
                          el.second.org_path, to_json(el.first), to_json(after[0])}));
    return after[0];
  });
}

Result<std::pair<Receipt, std::string>> ResourceService::receipt(const Principal& p,
                                                                 int64_t entry_id) {
  DJ_TRY(auth::require(p, Perm::member_read));
  return store::with_conn(db_, [&](store::Conn& c) -> Result<std::pair<Receipt, std::string>> {
    DJ_ASSIGN(auto el, writable_entry(c, p, entry_id));
    if (!el.first.receipt) return Error::not_found("the entry has no receipt");
    DJ_ASSIGN(auto bytes, store::get_blob(cfg_.blob_dir, el.first.receipt->sha256));
    return std::pair{*el.first.receipt, std::move(bytes)};
  });
}

json::object to_json(const FundEntry& e) {
  json::object receipt = e.receipt ? json::object{{"filename", e.receipt->filename},
                                                  {"content_type", e.receipt->content_type},
                                                  {"size", e.receipt->size}}
                                   : json::object{};
  return json::object{{"id", e.id},
                      {"line_id", e.line_id},
                      {"kind", e.kind},
                      {"amount", static_cast<double>(e.amount_cents) / 100.0},
                      {"spent_on", e.spent_on},
                      {"description", e.description},
                      {"commitment_id", or_null(e.commitment_id)},
                      {"override_reason", or_null(e.override_reason)},
                      {"settled", e.settled},
                      {"receipt", e.receipt ? json::value(receipt) : nullptr},
                      {"created_at", format_instant(e.created_at)}};
}

json::object to_json(const BudgetLine& b) {
  json::array entries;
  for (const auto& e : b.entries) entries.push_back(to_json(e));
  auto money = [](int64_t cents) { return static_cast<double>(cents) / 100.0; };
  return json::object{
      {"id", b.id},
      {"org_id", b.org_id},
      {"org_path_name", b.org_path_name},
      {"year", b.year},
      {"training_id", or_null(b.training_id)},
      {"training_title", or_null(b.training_title)},
      {"title", b.title},
      {"note", or_null(b.note)},
      {"amount", money(b.amount_cents)},
      {"committed", money(b.committed_cents)},
      {"spent", money(b.spent_cents)},
      {"balance", money(b.balance_cents)},
      {"trainees", b.trainees},
      {"per_trainee", b.per_trainee_cents ? json::value(money(*b.per_trainee_cents)) : nullptr},
      {"entries", entries},
      {"updated_at", format_instant(b.updated_at)}};
}

}  // namespace dj::resources
