#include "domain/member/roster.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <set>

#include "common/tabular.h"
#include "domain/audit/audit.h"
#include "domain/member/citizen_id.h"
#include "domain/org/org.h"
#include "domain/testing_principal.h"
#include "store/testing.h"

namespace dj::member {
namespace {

std::string make_id(const std::string& first17) {
  return first17 + citizen_id_check_digit(first17);
}

class RosterTest : public store::DbTest {
 protected:
  void SetUp() override {
    DbTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;  // no database
    orgs_ = std::make_unique<org::OrgService>(db());
    members_ = std::make_unique<MemberService>(db(), keys_, MemberConfig{});
    roster_ = std::make_unique<RosterService>(db(), *members_);
    auto mk = [&](std::optional<int64_t> parent, const char* code, const char* name,
                  const char* type) {
      org::OrgInput in;
      in.parent_id = parent;
      in.code = code;
      in.name = name;
      in.type = type;
      return *orgs_->create(admin_, in);
    };
    root_ = mk({}, "R", "机关工委", "committee");
    pc_ = mk(root_.id, "R-1", "发改委机关党委", "party_committee");
    a_ = mk(pc_.id, "R-1-1", "办公室党支部", "branch");
    b_ = mk(root_.id, "R-2", "财政局党支部", "branch");
  }
  int64_t count_members() {
    return store::with_conn(
               db(), [](store::Conn& c) { return c.query_one("SELECT COUNT(*) FROM members", {}); })
        ->i64(0);
  }
  Result<ImportReport> run(const std::string& csv, bool commit,
                           ImportMode mode = ImportMode::all_or_nothing,
                           const auth::Principal* who = nullptr) {
    ImportOptions opt;
    opt.commit = commit;
    opt.mode = mode;
    opt.filename = "test.csv";
    return roster_->import(who ? *who : admin_, csv, opt);
  }
  Keys keys_ = Keys::from_master(std::string(32, 'k'));
  auth::Principal admin_ = testing::committee_admin();
  std::unique_ptr<org::OrgService> orgs_;
  std::unique_ptr<MemberService> members_;
  std::unique_ptr<RosterService> roster_;
  org::Org root_, pc_, a_, b_;
  const std::string id1_ = make_id("53010219900101123");
  const std::string id2_ = make_id("53010219910202124");
  const std::string id3_ = make_id("53010219920303125");
};

TEST_P(RosterTest, DryRunCommitAndTheSameFileAgain) {
  const std::string csv =
      "姓名,身份证号,人员类别,入党日期,所在党组织,离退休,手机号\n"
      "张三," +
      id1_ +
      ",正式党员,2015-07-01,R-1-1,否,13812345678\n"
      "李四," +
      id2_ +
      ",预备党员,2026年1月5日,机关工委/发改委机关党委/办公室党支部,是,\n"
      "王五," +
      id3_ + ",发展对象,,财政局党支部,,\n";
  auto dry = run(csv, false);
  ASSERT_TRUE(dry) << dry.error().message;
  EXPECT_EQ(dry->rows, 3u);
  EXPECT_EQ(dry->created, 3u);
  EXPECT_FALSE(dry->committed);
  EXPECT_EQ(count_members(), 0);
  auto first = run(csv, true);
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_TRUE(first->committed);
  EXPECT_EQ(first->created, 3u);
  EXPECT_EQ(count_members(), 3);
  auto found = store::with_conn(db(), [&](store::Conn& c) {
    return members_->find_by_citizen_ids(c, {id1_, id2_, id3_});
  });
  ASSERT_TRUE(found);
  EXPECT_EQ(found->at(id1_).org_id, a_.id);
  EXPECT_EQ(found->at(id2_).org_id, a_.id);  // by name path
  EXPECT_EQ(found->at(id3_).org_id, b_.id);  // by a unique name
  EXPECT_EQ(found->at(id2_).joined_on, "2026-01-05");
  EXPECT_TRUE(found->at(id2_).retired);
  EXPECT_EQ(found->at(id1_).phone, "13812345678");
  auto again = run(csv, true);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->created, 0u);
  EXPECT_EQ(again->updated, 0u);
  EXPECT_EQ(again->unchanged, 3u);
  EXPECT_EQ(count_members(), 3);
  // A changed phone updates that one member; a new organization moves him, with history.
  std::string changed = csv;
  changed.replace(changed.find("13812345678"), 11, "13912345678");
  changed.replace(changed.find("R-1-1"), 5, "R-2");
  auto upd = run(changed, true);
  ASSERT_TRUE(upd);
  EXPECT_EQ(upd->updated, 1u);
  EXPECT_EQ(upd->unchanged, 2u);
  auto after = store::with_conn(
      db(), [&](store::Conn& c) { return members_->find_by_citizen_ids(c, {id1_}); });
  EXPECT_EQ(after->at(id1_).phone, "13912345678");
  EXPECT_EQ(after->at(id1_).org_id, b_.id);
  auto imports = store::with_conn(db(), [](store::Conn& c) {
    return c.query_one("SELECT COUNT(*) FROM audit_log WHERE action = 'member.import'", {});
  });
  EXPECT_EQ(imports->i64(0), 3);  // one record an import, not one a row
}

TEST_P(RosterTest, AHalfValidFileChangesNothingUnlessValidRowsAreAskedFor) {
  const std::string csv =
      "姓名,身份证号,人员类别,入党日期,所在党组织\n"
      "张三," +
      id1_ +
      ",正式党员,2015-07-01,R-1-1\n"
      "坏行,530102199001011230,正式党员,2015-07-01,R-1-1\n"
      "重复," +
      id1_ +
      ",正式党员,2015-07-01,R-1-1\n"
      "李四," +
      id2_ +
      ",正式党员,15/07/2015,R-1-1\n"
      "王五," +
      id3_ + ",党员,2015-07-01,不存在的支部\n";
  auto all = run(csv, true);
  ASSERT_TRUE(all);
  EXPECT_FALSE(all->committed);
  EXPECT_EQ(count_members(), 0);
  EXPECT_EQ(all->valid, 1u);
  std::map<size_t, std::string> codes;
  for (const auto& p : all->problems) codes[p.row] += p.code + " ";
  EXPECT_EQ(codes[3], "invalid ");
  EXPECT_EQ(codes[4], "duplicate ");
  EXPECT_EQ(codes[5], "date ");
  EXPECT_EQ(codes[6], "unknown_code unknown_org ");
  for (const auto& p : all->problems) {
    if (p.row == 3) {
      EXPECT_EQ(p.message, "第3行「身份证号」校验位错误：应为1，表中为0");
    }
  }
  auto some = run(csv, true, ImportMode::valid_rows);
  ASSERT_TRUE(some);
  EXPECT_TRUE(some->committed);
  EXPECT_EQ(some->created, 1u);
  EXPECT_EQ(count_members(), 1);
}

TEST_P(RosterTest, AnOrganizationOutsideTheCallersSubtreeIsRefused) {
  const auto branch_admin = testing::scoped(auth::Role::org_admin, a_.path);
  const std::string csv =
      "姓名,身份证号,人员类别,入党日期,所在党组织\n"
      "张三," +
      id1_ + ",正式党员,2015-07-01,R-2\n";
  auto r = run(csv, true, ImportMode::all_or_nothing, &branch_admin);
  ASSERT_TRUE(r);
  ASSERT_EQ(r->problems.size(), 1u);
  EXPECT_EQ(r->problems[0].code, "outside_scope");
  EXPECT_EQ(count_members(), 0);
  // A member already kept elsewhere cannot be taken over by a file.
  ASSERT_TRUE(
      run("姓名,身份证号,人员类别,入党日期,所在党组织\n张三," + id2_ + ",正式党员,2015-07-01,R-2\n",
          true));
  auto taken = run(
      "姓名,身份证号,人员类别,入党日期,所在党组织\n张三," + id2_ + ",正式党员,2015-07-01,R-1-1\n",
      true, ImportMode::all_or_nothing, &branch_admin);
  ASSERT_TRUE(taken);
  ASSERT_FALSE(taken->problems.empty());
  EXPECT_EQ(taken->problems[0].code, "taken_elsewhere");
}

TEST_P(RosterTest, HeadersMustBeKnownAndComplete) {
  auto unknown = run("姓名,身份证号,人员类别,所在党组织,籍贯\n", false);
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().fields.at(0).code, "unknown_header");
  auto missing = run("姓名,人员类别,所在党组织\n张三,正式党员,R-2\n", false);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().fields.at(0).code, "missing_headers");
  EXPECT_NE(missing.error().message.find("身份证号"), std::string::npos);
  auto english =
      run("name,citizen_id,political_status,joined_on,org\n张三," + id1_ + ",full,2015-07-01,R-2\n",
          false);
  ASSERT_TRUE(english) << english.error().message;
  EXPECT_EQ(english->valid, 1u);
}

TEST_P(RosterTest, ExportsWhatItImportsMaskedUnlessFullIsAskedWithPermission) {
  ASSERT_TRUE(run("姓名,身份证号,人员类别,入党日期,所在党组织,手机号\n张三," + id1_ +
                      ",正式党员,2015-07-01,R-1-1,13812345678\n",
                  true));
  auto rows_of = [&](const auth::Principal& who, ExportLayout layout, bool full_pii) {
    std::vector<std::vector<std::string>> rows;
    EXPECT_TRUE(roster_->export_rows(who, {}, layout, full_pii, [&](std::vector<std::string>& r) {
      rows.push_back(r);
      return Status{};
    }));
    return rows;
  };
  EXPECT_EQ(rows_of(admin_, ExportLayout::roster, false).at(0)[5], mask_citizen_id(id1_));
  const auto full = rows_of(admin_, ExportLayout::roster, true);
  ASSERT_EQ(full.size(), 1u);
  EXPECT_EQ(full[0][5], id1_);
  EXPECT_EQ(full[0][11], "机关工委/发改委机关党委/办公室党支部");
  EXPECT_EQ(full[0][9], "正式党员");
  const auto reader = testing::scoped(auth::Role::org_admin, pc_.path);
  const auto masked = rows_of(reader, ExportLayout::national, false);
  ASSERT_EQ(masked.size(), 1u);
  EXPECT_EQ(masked[0][3], mask_citizen_id(id1_));
  auto refused = roster_->export_rows(reader, {}, ExportLayout::national, true,
                                      [](std::vector<std::string>&) { return Status{}; });
  EXPECT_EQ(refused.error().code, ErrorCode::forbidden);
  EXPECT_EQ(export_columns(ExportLayout::national).header[3], "公民身份号码");
  // The export, as CSV, imports again without changing anything.
  const auto& header = export_columns(ExportLayout::roster).header;
  std::string csv;
  for (size_t i = 0; i < header.size(); ++i) csv += (i ? "," : "") + header[i];
  csv += "\n";
  for (size_t i = 0; i < full[0].size(); ++i) csv += (i ? "," : "") + full[0][i];
  auto again = run(csv, true);
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_EQ(again->unchanged, 1u) << (again->problems.empty() ? "" : again->problems[0].message);
}

TEST_P(RosterTest, ExportsManyMembersInBatchesEachOnce) {
  std::string many = "姓名,身份证号,人员类别,入党日期,所在党组织\n";
  for (int i = 0; i < 4500; ++i) {
    many += fmt::format(
        "批量{},{},正式党员,2015-07-01,{}\n", i,
        make_id(fmt::format("5301021980{:02d}{:02d}{:03d}", 1 + i / 1000, 1 + i % 28, i % 1000)),
        i % 2 ? "R-1-1" : "R-2");
  }
  auto big = run(many, true);
  ASSERT_TRUE(big);
  ASSERT_TRUE(big->committed) << (big->problems.empty() ? "" : big->problems[0].message);
  std::vector<std::string> ids;
  ASSERT_TRUE(roster_->export_rows(admin_, {}, ExportLayout::national, true,
                                   [&](std::vector<std::string>& r) {
                                     ids.push_back(r[3]);
                                     return Status{};
                                   }));
  EXPECT_EQ(ids.size(), 4500u);
  EXPECT_EQ(std::set<std::string>(ids.begin(), ids.end()).size(), 4500u);
}

DJ_INSTANTIATE_BACKENDS(RosterTest);

}  // namespace
}  // namespace dj::member
