// The /api/v1 routes, one function per capability, and the OpenAPI document
// built from the route table (so no route can be missing from it).
#pragma once

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <vector>

#include "domain/activity/activity.h"
#include "domain/auth/auth.h"
#include "domain/compliance/compliance.h"
#include "domain/member/member.h"
#include "domain/member/roster.h"
#include "domain/org/org.h"
#include "domain/training/training.h"
#include "http/input.h"
#include "http/jobs.h"
#include "http/router.h"
#include "store/db.h"

namespace dj::http {

// What the routes of every capability are built with. A capability added
// later constructs its own service in its add_<capability>_routes from db and
// keys and keeps it in the handlers' captures; only the services several
// capabilities share live here.
// This machine's own addresses, as a client's address reads.
inline const std::vector<std::string> kLoopback = {"127.0.0.1", "::1", "::ffff:127.0.0.1"};

struct Services {
  store::Db& db;
  const Keys& keys;
  auth::AuthService& auth;
  org::OrgService& orgs;
  member::MemberService& members;
  activity::ActivityService& activities;
  compliance::ComplianceService& compliance;
  training::TrainingService& training;
  member::RosterService& roster;
  Jobs& jobs;
  size_t import_limit = 20u << 20;  // largest roster file
  // Client addresses /metrics answers (serve --metrics-from).
  std::vector<std::string> metrics_from = kLoopback;
  // The address members' phones open from a QR code (serve --public-url,
  // e.g. https://dangjiao.example.gov.cn); empty: see qr_base_url.
  std::string public_url;
  // Retired members must report to a community too (serve --retired-report-to-community).
  bool retired_report_to_community = false;
  // Courseware: the largest file, an organization's quota, and the share of
  // a video or audio that completes a lesson (serve --upload-limit-mib, …).
  struct Learning {
    uint64_t max_upload_bytes = 2ull << 30;
    uint64_t org_quota_bytes = 50ull << 30;
    int complete_percent = 90;
  } learning;
  // http://address:port the server listens on.
  std::string listen_url;
};

// The member list's filters (org_id, political_status, …, q) from the query,
// and their declaration for the route table.
member::ListQuery read_member_filters(QueryReader& q);
extern const std::vector<Param> kMemberFilters;
// The address members' phones open from a QR code: --public-url, else the
// Host when it is an IP address, else the listening address (api_system.cc).
std::string qr_base_url(const Services& s, const Request& req);
// The media type an upload's Content-Type names, without its parameters
// ("application/pdf; x=y" -> "application/pdf").
std::string upload_type(const Request& req);

// {"items": [...], "total": n}: a whole list, or one page of a list (a
// struct with items and total), each item by its capability's to_json.
template <class T>
boost::json::object list_json(const std::vector<T>& list) {
  boost::json::array items;
  for (const auto& x : list) items.push_back(to_json(x));
  return {{"items", std::move(items)}, {"total", static_cast<int64_t>(list.size())}};
}
template <class Page>
boost::json::object page_json(const Page& page) {
  auto out = list_json(page.items);
  out["total"] = page.total;
  return out;
}

// ?page= and ?page_size= of every list.
extern const std::vector<Param> kPaging;
// A paged list's query: its filters, then kPaging.
std::vector<Param> with_paging(std::vector<Param> filters);

// Every capability's routes (the list is in api_system.cc; each capability's
// add_<capability>_routes is in its api_<capability>.cc).
void add_all_routes(Router& r, Services& s);

boost::json::object openapi_document(const Router& r);

}  // namespace dj::http
