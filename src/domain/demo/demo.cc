#include "domain/demo/demo.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <random>
#include <unordered_set>
#include <vector>

#include "common/time.h"
#include "domain/audit/audit.h"
#include "domain/member/citizen_id.h"
#include "domain/member/member.h"

namespace dj::demo {
namespace {

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

}  // namespace

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
  std::vector<int64_t> branch_ids;  // branches in creation order
  std::vector<std::vector<int64_t>> branch_groups;
  DJ_TRY(store::with_tx(db, [&](store::Conn& c) -> Status {
    DJ_ASSIGN(auto root, add_org(c, std::nullopt, "/", 0, "KMGW", "中共昆明市委市直机关工作委员会",
                                 "committee"));
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
        branch_ids.push_back(br.first);
        branch_groups.emplace_back();
        if (g.chance(20)) {
          const int groups = 2 + g.below(2);
          for (int k = 0; k < groups; ++k) {
            DJ_ASSIGN(auto gr, add_org(c, br.first, br.second, 3,
                                       fmt::format("KMGW-{:03}-{:03}-{}", a + 1, b + 1, k + 1),
                                       fmt::format("第{}党小组", k + 1), "group"));
            branch_groups.back().push_back(gr.first);
          }
        }
      }
    }
    return {};
  }));

  // Members, streamed in batches of one transaction each.
  const int per_branch = params.members / static_cast<int>(branch_ids.size());
  int64_t serial = 0;
  std::unordered_set<std::string> used_ids;
  int64_t member_account = 0;
  const size_t batch = 2000;
  for (size_t start = 0; start < branch_ids.size();) {
    size_t end = start;
    int64_t in_batch = 0;
    DJ_TRY(store::with_tx(db, [&](store::Conn& c) -> Status {
      for (end = start; end < branch_ids.size() && in_batch < static_cast<int64_t>(batch); ++end) {
        const bool last = end + 1 == branch_ids.size();
        int n = last ? static_cast<int>(params.members - serial)
                     : std::max(3, per_branch - 3 + g.below(7));
        n = std::max(1, std::min<int>(n, static_cast<int>(params.members - serial) -
                                             static_cast<int>(branch_ids.size() - end - 1)));
        for (int i = 0; i < n; ++i) {
          member::MemberInput in;
          const auto& groups = branch_groups[end];
          in.org_id = groups.empty() || i < 3 ? branch_ids[end] : groups[i % groups.size()];
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
  DJ_TRY(audit::record_now(
      db, {std::nullopt, "dangjiao demo", "", "cli demo"},
      {"demo.generate",
       "",
       "",
       "",
       {},
       boost::json::object{{"orgs", sum.orgs}, {"members", sum.members}, {"users", sum.users}}}));
  return sum;
}

}  // namespace dj::demo
