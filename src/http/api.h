// The /api/v1 routes, one function per capability, and the OpenAPI document
// built from the route table (so no route can be missing from it).
#pragma once

#include <boost/json/object.hpp>

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

struct Services {
  store::Db& db;
  auth::AuthService& auth;
  org::OrgService& orgs;
  member::MemberService& members;
  activity::ActivityService& activities;
  compliance::ComplianceService& compliance;
  training::TrainingService& training;
  member::RosterService& roster;
  Jobs& jobs;
  size_t import_limit = 20u << 20;  // largest roster file
};

// The member list's filters (org_id, political_status, …, q) from the query,
// and their declaration for the route table.
member::ListQuery read_member_filters(QueryReader& q);
extern const std::vector<Param> kMemberFilters;
// ?page= and ?page_size= of every list.
extern const std::vector<Param> kPaging;

void add_system_routes(Router& r, Services& s);
void add_auth_routes(Router& r, Services& s);
void add_user_routes(Router& r, Services& s);
void add_org_routes(Router& r, Services& s);
void add_member_routes(Router& r, Services& s);
void add_audit_routes(Router& r, Services& s);
void add_activity_routes(Router& r, Services& s);
void add_compliance_routes(Router& r, Services& s);
void add_training_routes(Router& r, Services& s);
void add_roster_routes(Router& r, Services& s);

// All of the above.
void add_all_routes(Router& r, Services& s);

boost::json::object openapi_document(const Router& r);

}  // namespace dj::http
