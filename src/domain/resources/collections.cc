// Publications and collections (resources.h): journal subscriptions and book
// sets of a year, reading rooms and bookshelves at their places, and the
// figures the period report quotes.
#include <boost/json.hpp>

#include "common/json.h"
#include "common/time.h"
#include "common/validate.h"
#include "domain/audit/audit.h"
#include "domain/org/org.h"
#include "domain/resources/resources.h"

namespace dj::resources {

namespace json = boost::json;
using auth::Perm;
using auth::Principal;

namespace {

bool yearly(const std::string& kind) { return kind == "journal" || kind == "book_set"; }

constexpr const char* kCollectionSelect =
    "SELECT k.id, k.kind, k.org_id, o.path, k.year, k.title, k.quantity, k.place, k.note, "
    "k.updated_at FROM collections k JOIN orgs o ON o.id = k.org_id WHERE k.deleted_at IS NULL";

Result<std::vector<Collection>> select_collections(store::Conn& c, const std::string& and_where,
                                                   const store::Params& params) {
  DJ_ASSIGN(auto rows, c.query(std::string(kCollectionSelect) + and_where +
                                   " ORDER BY o.path, k.kind, k.title, k.id",
                               params));
  std::vector<Collection> out;
  for (const auto& r : rows) {
    Collection k;
    k.id = r.i64(0);
    k.kind = r.str(1);
    k.org_id = r.i64(2);
    k.org_path = r.str(3);
    k.year = r.opt_i64(4);
    k.title = r.str(5);
    k.quantity = r.i64(6);
    k.place = r.opt_str(7);
    k.note = r.opt_str(8);
    k.updated_at = r.i64(9);
    out.push_back(std::move(k));
  }
  DJ_TRY(org::name_paths(c, out));
  return out;
}

Result<Collection> scoped_collection(store::Conn& c, const Principal& p, int64_t id) {
  DJ_ASSIGN(auto list, select_collections(c, " AND k.id = ?", {id}));
  if (list.empty() || !auth::in_scope(p, list[0].org_path)) {
    return Error::not_found("collection " + std::to_string(id));
  }
  return list[0];
}

// The whole record: its kind, a year for the yearly kinds (none for the
// standing ones), a place for the standing ones, a quantity.
Status check_collection(store::Conn& c, const Principal& p, Collection& k) {
  Validator v;
  if (!one_of(k.kind, kCollectionKinds)) {
    v.add("kind", "unknown_code", "must be journal, book_set, reading_room or bookshelf");
  }
  v.text("title", k.title, 100);
  v.text("note", k.note, 500, false);
  v.text("place", k.place, 200, !yearly(k.kind));
  if (k.quantity < 1 || k.quantity > 1000000) v.add("quantity", "range", "must be 1 to 1,000,000");
  if (yearly(k.kind) && (!k.year || *k.year < 2000 || *k.year > 2100)) {
    v.add("year", "range", "must be 2000 to 2100");
  }
  if (!yearly(k.kind)) k.year.reset();
  DJ_TRY(v.status());
  DJ_TRY(org::OrgService::subtree(c, p, k.org_id));
  return {};
}

}  // namespace

Result<std::vector<Collection>> ResourceService::collections(const Principal& p,
                                                             std::optional<int64_t> org_id,
                                                             const std::optional<std::string>& kind,
                                                             std::optional<int64_t> year) {
  DJ_TRY(auth::require(p, Perm::member_read));
  return store::with_conn(db_, [&](store::Conn& c) -> Result<std::vector<Collection>> {
    DJ_ASSIGN(const std::string scope, org::OrgService::subtree(c, p, org_id));
    std::string where = " AND o.path >= ? AND o.path < ?";
    store::Params params = {scope, auth::subtree_end(scope)};
    if (kind) {
      where += " AND k.kind = ?";
      params.push_back(*kind);
    }
    if (year) {  // the year's journals and sets, and whatever stands
      where += " AND (k.year = ? OR k.year IS NULL)";
      params.push_back(*year);
    }
    return select_collections(c, where, params);
  });
}

Result<Collection> ResourceService::create_collection(const Principal& p,
                                                      const CollectionInput& in) {
  DJ_TRY(auth::require(p, Perm::org_write));
  return store::with_tx(db_, [&](store::Conn& c) -> Result<Collection> {
    Collection k;
    k.kind = in.kind.value_or("");
    k.org_id = in.org_id.value_or(p.org_id.value_or(0));
    k.year = in.year;
    k.title = in.title.value_or("");
    k.quantity = in.quantity.value_or(0);
    k.place = in.place;
    k.note = in.note;
    if (!in.org_id && !p.org_id) return Error::invalid("org_id", "required", "is required");
    DJ_TRY(check_collection(c, p, k));
    const int64_t now = now_ms();
    DJ_ASSIGN(auto row, c.query_one("INSERT INTO collections (kind, org_id, year, title, quantity, "
                                    "place, note, created_at, updated_at, created_by, updated_by) "
                                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                                    {k.kind, k.org_id, k.year, k.title, k.quantity, k.place, k.note,
                                     now, now, p.user_id, p.user_id}));
    DJ_ASSIGN(auto after, scoped_collection(c, p, row.i64(0)));
    DJ_TRY(audit::record(c, p.actor(),
                         {"collection.create",
                          "collection",
                          std::to_string(after.id),
                          after.org_path,
                          {},
                          to_json(after)}));
    return after;
  });
}

Result<Collection> ResourceService::update_collection(const Principal& p, int64_t id,
                                                      const CollectionInput& patch) {
  DJ_TRY(auth::require(p, Perm::org_write));
  return store::with_tx(db_, [&](store::Conn& c) -> Result<Collection> {
    DJ_ASSIGN(const auto before, scoped_collection(c, p, id));
    Collection k = before;
    if (patch.kind) k.kind = *patch.kind;
    if (patch.org_id) k.org_id = *patch.org_id;
    if (patch.year) k.year = *patch.year;
    if (patch.title) k.title = *patch.title;
    if (patch.quantity) k.quantity = *patch.quantity;
    if (patch.place) k.place = *patch.place;
    if (patch.note) k.note = *patch.note;
    DJ_TRY(check_collection(c, p, k));
    DJ_TRY(c.exec(
        "UPDATE collections SET kind = ?, org_id = ?, year = ?, title = ?, quantity = ?, "
        "place = ?, note = ?, updated_at = ?, updated_by = ? WHERE id = ?",
        {k.kind, k.org_id, k.year, k.title, k.quantity, k.place, k.note, now_ms(), p.user_id, id}));
    DJ_ASSIGN(auto after, scoped_collection(c, p, id));
    DJ_TRY(audit::record(c, p.actor(),
                         {"collection.update", "collection", std::to_string(id), after.org_path,
                          to_json(before), to_json(after)}));
    return after;
  });
}

Status ResourceService::remove_collection(const Principal& p, int64_t id) {
  DJ_TRY(auth::require(p, Perm::org_write));
  return store::with_tx(db_, [&](store::Conn& c) -> Status {
    DJ_ASSIGN(const auto before, scoped_collection(c, p, id));
    DJ_TRY(c.exec("UPDATE collections SET deleted_at = ?, updated_by = ? WHERE id = ?",
                  {now_ms(), p.user_id, id}));
    return audit::record(c, p.actor(),
                         {"collection.remove",
                          "collection",
                          std::to_string(id),
                          before.org_path,
                          to_json(before),
                          {}});
  });
}

Result<CollectionFigures> ResourceService::collection_figures(const Principal& p,
                                                              std::optional<int64_t> org_id,
                                                              int64_t year) {
  DJ_TRY(auth::require(p, Perm::member_read));
  if (year < 2000 || year > 2100) return Error::invalid("year", "range", "must be 2000 to 2100");
  return store::with_conn(db_, [&](store::Conn& c) -> Result<CollectionFigures> {
    DJ_ASSIGN(const std::string scope, org::OrgService::subtree(c, p, org_id));
    DJ_ASSIGN(auto r,
              c.query_one(
                  "SELECT COALESCE(SUM(CASE WHEN k.kind = 'journal' AND k.year = ? THEN k.quantity "
                  "ELSE 0 END), 0), COUNT(DISTINCT CASE WHEN k.kind = 'journal' AND k.year = ? "
                  "THEN k.title END), COALESCE(SUM(CASE WHEN k.kind = 'book_set' AND k.year = ? "
                  "THEN k.quantity ELSE 0 END), 0), COALESCE(SUM(CASE WHEN k.kind = "
                  "'reading_room' THEN k.quantity ELSE 0 END), 0), COALESCE(SUM(CASE WHEN k.kind "
                  "= 'bookshelf' THEN k.quantity ELSE 0 END), 0) FROM collections k JOIN orgs o "
                  "ON o.id = k.org_id WHERE k.deleted_at IS NULL AND o.path >= ? AND o.path < ?",
                  {year, year, year, scope, auth::subtree_end(scope)}));
    return CollectionFigures{year, r.i64(0), r.i64(1), r.i64(2), r.i64(3), r.i64(4)};
  });
}

json::object to_json(const Collection& k) {
  return json::object{{"id", k.id},
                      {"kind", k.kind},
                      {"org_id", k.org_id},
                      {"org_path_name", k.org_path_name},
                      {"year", or_null(k.year)},
                      {"title", k.title},
                      {"quantity", k.quantity},
                      {"place", or_null(k.place)},
                      {"note", or_null(k.note)},
                      {"updated_at", format_instant(k.updated_at)}};
}

json::object to_json(const CollectionFigures& f) {
  return json::object{{"year", f.year},
                      {"journal_copies", f.journal_copies},
                      {"journal_titles", f.journal_titles},
                      {"book_sets", f.book_sets},
                      {"reading_rooms", f.reading_rooms},
                      {"bookshelves", f.bookshelves}};
}

}  // namespace dj::resources
