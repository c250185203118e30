#include "domain/demo/demo.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <boost/json.hpp>
#include <random>
#include <unordered_set>
#include <vector>

#include "common/crypto.h"
#include "common/time.h"
#include "domain/activity/activity.h"
#include "domain/audit/audit.h"
#include "domain/ledger/ledger.h"
#include "domain/member/citizen_id.h"
#include "domain/member/member.h"
#include "domain/training/training.h"
#include "store/bulk.h"

namespace dj::demo {
namespace {

namespace json = boost::json;

constexpr const char* kOrgans[] = {"市发展和改革委员会",
                                   "市教育体育局",
                                   "市科学技术局",
                                   "市工业和信息化局",
                                   "市公安局",
                                   "市民政局",
                                   "市司法局",
                                   "市财政局",
                                   "市人力资源和社会保障局",
                                   "市自然资源和规划局",
                                   "市生态环境局",
                                   "市住房和城乡建设局",
                                   "市交通运输局",
                                   "市水务局",
                                   "市农业农村局",
                                   "市商务局",
                                   "市文化和旅游局",
                                   "市卫生健康委员会",
                                   "市退役军人事务局",
                                   "市应急管理局",
                                   "市审计局",
                                   "市国有资产监督管理委员会",
                                   "市市场监督管理局",
                                   "市统计局",
                                   "市医疗保障局",
                                   "市林业和草原局",
                                   "市城市管理局",
                                   "市投资促进局",
                                   "市政务服务管理局",
                                   "市信访局",
                                   "市机关事务管理局",
                                   "市地方金融监督管理局",
                                   "市总工会",
                                   "团市委",
                                   "市妇女联合会",
                                   "市科学技术协会",
                                   "市文学艺术界联合会",
                                   "市残疾人联合会",
                                   "市工商业联合会",
                                   "市委办公室",
                                   "市人大常委会办公厅",
                                   "市政府办公室",
                                   "市政协办公厅",
                                   "市纪委监委机关",
                                   "市委组织部",
                                   "市委宣传部",
                                   "市委统战部"};
constexpr const char* kUnits[] = {"办公室",       "综合处",   "政策法规处", "规划处",
                                  "财务处",       "人事处",   "监督检查处", "信息中心",
                                  "机关服务中心", "业务一处", "业务二处",   "业务三处",
                                  "执法支队",     "研究室",   "离退休干部"};
constexpr const char* kSurnames[] = {
    "王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "胡", "朱", "高", "林",
    "何", "郭", "马", "罗", "梁", "宋", "郑", "谢", "韩", "唐", "冯", "于", "董", "萧", "程", "曹",
    "袁", "邓", "许", "傅", "沈", "曾", "彭", "吕", "段", "普", "李", "杨", "字", "和"};
constexpr const char* kGiven[] = {
    "伟", "芳", "娜", "敏", "静",   "丽",   "强", "磊", "军", "洋",   "勇", "艳",
    "杰", "娟", "涛", "明", "超",   "秀英", "霞", "平", "刚", "桂英", "华", "建国",
    "红", "玲", "文", "云", "晓燕", "志强", "海", "斌", "鹏", "婷",   "丹", "琳",
    "宇", "浩", "凯", "昆", "滇",   "春",   "梅", "新", "德", "成",   "瑞", "嘉"};
constexpr const char* kEthnicities[] = {"汉族", "汉族", "汉族",   "汉族", "汉族", "汉族",  "汉族",
                                        "彝族", "白族", "哈尼族", "傣族", "回族", "纳西族"};
constexpr const char* kEducation[] = {"大学本科", "大学本科", "大学本科", "研究生",
                                      "大学专科", "研究生",   "大学本科", "中专"};
constexpr const char* kLeaveReasons[] = {"出差", "病假", "公务外出", "事假", "培训"};
constexpr const char* kOrgLifeTypes[] = {"branch_assembly", "branch_committee", "group_meeting",
                                         "party_lecture",   "theme_day",        "org_life_meeting",
                                         "member_review"};

bool is_org_life(std::string_view type) {
  return std::find(std::begin(kOrgLifeTypes), std::end(kOrgLifeTypes), type) !=
         std::end(kOrgLifeTypes);
}

constexpr const char* kRegions[] = {"530102", "530103", "530111", "530112", "530113",
                                    "530114", "530181", "530124", "530125", "530128"};

struct Params {
  int affiliated;
  int branches;
  int members;
};

class Gen {
 public:
  explicit Gen(uint64_t seed) : rng_(seed) {}
  int below(int n) { return static_cast<int>(rng_() % static_cast<uint64_t>(n)); }
  bool chance(int percent) { return below(100) < percent; }
  template <size_t N>
  const char* pick(const char* const (&a)[N]) {
    return a[below(static_cast<int>(N))];
  }

 private:
  std::mt19937_64 rng_;
};

// A valid ID not used before: region, birth date, a sequence whose parity
// gives the gender, and the check digit.
std::string citizen_id(Gen& g, const std::string& birth, bool male,
                       std::unordered_set<std::string>& used) {
  const std::string head =
      std::string(g.pick(kRegions)) + birth.substr(0, 4) + birth.substr(5, 2) + birth.substr(8, 2);
  for (int seq = g.below(500) * 2 + (male ? 1 : 0);; seq = (seq + 2) % 1000) {
    const std::string first17 = head + fmt::format("{:03}", seq);
    if (used.insert(first17).second) return first17 + member::citizen_id_check_digit(first17);
  }
}

struct DemoMember {
  int64_t id;
  int64_t org_id;  // the branch or one of its groups
  std::string joined_on;
  bool leader;
  bool secretary;
  bool committee;  // secretary, deputy secretary or committee member (支委)
  bool retired;
};

struct DemoBranch {
  int64_t id;
  int affiliated;  // index into Tree::affiliated
  std::vector<int64_t> groups;
  std::vector<DemoMember> members;
};

struct Tree {
  int64_t root = 0;
  std::vector<std::pair<int64_t, bool>> affiliated;  // id, is a party committee
  std::vector<DemoBranch> branches;
};

// Writes activities with attendance and ledger hours in bulk, with explicit
// ids (the table is empty), a transaction per batch of branches.
class ActivityWriter {
 public:
  ActivityWriter(Gen& g, int64_t today_days) : g_(g), today_days_(today_days) {}

  // One activity held on `date` from `hour` for `minutes`; `pool` are the
  // expected attendees (those who had joined by then).
  void add(int64_t org_id, const char* type, const std::string& title, const std::string& date,
           int hour, int minutes, const std::vector<const DemoMember*>& pool,
           std::optional<int64_t> lecturer = std::nullopt, const char* subtype = nullptr,
           const char* method = nullptr, const char* tags = "[]",
           const char* destination = nullptr) {
    const int64_t id = next_id_++;
    // In the demo only the organs' central groups and the committee's grand
    // lecture are held above branch level.
    const bool branch_level =
        std::string_view(type) != "center_group_study" && std::string_view(type) != "grand_lecture";
    const int64_t start = (days_from_date(date) * 86400 + hour * 3600 - 8 * 3600) * 1000;
    const int64_t end = start + minutes * 60000;
    const int64_t hours = activity::default_hours_tenths(end - start, {});
    int64_t expected = 0, present = 0;
    for (const DemoMember* m : pool) {
      if (m->joined_on > date) continue;
      ++expected;
      const int roll = g_.below(100);
      const char* status = roll < 87   ? "present"
                           : roll < 90 ? "late"
                           : roll < 97 ? "leave"
                                       : "absent";
      const bool came = roll < 90;
      present += came;
      attendance_.push_back(
          {id, m->id, status,
           roll >= 90 && roll < 97 ? store::Value(g_.pick(kLeaveReasons)) : store::Value(), false,
           date, is_org_life(type), branch_level});
      if (came && hours > 0) {
        hours_.push_back(
            {m->id, std::stoi(date.substr(0, 4)), date, "activity", id, hours, title, now_ms()});
      }
    }
    const bool late = g_.chance(7);
    const int64_t entered =
        late ? std::min(now_ms(), end + (2 + g_.below(20)) * int64_t{86400000}) : end + 3600000;
    activities_.push_back({id,
                           org_id,
                           type,
                           subtype ? store::Value(subtype) : store::Value(),
                           title,
                           tags,
                           start,
                           end,
                           date,
                           destination ? store::Value(std::string("异地现场教学：") + destination)
                                       : store::Value("党员活动室"),
                           destination != nullptr,
                           destination ? store::Value(destination) : store::Value(),
                           method ? store::Value(method) : store::Value(),
                           lecturer,
                           hours,
                           late,
                           expected,
                           present,
                           entered,
                           entered});
  }

  Status flush(store::Conn& c) {
    DJ_TRY(store::insert_rows(c, "activities",
                              {"id",
                               "org_id",
                               "type",
                               "subtype",
                               "title",
                               "tags",
                               "started_at",
                               "ended_at",
                               "held_on",
                               "place",
                               "off_site",
                               "destination",
                               "method",
                               "lecturer_member_id",
                               "hours_tenths",
                               "late_entry",
                               "expected_count",
                               "present_count",
                               "created_at",
                               "updated_at"},
                              activities_));
    DJ_TRY(store::insert_rows(c, "attendance",
                              {"activity_id", "member_id", "status", "reason", "guest", "held_on",
                               "org_life", "branch_level"},
                              attendance_));
    DJ_TRY(store::insert_rows(c, "hour_entries",
                              {"member_id", "year", "on_date", "source", "source_id",
                               "hours_tenths", "title", "created_at"},
                              hours_));
    activities_.clear();
    attendance_.clear();
    hours_.clear();
    return {};
  }

  int64_t count() const { return next_id_ - 1; }

 private:
  Gen& g_;
  int64_t today_days_;
  int64_t next_id_ = 1;
  std::vector<store::Params> activities_, attendance_, hours_;
};

Result<int64_t> generate_activities(store::Db& db, Gen& g, const Tree& tree) {
  const int64_t today_days = days_from_date(today());
  const int64_t first = today_days - 365, last = today_days - 1;
  ActivityWriter w(g, today_days);
  // The day `d` of each month in the window (clamped), if inside it.
  auto day_in = [&](const std::string& month, int d) -> std::optional<std::string> {
    std::string date = month + fmt::format("-{:02}", std::min(d, 28));
    const int64_t n = days_from_date(date);
    if (n < first || n > last) return std::nullopt;
    return date;
  };
  std::vector<std::string> months;
  for (int64_t d = first; d <= last; ++d) {
    const std::string m = date_from_days(d).substr(0, 7);
    if (months.empty() || months.back() != m) months.push_back(m);
  }
  auto all = [](const DemoBranch& b) {
    std::vector<const DemoMember*> out;
    for (const auto& m : b.members) out.push_back(&m);
    return out;
  };
  // Who a 支委会 expects: the committee, where the branch has one of at
  // least three (as the server counts).
  auto committee = [&](const DemoBranch& b) {
    std::vector<const DemoMember*> out;
    for (const auto& m : b.members) {
      if (m.committee) out.push_back(&m);
    }
    return out.size() >= 3 ? out : all(b);
  };
  // Leaders of each directly affiliated organization (its central group).
  std::vector<std::vector<const DemoMember*>> leaders(tree.affiliated.size());
  for (const auto& b : tree.branches) {
    for (const auto& m : b.members) {
      if (m.leader) leaders[b.affiliated].push_back(&m);
    }
  }
  const size_t batch = 60;
  for (size_t start = 0; start < tree.branches.size(); start += batch) {
    DJ_TRY(store::with_tx(db, [&](store::Conn& c) -> Status {
      for (size_t bi = start; bi < std::min(tree.branches.size(), start + batch); ++bi) {
        const DemoBranch& b = tree.branches[bi];
        const auto members = all(b);
        // A few branches fall quiet for months: the gaps the rules should find.
        const int quiet = g.chance(4) ? g.below(static_cast<int>(months.size())) : -1;
        std::optional<int64_t> secretary, guest_leader;
        for (const auto& m : b.members) {
          if (m.secretary) secretary = m.id;
          if (m.leader && !guest_leader) guest_leader = m.id;
        }
        for (size_t mi = 0; mi < months.size(); ++mi) {
          if (quiet >= 0 && (static_cast<int>(mi) >= quiet && static_cast<int>(mi) < quiet + 3)) {
            continue;
          }
          const std::string& month = months[mi];
          const int mon = std::stoi(month.substr(5, 2));
          auto when = [&](int lo, int span) { return day_in(month, lo + g.below(span)); };
          if (g.chance(95)) {
            if (auto d = when(3, 8))
              w.add(b.id, "branch_committee", month + " 支委会", *d, 15, 90, committee(b));
          }
          if (g.chance(92)) {
            if (auto d = when(1, 5)) {
              w.add(b.id, "theme_day", month + " 主题党日", *d, 9, 150, members, std::nullopt,
                    nullptr, g.chance(40) ? "observation" : "discussion",
                    g.chance(50) ? R"(["party_history"])" : R"(["xi_thought"])");
            }
          }
          for (int k : {90, 70, 40}) {
            if (g.chance(k)) {
              if (auto d = when(12, 14)) {
                w.add(b.id, "collective_study", month + " 集中学习", *d, 14,
                      g.chance(30) ? 240 : 120, members, std::nullopt, nullptr, "lecture",
                      R"(["xi_thought"])");
              }
            }
          }
          for (size_t gi = 0; gi < b.groups.size(); ++gi) {
            if (!g.chance(85)) continue;
            std::vector<const DemoMember*> pool;
            for (const auto* m : members) {
              if (m->org_id == b.groups[gi]) pool.push_back(m);
            }
            if (auto d = when(18, 8))
              w.add(b.groups[gi], "group_meeting", month + " 党小组会", *d, 16, 60, pool);
          }
          if (mon % 3 == 2 && g.chance(90)) {
            if (auto d = when(8, 15))
              w.add(b.id, "branch_assembly", month + " 支部党员大会", *d, 15, 120, members);
          }
          if (mon % 3 == 0 && g.chance(85)) {
            const auto lecturer = guest_leader && g.chance(35) ? guest_leader : secretary;
            if (auto d = when(8, 15)) {
              w.add(b.id, "party_lecture", month + " 党课", *d, 9, 120, members, lecturer, nullptr,
                    "lecture", g.chance(40) ? R"(["party_history"])" : "[]");
            }
          }
          if (g.chance(9)) {
            if (auto d = when(1, 25)) {
              w.add(b.id, "special_briefing", month + " 专题宣讲", *d, 10, 90, members,
                    guest_leader && g.chance(30) ? guest_leader : std::nullopt, nullptr, "lecture",
                    R"(["party_history"])");
            }
          }
          if (g.chance(10)) {
            if (auto d = when(1, 25)) {
              w.add(b.id, "youth_joint_study", month + " 青年主题联学", *d, 15, 120, members,
                    std::nullopt, nullptr, "discussion", R"(["xi_thought"])");
            }
          }
          if (g.chance(8)) {
            if (auto d = when(1, 25)) {
              w.add(b.id, "reading_class", month + " 专题学习读书班", *d, 9, 420, members,
                    std::nullopt, nullptr, "lecture", R"(["party_history"])");
            }
          }
          if (g.chance(3)) {
            if (auto d = when(1, 25)) {
              w.add(b.id, "field_teaching", month + " 现场教学", *d, 8, 480, members, std::nullopt,
                    nullptr, "observation", R"(["party_history"])",
                    g.chance(30) ? "延安" : nullptr);
            }
          }
          if (g.chance(2)) {
            if (auto d = when(1, 25)) {
              w.add(b.id, "contest", month + " 知识竞赛", *d, 14, 120, members, std::nullopt,
                    g.chance(70) ? "knowledge" : "speech");
            }
          }
          if (mon == 1) {
            if (g.chance(90)) {
              if (auto d = when(10, 15))
                w.add(b.id, "org_life_meeting", month + " 组织生活会", *d, 9, 180, members);
            }
            if (g.chance(88)) {
              if (auto d = when(10, 15))
                w.add(b.id, "member_review", month + " 民主评议党员", *d, 14, 120, members);
            }
            if (g.chance(85)) {
              if (auto d = when(3, 20))
                w.add(b.id, "heart_talk", month + " 谈心谈话", *d, 10, 60, members);
            }
          }
        }
      }
      if (start == 0) {
        // Central group study of each organ, and the committee's grand lecture.
        for (size_t a = 0; a < tree.affiliated.size(); ++a) {
          if (!tree.affiliated[a].second) continue;
          for (const auto& month : months) {
            const int mon = std::stoi(month.substr(5, 2));
            if (mon % 3 == 1 || !g.chance(85)) continue;
            if (auto d = day_in(month, 10 + g.below(10))) {
              w.add(tree.affiliated[a].first, "center_group_study", month + " 理论学习中心组学习",
                    *d, 9, 180, leaders[a], std::nullopt, nullptr, "discussion",
                    R"(["xi_thought"])");
            }
          }
        }
        for (const auto& month : months) {
          if (std::stoi(month.substr(5, 2)) % 3 != 2) continue;
          if (auto d = day_in(month, 20)) {
            w.add(tree.root, "grand_lecture", month + " 机关大课堂", *d, 9, 180, {}, std::nullopt,
                  nullptr, "lecture", R"(["xi_thought"])");
          }
        }
      }
      return w.flush(c);
    }));
  }
  DJ_TRY(store::with_tx(db, [](store::Conn& c) -> Status {
    DJ_TRY(store::reset_identity(c, "activities"));
    return c.exec_script(
        "INSERT INTO hour_totals (member_id, year, hours_tenths) SELECT member_id, year, "
        "SUM(hours_tenths) FROM hour_entries GROUP BY member_id, year");
  }));
  // Fresh statistics, so the planners choose the indexes the reports need.
  DJ_TRY(store::with_conn(db, [](store::Conn& c) -> Status { return c.exec_script("ANALYZE"); }));
  return w.count();
}
// 办实事 over the demo's year at the seed's numbers: the directly affiliated
// organizations plan 713 and finish 376, members plan 7,110 and finish 3,774.
Status generate_matters(store::Db& db, Gen& g, const Tree& tree) {
  constexpr int kOrgPlanned = 713, kOrgDone = 376, kMemberPlanned = 7110, kMemberDone = 3774;
  constexpr const char* kCategories[] = {"livelihood",  "employment",    "elderly_care",
                                         "education",   "health",        "vaccination",
                                         "environment", "policy_service"};
  constexpr const char* kOrgTitles[] = {"老旧小区加装电梯协调", "背街小巷环境整治",
                                        "困难群众就业帮扶",     "社区卫生服务进楼院",
                                        "惠民政策宣讲进社区",   "助学结对帮扶"};
  constexpr const char* kMemberTitles[] = {"帮助独居老人代购药品", "协助社区疫苗接种登记",
                                           "为困难学生辅导功课",   "代办群众社保事项",
                                           "清理楼道堆放杂物",     "走访慰问困难党员"};
  std::vector<const DemoMember*> people;
  for (const auto& b : tree.branches) {
    for (const auto& m : b.members) people.push_back(&m);
  }
  if (tree.affiliated.empty() || people.empty()) return {};
  const int64_t today_days = days_from_date(today());
  const int64_t first = today_days - 365;
  const int64_t now = now_ms();
  std::vector<store::Params> rows;
  auto add = [&](int64_t org_id, std::optional<int64_t> member_id, const char* title, bool done) {
    const int64_t planned = first + g.below(330);
    const std::string on = date_from_days(planned);
    const std::string done_on = date_from_days(std::min(today_days - 1, planned + 7 + g.below(40)));
    rows.push_back({org_id, member_id, title, g.pick(kCategories), on,
                    done ? "done" : (g.chance(50) ? "in_progress" : "planned"),
                    done ? store::Value(done_on) : store::Value(),
                    done ? store::Value(std::string("已办结，群众满意")) : store::Value(), now,
                    now});
  };
  for (int i = 0; i < kOrgPlanned; ++i) {
    add(tree.affiliated[i % tree.affiliated.size()].first, std::nullopt, g.pick(kOrgTitles),
        i < kOrgDone);
  }
  for (int i = 0; i < kMemberPlanned; ++i) {
    const DemoMember* m = people[static_cast<size_t>(g.below(static_cast<int>(people.size())))];
    add(m->org_id, m->id, g.pick(kMemberTitles), i < kMemberDone);
  }
  return store::with_tx(db, [&](store::Conn& c) -> Status {
    return store::insert_rows(c, "matters",
                              {"org_id", "member_id", "title", "category", "planned_on", "status",
                               "done_on", "evidence", "created_at", "updated_at"},
                              rows);
  });
}

// 双报到: the city's communities, each with an account (community01, …); all
// 47 directly affiliated organizations reported and confirmed; every member
// in the party and in service reported and confirmed but a few (one in 400
// not yet, one in 400 waiting for the community), and member01 not yet, so
// the demo shows him the scan.
Status generate_communities(store::Db& db, Gen& g, const Tree& tree, int64_t member01,
                            const std::string& pw_hash, Summary& sum) {
  constexpr const char* kDistricts[] = {"五华区", "盘龙区", "官渡区", "西山区", "呈贡区"};
  constexpr const char* kStreets[] = {"华山街道", "护国街道", "拓东街道", "东风街道",
                                      "金碧街道", "龙泉街道", "青云街道", "吴井街道"};
  constexpr const char* kNames[] = {"翠湖", "圆通", "篆塘", "小西门", "大观", "北门",
                                    "桃源", "白塔", "金星", "菊华",   "春城", "广福"};
  constexpr int kCommunities = 60;
  const int64_t today_days = days_from_date(today());
  const int64_t now = now_ms();
  std::vector<int64_t> ids;
  DJ_TRY(store::with_tx(db, [&](store::Conn& c) -> Status {
    for (int i = 0; i < kCommunities; ++i) {
      const std::string name =
          std::string(kNames[i % std::size(kNames)]) +
          (i < static_cast<int>(std::size(kNames)) ? ""
                                                   : std::to_string(i / std::size(kNames) + 1)) +
          "社区";
      DJ_ASSIGN(auto r,
                c.query_one(
                    "INSERT INTO communities (code, name, street, district, contact, "
                    "phone, qr_token, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, "
                    "?, ?, ?) RETURNING id",
                    {fmt::format("SQ-{:03}", i + 1), name, g.pick(kStreets),
                     kDistricts[i % std::size(kDistricts)], std::string(g.pick(kSurnames)) + "主任",
                     fmt::format("0871-6{:06}", 100000 + i * 137), random_token(), now, now}));
      ids.push_back(r.i64(0));
      DJ_TRY(
          c.exec("INSERT INTO users (username, password_hash, role, community_id, "
                 "must_change_password, created_at, updated_at) VALUES (?, ?, 'community', "
                 "?, 0, ?, ?)",
                 {fmt::format("community{:02}", i + 1), pw_hash, r.i64(0), now, now}));
      ++sum.users;
    }
    return {};
  }));
  std::vector<store::Params> rows;
  // Reported after joining the party (members) and at least 400 days ago otherwise.
  auto add = [&](int64_t org_id, std::optional<int64_t> member_id, bool confirmed,
                 int64_t earliest = 0) {
    const std::string on = date_from_days(std::max(earliest, today_days - 400 - g.below(700)));
    rows.push_back({ids[static_cast<size_t>(g.below(kCommunities))], org_id, member_id, on,
                    member_id && g.chance(40) ? "qr" : "admin", confirmed ? "confirmed" : "pending",
                    confirmed ? store::Value(now) : store::Value(), now, now});
  };
  for (const auto& [id, _] : tree.affiliated) add(id, std::nullopt, true);
  int n = 0;
  for (const auto& b : tree.branches) {
    for (const auto& m : b.members) {
      if (m.retired || m.id == member01) continue;
      const int k = n++ % 400;
      if (k == 7) continue;  // not yet
      add(m.org_id, m.id, k != 9, days_from_date(m.joined_on));
    }
  }
  DJ_TRY(store::with_tx(db, [&](store::Conn& c) -> Status {
    return store::insert_rows(c, "community_registrations",
                              {"community_id", "org_id", "member_id", "registered_on", "channel",
                               "status", "decided_at", "created_at", "updated_at"},
                              rows);
  }));
  // Services over the demo's year at the seed's numbers, confirmed by the
  // community: 129 by organizations (64 helping with vaccination), 4,472 by
  // members at their own community (1,334 vaccination); and a few members'
  // services waiting for the community.
  constexpr int kOrgServices = 129, kOrgVaccination = 64, kMemberServices = 4472,
                kMemberVaccination = 1334, kMemberPending = 40;
  constexpr const char* kOther[] = {"environment", "elderly_care", "policy_service", "education",
                                    "health"};
  constexpr const char* kTitles[] = {"楼道环境清扫", "走访慰问独居老人", "政策宣讲与代办",
                                     "青少年课业辅导", "义诊与健康咨询"};
  std::vector<store::Params> services;
  auto serve = [&](const store::Params& head, bool vaccination, bool confirmed) {
    const int which = g.below(static_cast<int>(std::size(kOther)));
    store::Params row = head;
    row.insert(row.end(), {vaccination ? "协助社区开展新冠疫苗接种" : kTitles[which],
                           vaccination ? "vaccination" : kOther[which],
                           date_from_days(today_days - 364 + g.below(364)), 20 + 10 * g.below(3),
                           confirmed ? "confirmed" : "pending",
                           confirmed ? store::Value(now) : store::Value(), now, now});
    services.push_back(std::move(row));
  };
  for (int i = 0; i < kOrgServices; ++i) {
    serve({ids[static_cast<size_t>(g.below(kCommunities))],
           tree.affiliated[static_cast<size_t>(i) % tree.affiliated.size()].first, store::Value()},
          i < kOrgVaccination, true);
  }
  std::vector<const store::Params*> members;  // registrations of members
  for (const auto& r : rows) {
    if (!r[2].is_null()) members.push_back(&r);
  }
  for (int i = 0; i < kMemberServices + kMemberPending && !members.empty(); ++i) {
    const auto& r = *members[static_cast<size_t>(g.below(static_cast<int>(members.size())))];
    serve({r[0], r[1], r[2]}, i < kMemberVaccination, i < kMemberServices);
  }
  // Calls open for sign-up: one in each of the first ten communities, in the coming days.
  std::vector<store::Params> posts;
  for (size_t i = 0; i < 10 && i < ids.size(); ++i) {
    const int64_t hour = 3600000,
                  start = (today_days + 2 + static_cast<int64_t>(i % 5)) * 24 * hour + hour;
    posts.push_back({ids[i], i % 2 ? "need" : "volunteer",
                     i % 2 ? "独居老人助餐配送" : "协助社区疫苗接种点秩序维护",
                     i % 2 ? "elderly_care" : "vaccination", "社区党群服务中心", start,
                     int64_t{start + 3 * hour}, int64_t{10 + static_cast<int64_t>(i)}, 30, now,
                     now});
  }
  DJ_TRY(store::with_tx(db, [&](store::Conn& c) -> Status {
    return store::insert_rows(c, "community_posts",
                              {"community_id", "kind", "title", "category", "place", "starts_at",
                               "ends_at", "slots", "hours_tenths", "created_at", "updated_at"},
                              posts);
  }));
  return store::with_tx(db, [&](store::Conn& c) -> Status {
    return store::insert_rows(
        c, "community_services",
        {"community_id", "org_id", "member_id", "title", "category", "served_on", "hours_tenths",
         "status", "decided_at", "created_at", "updated_at"},
        services);
  });
}

// 模范机关创建 this year: 40 of the 47 directly affiliated organizations
// with a plan of four benchmark items, most self-assessed, some accepted;
// the first seven (org01 to org07) have yet to make theirs.
Status generate_model_plans(store::Db& db, Gen& g, const Tree& tree) {
  constexpr const char* kStandards[] = {
      "“三会一课”等组织生活制度落实到位", "党员教育培训学时全覆盖",   "党建阵地规范化建设",
      "为群众办实事项目按期办结",         "在职党员到社区报到全覆盖", "党务干部培训轮训"};
  constexpr const char* kResults[] = {"met", "met", "met", "partly", "not"};
  const std::string year = today().substr(0, 4);
  const int64_t year_number = std::stoll(year), now = now_ms();
  return store::with_tx(db, [&](store::Conn& c) -> Status {
    for (size_t a = 7; a < tree.affiliated.size(); ++a) {
      const int roll = g.below(10);
      const char* status = roll < 3 ? "draft" : roll < 7 ? "submitted" : "accepted";
      const bool assessed = std::string_view(status) != "draft";
      DJ_ASSIGN(
          auto plan,
          c.query_one(
              "INSERT INTO model_plans (org_id, year, title, status, "
              "self_assessment, review_note, submitted_at, reviewed_at, created_at, "
              "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
              {tree.affiliated[a].first, year_number, year + "年模范机关创建实施方案", status,
               assessed ? store::Value("对照标准逐项自查，基本达到创建要求") : store::Value(),
               std::string_view(status) == "accepted" ? store::Value("同意验收") : store::Value(),
               assessed ? store::Value(now) : store::Value(),
               std::string_view(status) == "accepted" ? store::Value(now) : store::Value(), now,
               now}));
      for (int i = 0; i < 4; ++i) {
        DJ_TRY(c.exec(
            "INSERT INTO model_items (plan_id, position, standard, present_state, "
            "measures, due_on, result) VALUES (?, ?, ?, ?, ?, ?, ?)",
            {plan.i64(0), int64_t{i}, std::string(kStandards[(a + static_cast<size_t>(i)) % 6]),
             std::string("对照标准仍有差距"), std::string("制定整改清单，逐月推进"),
             year + "-11-30",
             assessed ? store::Value(std::string(g.pick(kResults))) : store::Value()}));
      }
    }
    return {};
  });
}

// Resources: the service centre's rooms, the party school's branch, the 13
// teaching points (hosted by directly affiliated organizations), and a year
// of the organizations' bookings: past ones approved and checked, a few
// rejected or cancelled; the coming month's approved or waiting.
Status generate_venues(store::Db& db, Gen& g, const Tree& tree) {
  struct Room {
    const char* name;
    int capacity;
    const char* equipment;
    bool approval;
  };
  constexpr Room kCentre[] = {{"多功能报告厅", 300, "投影、音响、同声传译、直播", true},
                              {"党员活动室一", 60, "投影、音响", false},
                              {"党员活动室二", 40, "电视、白板", false},
                              {"研讨室", 20, "电视、白板", false},
                              {"党史展厅", 80, "讲解设备", true},
                              {"微党课录播室", 10, "摄像机、灯光、提词器", true}};
  constexpr const char* kPoints[] = {
      "市革命历史纪念馆现场教学点", "抗战胜利纪念堂现场教学点", "红军长征过境纪念馆教学点",
      "西南联大旧址教学点",         "市廉政教育基地",           "市档案馆党史教学点",
      "滇池保护治理教学点",         "乡村振兴示范村教学点",     "科技创新园区教学点",
      "民族团结进步示范区教学点",   "市博物馆教学点",           "老干部活动中心教学点",
      "边疆党建长廊教学点"};
  constexpr const char* kTitles[] = {"主题党日活动", "专题党课",   "支部书记培训", "党史学习教育",
                                     "青年理论学习", "机关大课堂", "党员大会",     "微党课比赛"};
  const int64_t now = now_ms(), hour = 3600000, day = 24 * hour;
  const int64_t today_start = days_from_date(today()) * day - 8 * hour;
  return store::with_tx(db, [&](store::Conn& c) -> Status {
    DJ_ASSIGN(auto admins,
              c.query("SELECT id, org_id FROM users WHERE role = 'org_admin' ORDER BY username"));
    DJ_ASSIGN(auto keeper, c.query_one("SELECT id FROM users WHERE username = 'admin'"));
    auto point = [&](const std::string& code, const char* name, const char* kind,
                     std::optional<int64_t> org, const std::string& address) -> Result<int64_t> {
      DJ_ASSIGN(auto r, c.query_one("INSERT INTO teaching_points (code, name, kind, org_id, "
                                    "address, contact, phone, created_at, updated_at) VALUES (?, "
                                    "?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                                    {code, name, kind, org, address, std::string("李老师"),
                                     std::string("0871-63100000"), now, now}));
      return r.i64(0);
    };
    auto room = [&](int64_t point_id, const Room& x, const char* opens,
                    const char* closes) -> Result<int64_t> {
      DJ_ASSIGN(auto r, c.query_one("INSERT INTO venues (point_id, name, capacity, equipment, "
                                    "opens, closes, needs_approval, created_at, updated_at) "
                                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                                    {point_id, x.name, x.capacity, x.equipment, opens, closes,
                                     x.approval ? 1 : 0, now, now}));
      return r.i64(0);
    };
    std::vector<std::pair<int64_t, int>> rooms;  // id, capacity
    DJ_ASSIGN(const int64_t centre, point("FWZX", "市党群活动服务中心", "service_centre",
                                          std::nullopt, "市直机关党群活动服务中心大楼"));
    for (const auto& x : kCentre) {
      DJ_ASSIGN(const int64_t id, room(centre, x, "08:30", "21:00"));
      rooms.emplace_back(id, x.capacity);
    }
    DJ_ASSIGN(const int64_t school, point("DXFX", "市委党校市直机关分校", "party_school",
                                          std::nullopt, "市委党校教学楼三层"));
    for (const Room& x :
         {Room{"第一教室", 120, "投影、音响", true}, Room{"第二教室", 80, "投影、音响", true}}) {
      DJ_TRY(room(school, x, "08:00", "18:00"));
    }
    for (size_t i = 0; i < std::size(kPoints); ++i) {
      const auto host = tree.affiliated[(i * 3 + 5) % tree.affiliated.size()].first;
      DJ_ASSIGN(const int64_t id,
                point(fmt::format("JXD{:02}", i + 1), kPoints[i], "teaching_point", host, "市内"));
      DJ_TRY(room(id, {"现场教学室", 50 + 10 * static_cast<int>(i % 4), "讲解设备", true}, "09:00",
                  "17:00"));
    }
    // Two slots a day per room (09:00–11:30, 14:30–17:00), each used at most once.
    std::unordered_set<int64_t> taken;
    std::vector<store::Params> rows;
    for (int n = 0; n < 160; ++n) {
      const int64_t offset = n < 130 ? -1 - g.below(365) : 1 + g.below(30);
      const size_t r = static_cast<size_t>(g.below(static_cast<int>(rooms.size())));
      const int slot = g.below(2);
      if (!taken.insert((offset * 100 + static_cast<int64_t>(r)) * 2 + slot).second) continue;
      const int64_t start = today_start + offset * day + (slot ? 14 * hour + hour / 2 : 9 * hour);
      const auto& who = admins[static_cast<size_t>(g.below(static_cast<int>(admins.size())))];
      const int roll = g.below(20);
      const bool past = offset < 0;
      const char* status = roll == 0                                  ? "rejected"
                           : roll == 1                                ? "cancelled"
                           : !past && roll < 6 && kCentre[r].approval ? "pending"
                                                                      : "approved";
      const bool approved = std::string_view(status) == "approved";
      const int attendees = std::max(5, rooms[r].second / 2 + g.below(rooms[r].second / 2 + 1));
      rows.push_back(
          {rooms[r].first, who.i64(1), std::string(g.pick(kTitles)), int64_t{attendees}, start,
           int64_t{start + 2 * hour + hour / 2}, status,
           std::string_view(status) == "rejected" ? store::Value("该时段已安排接待任务")
           : std::string_view(status) == "cancelled" ? store::Value("活动改期")
                                                     : store::Value(),
           past && approved ? store::Value(int64_t{g.below(25) ? 1 : 0}) : store::Value(),
           std::string_view(status) == "pending" ? store::Value() : keeper.i64(0),
           std::min(now, start - 7 * day), now, who.i64(0)});
    }
    return store::insert_rows(
        c, "venue_bookings",
        {"venue_id", "org_id", "title", "attendees", "starts_at", "ends_at", "status", "reply",
         "used", "decided_by", "created_at", "updated_at", "created_by"},
        rows);
  });
}

// The lecturer pool: eight internal lecturers (secretaries of directly
// affiliated organizations' branches) and sixteen external ones; a
// demonstration class held last month whose four sessions they taught, run
// through the training service (enrolment, roster, completion with the
// ledger's hours), and the attendees' ratings.
Status generate_lecturers(store::Db& db, const Keys& keys, Gen& g, const Tree& tree) {
  struct External {
    const char* name;
    const char* title;
    const char* employer;
    const char* fields;
  };
  constexpr External kExternal[] = {
      {"张宏伟", "教授", "省委党校", "习近平新时代中国特色社会主义思想"},
      {"李文华", "教授", "省委党校", "党史、新中国史"},
      {"王建平", "副教授", "市委党校", "党的建设、基层党组织建设"},
      {"赵丽娟", "副教授", "市委党校", "党章党规、纪律教育"},
      {"陈志刚", "研究员", "省社会科学院", "经济社会发展、乡村振兴"},
      {"刘晓燕", "教授", "云南大学", "马克思主义基本原理"},
      {"杨明", "副教授", "云南师范大学", "中华优秀传统文化、民族团结"},
      {"黄海", "讲师", "市委党校", "公文写作、调查研究"},
      {"周静", "主任", "市革命历史纪念馆", "革命传统教育、现场教学"},
      {"吴斌", "副研究员", "市委党史研究室", "地方党史"},
      {"徐敏", "教授", "昆明理工大学", "科技创新、数字政府"},
      {"孙强", "高级经济师", "市发展和改革委员会", "营商环境、政策解读"},
      {"胡娜", "副教授", "云南民族大学", "民族政策、边疆治理"},
      {"朱军", "主任医师", "市第一人民医院", "健康知识、心理调适"},
      {"高洁", "一级律师", "市律师协会", "法治建设、依法行政"},
      {"林涛", "教授", "省委党校", "意识形态、舆情应对"}};
  constexpr const char* kComments[] = {"联系实际，很有启发", "讲得透彻，案例生动",
                                       "内容丰富，建议多留互动时间", "对工作很有指导意义",
                                       "条理清晰，受益匪浅"};
  const int64_t now = now_ms(), hour = 3600000;
  const int64_t today_days = days_from_date(today());
  std::vector<int64_t> external;
  DJ_TRY(store::with_tx(db, [&](store::Conn& c) -> Status {
    for (const auto& x : kExternal) {
      DJ_ASSIGN(auto r, c.query_one("INSERT INTO lecturers (kind, name, title, employer, fields, "
                                    "courses, created_at, updated_at) VALUES ('external', ?, ?, "
                                    "?, ?, ?, ?, ?) RETURNING id",
                                    {x.name, x.title, x.employer, x.fields,
                                     std::string("专题讲座：") + x.fields, now, now}));
      external.push_back(r.i64(0));
    }
    int internal = 0;
    for (const auto& b : tree.branches) {
      if (internal == 8) break;
      if (b.affiliated % 6 != 1) continue;
      for (const auto& m : b.members) {
        if (!m.secretary) continue;
        DJ_TRY(
            c.exec("INSERT INTO lecturers (kind, member_id, name, title, fields, courses, "
                   "created_at, updated_at) SELECT 'internal', id, name, '党支部书记', "
                   "'基层党建实务', '支部工作法、“三会一课”规范', ?, ? FROM members WHERE id "
                   "= ?",
                   {now, now, m.id}));
        ++internal;
        break;
      }
    }
    return {};
  }));

  // The class, taught by four of the external lecturers 40 days ago.
  DJ_ASSIGN(auto admin_row, store::with_conn(db, [](store::Conn& c) {
              return c.query_one("SELECT id FROM users WHERE username = 'admin'");
            }));
  auth::Principal admin;
  admin.user_id = admin_row.i64(0);
  admin.username = "admin";
  admin.role = auth::Role::committee_admin;
  admin.scope_path = "/";
  admin.route = "cli demo";
  training::TrainingService classes(db, keys, training::Config{});
  training::TrainingInput in;
  in.org_id = tree.root;
  in.title = "市直机关党支部书记示范培训班";
  in.level = "demonstration";
  in.target_groups = std::vector<std::string>{"party_workers"};
  in.starts_on = date_from_days(today_days - 40);
  in.ends_on = date_from_days(today_days - 37);
  in.capacity = 60;
  in.venue = "市委党校市直机关分校第一教室";
  DJ_ASSIGN(auto klass, classes.create(admin, in));
  constexpr const char* kTopics[] = {"学习贯彻党的创新理论", "党支部标准化规范化建设",
                                     "严明党的纪律和规矩", "地方党史与革命传统"};
  std::vector<std::pair<int64_t, int64_t>> sessions;  // id, lecturer
  for (int i = 0; i < 4; ++i) {
    training::SessionInput si;
    si.title = kTopics[i];
    si.lecturer_id = external[static_cast<size_t>(i * 3 % 16)];
    si.method = "lecture";
    si.venue = in.venue;
    const int64_t start = (today_days - 40 + i) * 24 * hour + 1 * hour;  // 09:00 +08:00
    si.started_at = format_instant(start);
    si.ended_at = format_instant(start + 2 * hour + hour / 2);
    DJ_ASSIGN(auto made, classes.add_session(admin, klass.id, si));
    sessions.emplace_back(made.session.id, *si.lecturer_id);
  }
  // Fifty branch secretaries, enrolled, at nearly every session, then completed.
  std::vector<int64_t> enrolled;
  for (const auto& b : tree.branches) {
    if (enrolled.size() == 50) break;
    for (const auto& m : b.members) {
      if (!m.secretary) continue;
      training::EnrolInput e;
      e.member_id = m.id;
      if (classes.enrol(admin, klass.id, e)) enrolled.push_back(m.id);
      break;
    }
  }
  std::vector<store::Params> ratings;
  for (const auto& [sid, lecturer] : sessions) {
    std::vector<training::Mark> marks;
    for (int64_t m : enrolled) {
      const bool there = g.below(20) != 0;
      marks.push_back({m, std::string(there ? "present" : "absent")});
      if (there && g.chance(70)) {
        const int64_t score = g.chance(60) ? 5 : g.chance(75) ? 4 : 3;
        ratings.push_back(
            {lecturer, sid, m, score,
             g.chance(30) ? store::Value(std::string(g.pick(kComments))) : store::Value(), now});
      }
    }
    DJ_TRY(classes.mark_roster(admin, klass.id, sid, marks));
  }
  DJ_TRY(classes.complete(admin, klass.id));
  // The class was held at the party school's branch: its sessions' bookings,
  // used; the school's lecturers and the memorial's belong to their points.
  DJ_TRY(store::with_tx(db, [&](store::Conn& c) -> Status {
    DJ_ASSIGN(auto room, c.query_one("SELECT v.id FROM venues v JOIN teaching_points x ON x.id = "
                                     "v.point_id WHERE x.code = 'DXFX' ORDER BY v.id LIMIT 1"));
    for (const auto& [sid, lecturer] : sessions) {
      (void)lecturer;
      DJ_TRY(c.exec(
          "INSERT INTO venue_bookings (venue_id, org_id, title, attendees, starts_at, "
          "ends_at, status, used, session_id, created_at, updated_at, created_by) "
          "SELECT ?, t.org_id, t.title || '·' || s.title, ?, s.started_at, s.ended_at, "
          "'approved', 1, s.id, ?, ?, ? FROM training_sessions s JOIN trainings t ON t.id "
          "= s.training_id WHERE s.id = ?",
          {room.i64(0), static_cast<int64_t>(enrolled.size()), now, now, admin.user_id, sid}));
    }
    DJ_TRY(
        c.exec("UPDATE lecturers SET point_id = (SELECT id FROM teaching_points WHERE code = "
               "'DXFX') WHERE employer LIKE '%党校'"));
    DJ_TRY(
        c.exec("UPDATE lecturers SET point_id = (SELECT id FROM teaching_points WHERE code = "
               "'JXD01') WHERE employer = '市革命历史纪念馆'"));
    return {};
  }));
  return store::with_tx(db, [&](store::Conn& c) -> Status {
    return store::insert_rows(
        c, "lecturer_ratings",
        {"lecturer_id", "session_id", "member_id", "score", "comment", "created_at"}, ratings);
  });
}

// Funds this year: the committee's lines (the demonstration class's own among
// them, so it shows its cost per trainee) and one line for each directly
// affiliated organization, with expenses and a few open commitments.
Status generate_funds(store::Db& db, Gen& g, const Tree& tree) {
  constexpr const char* kSpent[] = {"购买党员学习教材", "订阅党刊",     "专题党课讲课费",
                                    "现场教学交通费",   "培训场地租赁", "学习资料印刷"};
  const std::string year = today().substr(0, 4);
  const int64_t now = now_ms(), year_number = std::stoll(year);
  const int64_t days_in = days_from_date(today()) - days_from_date(year + "-01-01");
  return store::with_tx(db, [&](store::Conn& c) -> Status {
    DJ_ASSIGN(auto klass, c.query_opt("SELECT id FROM trainings WHERE level = 'demonstration' "
                                      "ORDER BY id LIMIT 1"));
    auto line = [&](int64_t org, std::optional<int64_t> training, const std::string& title,
                    int64_t cents) -> Result<int64_t> {
      DJ_ASSIGN(auto r, c.query_one("INSERT INTO budget_lines (org_id, year, training_id, title, "
                                    "amount_cents, created_at, updated_at) VALUES (?, ?, ?, ?, ?, "
                                    "?, ?) RETURNING id",
                                    {org, year_number, training, title, cents, now, now}));
      return r.i64(0);
    };
    auto spend = [&](int64_t line_id, const char* kind, const std::string& what,
                     int64_t cents) -> Status {
      const std::string on =
          date_from_days(days_from_date(year + "-01-01") + g.below(static_cast<int>(days_in) + 1));
      DJ_TRY(
          c.exec("INSERT INTO fund_entries (line_id, kind, amount_cents, spent_on, description, "
                 "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                 {line_id, kind, cents, on, what, now, now}));
      return {};
    };
    DJ_ASSIGN(const int64_t main,
              line(tree.root, std::nullopt, year + "年市直机关党员教育培训经费", 180000000));
    for (int i = 0; i < 24; ++i) {
      DJ_TRY(spend(main, "expense", g.pick(kSpent), 100000 + 5000 * g.below(400)));
    }
    DJ_TRY(spend(main, "commitment", "机关大课堂第四期场地与讲课费", 3500000));
    if (klass) {
      DJ_ASSIGN(const int64_t own,
                line(tree.root, klass->i64(0), "党支部书记示范培训班经费", 12000000));
      DJ_TRY(spend(own, "expense", "教材与学习资料", 1500000));
      DJ_TRY(spend(own, "expense", "讲课费", 3200000));
      DJ_TRY(spend(own, "expense", "培训场地租赁", 2400000));
    }
    for (const auto& [org, unit] : tree.affiliated) {
      (void)unit;
      DJ_ASSIGN(const int64_t id,
                line(org, std::nullopt, year + "年党员教育经费", (20 + g.below(30)) * 100000));
      for (int i = 0, n = 2 + g.below(5); i < n; ++i) {
        DJ_TRY(spend(id, "expense", g.pick(kSpent), 50000 + 1000 * g.below(300)));
      }
    }
    return {};
  });
}

// Journals, books and reading places at the seed's numbers this year: about
// 20,000 journal copies (three titles for each directly affiliated
// organization), 82 book sets, 4 reading rooms and 455 bookshelves.
Status generate_collections(store::Db& db, Gen& g, const Tree& tree) {
  constexpr const char* kJournals[] = {"求是", "党建", "云南支部生活"};
  const int64_t year = std::stoll(today().substr(0, 4)), now = now_ms();
  std::vector<store::Params> rows;
  auto add = [&](const char* kind, int64_t org, std::optional<int64_t> y, const std::string& title,
                 int64_t n, std::optional<std::string> place) {
    rows.push_back({kind, org, y, title, n, place, now, now});
  };
  for (size_t a = 0; a < tree.affiliated.size(); ++a) {
    const int64_t org = tree.affiliated[a].first;
    for (const char* j : kJournals) add("journal", org, year, j, 110 + g.below(80), std::nullopt);
    if (a < 41) add("book_set", org, year, "党员教育培训教材", 2, std::nullopt);
    if (a < 4) add("reading_room", org, std::nullopt, "机关职工书屋", 1, std::string("机关办公楼"));
    add("bookshelf", org, std::nullopt, "党建书架", a < 32 ? 10 : 9, std::string("各党支部活动室"));
  }
  return store::with_tx(db, [&](store::Conn& c) -> Status {
    return store::insert_rows(
        c, "collections",
        {"kind", "org_id", "year", "title", "quantity", "place", "created_at", "updated_at"}, rows);
  });
}

// Two 机关大课堂 needs surveys: last quarter's, closed, answered by 600
// members with its grand lecture marked held for the top need; and the next
// quarter's, open now, answered by 300 so far (member01 not yet).
Status generate_surveys(store::Db& db, const Keys& keys, Gen& g, const Tree& tree,
                        int64_t member01) {
  constexpr const char* kTopics[] = {"习近平新时代中国特色社会主义思想",
                                     "党史学习教育",
                                     "党章党规党纪",
                                     "数字政府建设",
                                     "公文写作与调查研究",
                                     "心理健康与压力调适",
                                     "优化营商环境"};
  constexpr const char* kSuggestions[] = {"希望多安排现场教学", "建议邀请基层一线同志分享",
                                          "希望课程与业务工作结合", "建议提供线上回看"};
  const std::string key = keys.subkey("survey");
  const int64_t now = now_ms(), today_days = days_from_date(today());
  const int month = std::stoi(today().substr(5, 2));
  const int64_t year = std::stoll(today().substr(0, 4));
  const int quarter = (month - 1) / 3 + 1;
  std::vector<const DemoMember*> pool;
  for (const auto& b : tree.branches) {
    for (const auto& m : b.members) {
      if (m.id != member01) pool.push_back(&m);
    }
  }
  return store::with_tx(db, [&](store::Conn& c) -> Status {
    auto survey = [&](int64_t y, int q, const std::string& opens, const std::string& closes,
                      int answers) -> Result<int64_t> {
      json::array topics;
      for (const char* t : kTopics) topics.emplace_back(t);
      DJ_ASSIGN(auto r, c.query_one("INSERT INTO needs_surveys (org_id, year, quarter, title, "
                                    "topics, max_choices, anonymous, opens_on, closes_on, "
                                    "created_at, updated_at) VALUES (?, ?, ?, ?, ?, 3, 1, ?, ?, ?, "
                                    "?) RETURNING id",
                                    {tree.root, y, int64_t{q},
                                     fmt::format("{}年第{}季度“机关大课堂”需求调查", y, q),
                                     json::serialize(topics), opens, closes, now, now}));
      const int64_t id = r.i64(0);
      std::unordered_set<int64_t> seen;
      std::vector<store::Params> rows;
      while (static_cast<int>(rows.size()) < answers) {
        const auto* m = pool[static_cast<size_t>(g.below(static_cast<int>(pool.size())))];
        if (!seen.insert(m->id).second) continue;
        // Theory and party history asked most, then the rest.
        json::array chosen;
        std::unordered_set<int> picked;
        for (int k = 0, n = 1 + g.below(3); k < n; ++k) {
          const int t = g.chance(45) ? g.below(2) : g.below(7);
          if (picked.insert(t).second) chosen.emplace_back(t);
        }
        rows.push_back(
            {id, to_hex(hmac_sha256(key, std::to_string(id) + ":" + std::to_string(m->id))),
             m->org_id, json::serialize(chosen),
             g.chance(10) ? store::Value(std::string(g.pick(kSuggestions))) : store::Value(), now});
      }
      DJ_TRY(store::insert_rows(
          c, "survey_responses",
          {"survey_id", "respondent", "org_id", "choices", "suggestion", "created_at"}, rows));
      return id;
    };
    const int64_t last_year = quarter == 1 ? year - 1 : year;
    const int last_q = quarter == 1 ? 4 : quarter - 1;
    const std::string last_start = fmt::format("{}-{:02}-01", last_year, last_q * 3 - 2);
    DJ_ASSIGN(const int64_t closed,
              survey(last_year, last_q, date_from_days(days_from_date(last_start) - 20),
                     date_from_days(days_from_date(last_start) - 6), 600));
    DJ_ASSIGN(auto lecture,
              c.query_opt("SELECT id FROM activities WHERE type = 'grand_lecture' AND held_on >= ? "
                          "AND held_on < ? AND deleted_at IS NULL ORDER BY held_on LIMIT 1",
                          {last_start, date_from_days(days_from_date(last_start) + 92)}));
    if (lecture) {
      DJ_TRY(
          c.exec("INSERT INTO survey_lectures (survey_id, topic, activity_id, created_at) VALUES "
                 "(?, 0, ?, ?)",
                 {closed, lecture->i64(0), now}));
    }
    const int64_t next_year = quarter == 4 ? year + 1 : year;
    DJ_TRY(survey(next_year, quarter == 4 ? 1 : quarter + 1, date_from_days(today_days - 3),
                  date_from_days(today_days + 10), 300));
    return {};
  });
}

// Quality works this year: 24 works of directly affiliated organizations,
// the city's 党课 video contest judged by two judge accounts (scores from
// both, never their own organization's) with its awards, and the province's
// contest where one documentary won a second prize (the seed).
Status generate_works(store::Db& db, Gen& g, const Tree& tree, const std::string& pw_hash,
                      Summary& sum) {
  constexpr const char* kKinds[] = {"party_lecture_video", "documentary", "micro_lecture"};
  constexpr const char* kTitles[] = {"初心如磐", "红色足迹",   "守望相助",     "清风正气",
                                     "奋斗者说", "边疆党旗红", "我的入党故事", "党章在我心"};
  constexpr const char* kCategory[] = {"党课视频", "党员教育专题片", "微党课"};
  const std::string year_text = today().substr(0, 4);
  const int64_t year = std::stoll(year_text), now = now_ms();
  return store::with_tx(db, [&](store::Conn& c) -> Status {
    struct Made {
      int64_t id;
      int kind;
      int64_t org;
    };
    std::vector<Made> works;
    for (int i = 0; i < 24; ++i) {
      const int kind = i % 3;
      const int64_t org = tree.affiliated[static_cast<size_t>(i * 2 % 47)].first;
      DJ_ASSIGN(auto r,
                c.query_one("INSERT INTO works (org_id, year, title, kind, authors, link, "
                            "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
                            "RETURNING id",
                            {org, year, fmt::format("{}（{}）", kTitles[i % 8], i + 1),
                             kKinds[kind], std::string("机关党委宣传组"),
                             fmt::format("https://video.example.org/works/{}", i + 1), now, now}));
      works.push_back({r.i64(0), kind, org});
    }
    // Two judges: the committee's office (no organization) and one of org40's staff.
    std::vector<int64_t> judges;
    for (const auto& [name, org] :
         {std::pair<std::string, std::optional<int64_t>>{"judge01", std::nullopt},
          {"judge02", tree.affiliated[39].first}}) {
      DJ_ASSIGN(auto r, c.query_one("INSERT INTO users (username, password_hash, role, org_id, "
                                    "must_change_password, created_at, updated_at) VALUES (?, ?, "
                                    "'inspector', ?, 0, ?, ?) RETURNING id",
                                    {name, pw_hash, org, now, now}));
      judges.push_back(r.i64(0));
      ++sum.users;
    }
    auto contest = [&](const std::string& name, const char* level) -> Result<int64_t> {
      DJ_ASSIGN(auto r,
                c.query_one(
                    "INSERT INTO contests (name, level, year, categories, criteria, "
                    "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
                    {name, level, year, std::string("[\"党课视频\",\"党员教育专题片\",\"微党课\"]"),
                     std::string("[{\"name\":\"思想性\",\"max\":40},{\"name\":\"艺术性\","
                                 "\"max\":30},{\"name\":\"技术性\",\"max\":30}]"),
                     now, now}));
      return r.i64(0);
    };
    DJ_ASSIGN(const int64_t city, contest(year_text + "年全市党员教育电视片观摩交流", "city"));
    for (int64_t j : judges) {
      DJ_TRY(c.exec("INSERT INTO contest_judges (contest_id, user_id) VALUES (?, ?)", {city, j}));
    }
    constexpr const char* kAward[] = {"first", "second", "second", "third", "third", "third"};
    for (size_t i = 0; i < 18; ++i) {
      DJ_ASSIGN(auto e, c.query_one("INSERT INTO contest_entries (contest_id, work_id, category, "
                                    "award, created_at) VALUES (?, ?, ?, ?, ?) RETURNING id",
                                    {city, works[i].id, kCategory[works[i].kind],
                                     i < 6    ? store::Value(std::string(kAward[i]))
                                     : i < 12 ? store::Value(std::string("excellence"))
                                              : store::Value(),
                                     now}));
      for (size_t j = 0; j < judges.size(); ++j) {
        // judge02 belongs to the 40th organization: never its entries.
        if (j == 1 && works[i].org == tree.affiliated[39].first) continue;
        const int64_t a = 25 + g.below(16), b = 18 + g.below(13), d = 18 + g.below(13);
        DJ_TRY(
            c.exec("INSERT INTO entry_scores (entry_id, judge_id, scores, total, updated_at) "
                   "VALUES (?, ?, ?, ?, ?)",
                   {e.i64(0), judges[j], fmt::format("[{},{},{}]", a, b, d), a + b + d, now}));
      }
    }
    DJ_ASSIGN(const int64_t province, contest(year_text + "年全省党课视频评选展播", "province"));
    DJ_TRY(
        c.exec("INSERT INTO contest_entries (contest_id, work_id, category, award, created_at) "
               "VALUES (?, ?, '党员教育专题片', 'second', ?)",
               {province, works[1].id, now}));
    return {};
  });
}

}  // namespace

// Online learning: three committee courses of link and article lessons
// (the uploaded videos come from the organizations; none ships here), two
// assignments, and the first ten directly affiliated organizations' members
// of whom about 40 % completed the first course, its hours in their ledger;
// member01 has read its first lesson and still has it to do.
Status generate_courses(store::Db& db, Gen& g, const Tree& tree, int64_t member01) {
  struct Lesson {
    const char* title;
    const char* kind;  // link or article
    const char* text;
  };
  struct Course {
    const char* title;
    const char* tag;
    int64_t hours_tenths;
    std::vector<Lesson> lessons;
  };
  const std::vector<Course> courses = {
      {"深入学习贯彻习近平新时代中国特色社会主义思想",
       "xi_thought",
       20,
       {{"学习强国：理论学习专题", "link", "https://www.xuexi.cn/"},
        {"学习强国：党史学习", "link", "https://www.xuexi.cn/"},
        {"学习体会：以学铸魂、以学增智", "article",
         "以学铸魂，就是要坚定理想信念；以学增智，就是要提高履职本领。\n请结合本职工作，"
         "谈谈学习后的体会。"}}},
      {"党史学习教育专题",
       "party_history",
       15,
       {{"中国共产党的创立", "article", "1921年7月，中国共产党第一次全国代表大会召开。"},
        {"遵义会议", "article", "1935年1月，中共中央在遵义召开政治局扩大会议。"},
        {"新时代的伟大变革", "article", "党的十八大以来，中国特色社会主义进入新时代。"}}},
      {"廉洁自律准则解读",
       "integrity",
       10,
       {{"准则的主要内容", "article", "《中国共产党廉洁自律准则》坚持正面倡导、重在立德。"},
        {"警示教育", "article", "以案为鉴、以案促改，筑牢拒腐防变的思想防线。"}}},
  };
  const int64_t now = now_ms();
  const std::string year = today().substr(0, 4);
  return store::with_tx(db, [&](store::Conn& c) -> Status {
    std::vector<int64_t> course_ids, first_lessons;
    std::vector<std::vector<int64_t>> lesson_ids;
    for (const auto& k : courses) {
      DJ_ASSIGN(auto row, c.query_one("INSERT INTO courses (org_id, title, tags, hours_tenths, "
                                      "status, created_at, updated_at) VALUES (?, ?, ?, ?, "
                                      "'published', ?, ?) RETURNING id",
                                      {tree.root, k.title, fmt::format("[\"{}\"]", k.tag),
                                       k.hours_tenths, now, now}));
      course_ids.push_back(row.i64(0));
      lesson_ids.emplace_back();
      int position = 0;
      for (const auto& l : k.lessons) {
        const bool link = std::string_view(l.kind) == "link";
        DJ_ASSIGN(auto lr,
                  c.query_one("INSERT INTO lessons (course_id, chapter, title, kind, position, "
                              "body, url, created_at, updated_at) VALUES (?, '', ?, ?, ?, ?, ?, ?, "
                              "?) RETURNING id",
                              {row.i64(0), l.title, l.kind, ++position,
                               link ? store::Value() : store::Value(l.text),
                               link ? store::Value(l.text) : store::Value(), now, now}));
        lesson_ids.back().push_back(lr.i64(0));
      }
    }
    DJ_TRY(
        c.exec("INSERT INTO course_assignments (course_id, org_id, target_groups, due_on, "
               "created_at) VALUES (?, ?, '[]', ?, ?)",
               {course_ids[0], tree.root, year + "-12-31", now}));
    DJ_TRY(
        c.exec("INSERT INTO course_assignments (course_id, org_id, target_groups, due_on, "
               "created_at) VALUES (?, ?, '[\"leading_cadres\"]', ?, ?)",
               {course_ids[2], tree.affiliated[0].first,
                date_from_days(days_from_date(today()) + 14), now}));
    // Completions of the first course, each lesson read to its end.
    std::vector<store::Params> progress;
    for (const auto& b : tree.branches) {
      if (b.affiliated >= 10) continue;
      for (const auto& m : b.members) {
        if (m.retired || m.id == member01 || !g.chance(40)) continue;
        const int64_t at = now - g.below(60) * 86400000LL;
        for (int64_t lesson : lesson_ids[0]) progress.push_back({m.id, lesson, "[]", 0, 0, at, at});
        DJ_ASSIGN(auto cc, c.query_one("INSERT INTO course_completions (member_id, course_id, "
                                       "hours_tenths, completed_at) VALUES (?, ?, ?, ?) "
                                       "RETURNING id",
                                       {m.id, course_ids[0], courses[0].hours_tenths, at}));
        const std::string on = date_from_days(days_from_date(today()) - (now - at) / 86400000LL);
        DJ_TRY(ledger::post(c, "online", cc.i64(0), courses[0].title,
                            {{m.id, on, courses[0].hours_tenths}}));
      }
    }
    progress.push_back({member01, lesson_ids[0][0], "[]", 0, 0, now, now});
    return store::insert_rows(c, "lesson_progress",
                              {"member_id", "lesson_id", "intervals", "watched_ms", "position_ms",
                               "reported_at", "completed_at"},
                              progress);
  });
}

Result<Summary> generate(store::Db& db, const Keys& keys, const Options& opt) {
  const Params params =
      opt.scale == Scale::city ? Params{47, 900, 5500} : Params{1500, 148000, 2000000};
  Gen g(opt.seed);
  Summary sum;
  const int64_t now = now_ms();
  const int64_t today_days = days_from_date(today());
  member::MemberService members(db, keys, {});
  const std::string pw_hash = hash_password(kDemoPassword);

  DJ_ASSIGN(auto existing, store::with_conn(db, [](store::Conn& c) {
              return c.query_one("SELECT COUNT(*) FROM orgs");
            }));
  if (existing.i64(0) > 0) return Error::conflict("the database already holds organizations");

  auto add_org = [&](store::Conn& c, std::optional<int64_t> parent, const std::string& parent_path,
                     int depth, const std::string& code, const std::string& name,
                     const char* type) -> Result<std::pair<int64_t, std::string>> {
    DJ_ASSIGN(auto r, c.query_one("INSERT INTO orgs (parent_id, path, depth, code, name, type, "
                                  "founded_on, created_at, updated_at) VALUES "
                                  "(?, '', ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                                  {parent, depth, code, name, type,
                                   date_from_days(today_days - 3650 - g.below(7000)), now, now}));
    const int64_t id = r.i64(0);
    std::string path = parent_path + std::to_string(id) + "/";
    DJ_TRY(c.exec("UPDATE orgs SET path = ? WHERE id = ?", {path, id}));
    ++sum.orgs;
    return std::pair{id, path};
  };
  auto add_user = [&](store::Conn& c, const std::string& username, const char* role,
                      std::optional<int64_t> org_id, std::optional<int64_t> member_id) -> Status {
    DJ_TRY(
        c.exec("INSERT INTO users (username, password_hash, role, org_id, member_id, "
               "must_change_password, created_at, updated_at) VALUES (?, ?, ?, ?, ?, 0, ?, ?)",
               {username, pw_hash, role, org_id, member_id, now, now}));
    ++sum.users;
    return {};
  };

  // The tree and the accounts, in one transaction.
  Tree tree;  // branches in creation order
  DJ_TRY(store::with_tx(db, [&](store::Conn& c) -> Status {
    DJ_ASSIGN(auto root, add_org(c, std::nullopt, "/", 0, "KMGW", "中共昆明市委市直机关工作委员会",
                                 "committee"));
    tree.root = root.first;
    DJ_TRY(add_user(c, "admin", "committee_admin", root.first, std::nullopt));
    DJ_TRY(add_user(c, "auditor", "auditor", root.first, std::nullopt));
    DJ_TRY(add_user(c, "inspector", "inspector", root.first, std::nullopt));
    int branches_left = params.branches;
    for (int a = 0; a < params.affiliated; ++a) {
      const std::string organ = a < static_cast<int>(std::size(kOrgans))
                                    ? kOrgans[a]
                                    : fmt::format("{}{}", g.pick(kOrgans), a + 1);
      const bool general = a % 4 == 3;
      DJ_ASSIGN(auto aff, add_org(c, root.first, root.second, 1, fmt::format("KMGW-{:03}", a + 1),
                                  organ + (general ? "机关党总支" : "机关党委"),
                                  general ? "general_branch" : "party_committee"));
      DJ_TRY(add_user(c, fmt::format("org{:02}", a + 1), "org_admin", aff.first, std::nullopt));
      tree.affiliated.push_back({aff.first, !general});
      const int remaining_orgs = params.affiliated - a;
      const int avg = branches_left / remaining_orgs;
      int n = a + 1 == params.affiliated ? branches_left
                                         : std::max(3, avg / 2 + g.below(std::max(1, avg + 1)));
      n = std::min(n, branches_left - (remaining_orgs - 1) * 3);
      branches_left -= n;
      for (int b = 0; b < n; ++b) {
        const std::string unit = b < static_cast<int>(std::size(kUnits))
                                     ? std::string(kUnits[b]) + "党支部"
                                     : fmt::format("第{}党支部", b + 1);
        DJ_ASSIGN(auto br, add_org(c, aff.first, aff.second, 2,
                                   fmt::format("KMGW-{:03}-{:03}", a + 1, b + 1), unit, "branch"));
        tree.branches.push_back({br.first, a, {}, {}});
        if (g.chance(20)) {
          const int groups = 2 + g.below(2);
          for (int k = 0; k < groups; ++k) {
            DJ_ASSIGN(auto gr, add_org(c, br.first, br.second, 3,
                                       fmt::format("KMGW-{:03}-{:03}-{}", a + 1, b + 1, k + 1),
                                       fmt::format("第{}党小组", k + 1), "group"));
            tree.branches.back().groups.push_back(gr.first);
          }
        }
      }
    }
    return {};
  }));

  // Members, streamed in batches of one transaction each.
  const int per_branch = params.members / static_cast<int>(tree.branches.size());
  int64_t serial = 0;
  std::unordered_set<std::string> used_ids;
  int64_t member_account = 0;
  const size_t batch = 2000;
  for (size_t start = 0; start < tree.branches.size();) {
    size_t end = start;
    int64_t in_batch = 0;
    DJ_TRY(store::with_tx(db, [&](store::Conn& c) -> Status {
      for (end = start; end < tree.branches.size() && in_batch < static_cast<int64_t>(batch);
           ++end) {
        const bool last = end + 1 == tree.branches.size();
        int n = last ? static_cast<int>(params.members - serial)
                     : std::max(3, per_branch - 3 + g.below(7));
        n = std::max(1, std::min<int>(n, static_cast<int>(params.members - serial) -
                                             static_cast<int>(tree.branches.size() - end - 1)));
        for (int i = 0; i < n; ++i) {
          member::MemberInput in;
          const auto& groups = tree.branches[end].groups;
          in.org_id = groups.empty() || i < 3 ? tree.branches[end].id : groups[i % groups.size()];
          const bool male = g.chance(58);
          std::string name = std::string(g.pick(kSurnames)) + g.pick(kGiven);
          if (g.chance(40)) name += g.pick(kGiven);
          in.name = name;
          const bool retired = g.chance(10);
          const int age = retired ? 61 + g.below(25) : 24 + g.below(36);
          const std::string birth = date_from_days(today_days - age * 365 - g.below(365));
          in.citizen_id = citizen_id(g, birth, male, used_ids);
          in.ethnicity = g.pick(kEthnicities);
          in.education = g.pick(kEducation);
          in.phone =
              fmt::format("1{}{:09}", 3 + g.below(7), (serial * 7919 + 1234567) % 1000000000);
          const int roll = g.below(100);
          in.political_status = roll < 90   ? "full"
                                : roll < 94 ? "probationary"
                                : roll < 96 ? "development_target"
                                : roll < 98 ? "activist"
                                            : "applicant";
          const bool in_party =
              *in.political_status == "full" || *in.political_status == "probationary";
          if (in_party) {
            const int64_t earliest = days_from_date(birth) + 18 * 365;
            int64_t joined = *in.political_status == "probationary"
                                 ? today_days - 30 - g.below(330)
                                 : earliest + g.below(static_cast<int>(std::max<int64_t>(
                                                  1, today_days - 400 - earliest)));
            if (*in.political_status == "full" && g.chance(4))
              joined = today_days - 380 - g.below(60);
            in.joined_on = date_from_days(joined);
            if (*in.political_status == "full") in.full_member_on = date_from_days(joined + 365);
          }
          in.retired = retired;
          in.infirm = retired && g.chance(30);
          in.cadre_rank = retired        ? "none"
                          : g.chance(6)  ? "division"
                          : g.chance(1)  ? "bureau"
                          : g.chance(30) ? "section"
                                         : "staff";
          in.post = i == 0   ? "secretary"
                    : i == 1 ? "deputy_secretary"
                    : i == 2 ? "committee_member"
                    : (!groups.empty() && i < 3 + static_cast<int>(groups.size())) ? "group_leader"
                                                                                   : "none";
          if (!in_party && *in.post != "none") in.political_status = "full";
          if (!in.joined_on && *in.political_status == "full") {
            const int64_t joined = std::min(days_from_date(birth) + 22 * 365, today_days - 400);
            in.joined_on = date_from_days(joined);
            in.full_member_on = date_from_days(joined + 365);
          }
          in.party_worker = *in.post == "secretary" || g.chance(5);
          in.tags.emplace();
          DJ_TRY(member::MemberService::validate(in));
          DJ_ASSIGN(const int64_t id, members.insert(c, in, std::nullopt));
          if (*in.political_status == "full" || *in.political_status == "probationary") {
            tree.branches[end].members.push_back(
                {id, *in.org_id, *in.joined_on, member::is_leading_cadre(*in.cadre_rank),
                 *in.post == "secretary",
                 *in.post == "secretary" || *in.post == "deputy_secretary" ||
                     *in.post == "committee_member",
                 retired});
          }
          if (member_account == 0 && !retired && *in.post == "none") {
            member_account = id;
            DJ_TRY(add_user(c, "member01", "member", *in.org_id, id));
          }
          ++serial;
          ++in_batch;
          ++sum.members;
        }
      }
      return {};
    }));
    start = end;
    if (opt.scale == Scale::province) spdlog::info("demo: {} members", sum.members);
  }
  if (opt.scale == Scale::city) {
    DJ_ASSIGN(sum.activities, generate_activities(db, g, tree));
    DJ_TRY(generate_matters(db, g, tree));
    DJ_TRY(generate_communities(db, g, tree, member_account, pw_hash, sum));
    DJ_TRY(generate_model_plans(db, g, tree));
    DJ_TRY(generate_venues(db, g, tree));
    DJ_TRY(generate_lecturers(db, keys, g, tree));
    DJ_TRY(generate_funds(db, g, tree));
    DJ_TRY(generate_collections(db, g, tree));
    DJ_TRY(generate_surveys(db, keys, g, tree, member_account));
    DJ_TRY(generate_works(db, g, tree, pw_hash, sum));
    DJ_TRY(generate_courses(db, g, tree, member_account));
  }
  DJ_TRY(audit::record_now(db, {std::nullopt, "dangjiao demo", "", "cli demo"},
                           {"demo.generate",
                            "",
                            "",
                            "",
                            {},
                            boost::json::object{{"orgs", sum.orgs},
                                                {"members", sum.members},
                                                {"users", sum.users},
                                                {"activities", sum.activities}}}));
  return sum;
}

}  // namespace dj::demo
