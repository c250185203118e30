#include <boost/json.hpp>
#include <map>

#include "common/time.h"
#include "http/api.h"
#include "http/input.h"
#include "http/xlsx.h"

namespace dj::http {
namespace json = boost::json;

// Response schemas of these routes, in the short form of Router::add_schemas.
constexpr const char* kAuditSchemas = R"JSON({
  "AuditEntry": {"id": "integer", "at": "datetime", "user_id": "integer?", "username": "string",
                 "client_ip": "string", "route": "string", "action": "string",
                 "entity": "string", "entity_id": "string", "before": "any", "after": "any"},
  "AuditPage": {"items": ["AuditEntry"], "total": "integer"}
})JSON";

namespace {

// The filters of the trail and its export, from the query.
audit::Query read_audit_query(QueryReader& q, const auth::Principal& p) {
  audit::Query aq;
  aq.scope_path = p.scope_path;
  if (auto from = q.date("from")) aq.from_ms = (days_from_date(*from) * 86400 - 8 * 3600) * 1000;
  if (auto to = q.date("to")) aq.to_ms = ((days_from_date(*to) + 1) * 86400 - 8 * 3600) * 1000;
  aq.user_id = q.id("user_id");
  aq.username = q.str("username", 64).value_or("");
  aq.action = q.str("action").value_or("");
  aq.entity = q.str("entity").value_or("");
  aq.entity_id = q.str("entity_id").value_or("");
  return aq;
}

const std::vector<Param> kAuditFilters = {
    {"from", ParamType::date},       {"to", ParamType::date},       {"user_id", ParamType::integer},
    {"username", ParamType::string}, {"action", ParamType::string}, {"entity", ParamType::string},
    {"entity_id", ParamType::string}};

// What each action is, in the words of the export (the web app has its own,
// in both languages); an action not listed shows as written.
const std::map<std::string, std::string>& action_labels() {
  static const std::map<std::string, std::string> labels = {
      {"activity.attach", "上传活动附件"},
      {"activity.create", "登记组织生活"},
      {"activity.create_late", "补录组织生活"},
      {"activity.delete", "删除组织生活"},
      {"activity.detach", "删除活动附件"},
      {"activity.update", "修改组织生活"},
      {"activity.update_locked", "修改已锁定的组织生活"},
      {"activity_type.create", "新增活动类型"},
      {"auth.denied", "越权访问被拒绝"},
      {"auth.login", "登录"},
      {"auth.login_failed", "登录失败"},
      {"auth.logout", "退出登录"},
      {"auth.password_change", "修改密码"},
      {"auth.session_end", "结束会话"},
      {"auth.throttled", "登录尝试过多被限制"},
      {"commitment.commit", "作出年度承诺"},
      {"commitment.review", "评议党员承诺"},
      {"community.create", "新增社区"},
      {"community.update", "修改社区"},
      {"community_registration.create", "登记到社区报到"},
      {"community_registration.confirm", "社区确认报到"},
      {"community_registration.reject", "社区退回报到"},
      {"community_registration.end", "结束社区报到"},
      {"community_registration.export", "导出双报到"},
      {"community_service.export", "导出社区服务"},
      {"community_post.create", "发布社区需求"},
      {"community_post.cancel", "取消社区需求"},
      {"community_service.sign_up", "报名社区服务"},
      {"community_service.check_in", "社区服务签到"},
      {"community_service.check_in_refused", "社区服务签到被拒"},
      {"community_service.record", "登记社区服务"},
      {"community_service.confirm", "社区确认服务"},
      {"community_service.reject", "社区退回服务"},
      {"community_service.rate", "社区评价服务"},
      {"dual_report.save", "保存双报告"},
      {"dual_report.send", "提交双报告"},
      {"model_plan.create", "制定模范机关创建计划"},
      {"model_plan.update", "修改模范机关创建计划"},
      {"model_plan.submit", "提交模范机关自评"},
      {"model_plan.review", "验收模范机关创建"},
      {"budget_line.create", "新增经费预算"},
      {"budget_line.remove", "删除经费预算"},
      {"budget_line.update", "修改经费预算"},
      {"collection.create", "登记党刊书籍阵地"},
      {"collection.remove", "删除党刊书籍阵地"},
      {"collection.update", "修改党刊书籍阵地"},
      {"contest.award", "评定精品奖项"},
      {"contest.create", "新建精品评选"},
      {"contest.enter", "报送参评作品"},
      {"contest.score", "评委评分"},
      {"demo.generate", "生成演示数据"},
      {"fund_entry.create", "登记经费支出"},
      {"fund_entry.overdraw", "超预算支出"},
      {"fund_entry.receipt", "上传经费票据"},
      {"fund_entry.void", "作废经费记录"},
      {"home_delivery.create", "登记送学上门"},
      {"lecturer.create", "新增师资"},
      {"lecturer.rate", "评价授课教师"},
      {"lecturer.remove", "移出师资库"},
      {"lecturer.update", "修改师资信息"},
      {"member.create", "新增党员"},
      {"member.create_refused", "新增党员被拒绝"},
      {"member.delete", "删除党员"},
      {"member.export", "导出党员名册"},
      {"member.import", "导入党员名册"},
      {"member.pii_revealed", "查看完整个人信息"},
      {"member.transfer", "转接组织关系"},
      {"member.update", "修改党员信息"},
      {"matter.attach", "上传办实事材料"},
      {"matter.create", "登记办实事"},
      {"matter.delete", "删除办实事"},
      {"matter.detach", "删除办实事材料"},
      {"matter.export", "导出办实事"},
      {"matter.update", "更新办实事"},
      {"matter_category.create", "新增办实事类别"},
      {"needs_survey.answer", "填写需求调查"},
      {"needs_survey.create", "发布需求调查"},
      {"needs_survey.lecture", "按需求安排机关大课堂"},
      {"needs_survey.update", "修改需求调查"},
      {"org.create", "新增党组织"},
      {"org.delete", "删除党组织"},
      {"org.move", "调整隶属关系"},
      {"org.update", "修改党组织"},
      {"rule.version", "修订制度规则"},
      {"training.cancel", "取消培训班"},
      {"training.check_in", "培训签到"},
      {"training.check_in_refused", "培训签到被拒绝"},
      {"training.complete", "结业评定"},
      {"training.create", "新建培训班"},
      {"training.enrol", "报名培训"},
      {"training.exam", "登记考试成绩"},
      {"training.leave", "培训请假"},
      {"training.quotas", "分配培训名额"},
      {"training.roster", "培训点名"},
      {"training.session_add", "新增培训课程"},
      {"training.session_remove", "取消培训课程"},
      {"training.session_update", "修改培训课程"},
      {"training.update", "修改培训班"},
      {"training.withdraw", "取消培训报名"},
      {"training_plan.create", "新建培训规划"},
      {"teaching_point.create", "新增教学点"},
      {"teaching_point.remove", "删除教学点"},
      {"teaching_point.update", "修改教学点"},
      {"user.create", "新建账号"},
      {"venue.create", "新增场地"},
      {"work.create", "登记精品作品"},
      {"work.update", "修改精品作品"},
      {"venue.remove", "删除场地"},
      {"venue.update", "修改场地"},
      {"venue_booking.approve", "批准场地预约"},
      {"venue_booking.cancel", "取消场地预约"},
      {"venue_booking.check", "核验场地使用"},
      {"venue_booking.create", "预约场地"},
      {"venue_booking.reject", "退回场地预约"},
      {"upload.start", "开始上传课件文件"},
      {"media.create", "保存课件文件"},
      {"course.create", "新建课程"},
      {"course.update", "修改课程"},
      {"course.delete", "删除课程"},
      {"course.complete", "完成课程学习"},
      {"course.assign", "布置学习课程"},
      {"course.unassign", "撤销学习任务"},
      {"lesson.create", "新增课时"},
      {"lesson.update", "修改课时"},
      {"lesson.delete", "删除课时"},
      {"audit.export", "导出审计日志"},
      {"user.reset_password", "重置密码"}};
  return labels;
}

}  // namespace

void add_audit_routes(Router& r, Services& s) {
  r.add_schemas(kAuditSchemas);
  r.add({.method = "GET",
         .pattern = "/api/v1/audit",
         .tag = "audit",
         .summary = "The audit trail in scope, newest first",
         .perm = auth::Perm::audit_read,
         .query =
             [] {
               auto q = kAuditFilters;
               q.push_back({"page", ParamType::integer});
               q.push_back({"page_size", ParamType::integer});
               return q;
             }(),
         .responses = {{200, "AuditPage"}},
         .handler = [&s](Ctx& c) -> Result<Response> {
           QueryReader q(c.req);
           auto paging = q.paging();
           audit::Query aq = read_audit_query(q, c.p());
           aq.page = paging.page;
           aq.page_size = paging.page_size;
           DJ_TRY(q.finish());
           DJ_ASSIGN(auto page, audit::list(s.db, aq));
           json::array items;
           for (const auto& e : page.items) {
             auto parse_or_null = [](const std::string& text) -> json::value {
               if (text.empty()) return nullptr;
               json::error_code ec;
               auto v = json::parse(text, ec);
               return ec ? json::value(text) : v;
             };
             items.push_back(json::object{
                 {"id", e.id},
                 {"at", format_instant(e.at)},
                 {"user_id", e.user_id ? json::value(*e.user_id) : json::value(nullptr)},
                 {"username", e.username},
                 {"client_ip", e.client_ip},
                 {"route", e.route},
                 {"action", e.action},
                 {"entity", e.entity},
                 {"entity_id", e.entity_id},
                 {"before", parse_or_null(e.before_json)},
                 {"after", parse_or_null(e.after_json)},
             });
           }
           return json_response(json::object{{"items", std::move(items)}, {"total", page.total}});
         }});
  r.add({.method = "GET",
         .pattern = "/api/v1/audit/export.xlsx",
         .tag = "audit",
         .summary = "The trail's entries matching the filters as .xlsx, newest first, actions in "
                    "words (at most 50,000 rows; the export is audited itself)",
         .perm = auth::Perm::audit_read,
         .query = kAuditFilters,
         .responses = {{200,
                        "",
                        {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}}},
         .handler = [&s](Ctx& c) -> Result<Response> {
           QueryReader q(c.req);
           audit::Query aq = read_audit_query(q, c.p());
           DJ_TRY(q.finish());
           constexpr int64_t kMaxRows = 50000;
           aq.page_size = 500;
           XlsxStream book("审计日志",
                           {"时间", "用户", "操作", "操作代码", "对象", "对象编号", "地址", "接口"},
                           {5});
           int64_t rows = 0;
           for (aq.page = 1; rows < kMaxRows; ++aq.page) {
             DJ_ASSIGN(auto page, audit::list(s.db, aq));
             for (const auto& e : page.items) {
               const auto label = action_labels().find(e.action);
               book.add_row({Cell(format_instant(e.at).substr(0, 19)), Cell(e.username),
                             Cell(label == action_labels().end() ? e.action : label->second),
                             Cell(e.action), Cell(e.entity), Cell(e.entity_id), Cell(e.client_ip),
                             Cell(e.route)});
             }
             rows += static_cast<int64_t>(page.items.size());
             if (page.items.size() < static_cast<size_t>(aq.page_size)) break;
           }
           Response res;
           DJ_ASSIGN(res.body, book.finish());
           res.content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
           res.headers.emplace_back("Content-Disposition", "attachment; filename=\"audit.xlsx\"");
           DJ_TRY(audit::record_now(
               s.db, c.p().actor(),
               {"audit.export", "audit", "", c.p().scope_path, {}, json::object{{"rows", rows}}}));
           return res;
         }});
}

}  // namespace dj::http
