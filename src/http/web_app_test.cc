#include "http/web_app.h"

#include <gtest/gtest.h>

#include <fstream>

namespace dj::http {
namespace {

class WebAppTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("dj-web-" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_ / "assets");
    write("index.html", "<!doctype html><div id=app></div>");
    write("assets/app-1a2b.js", "console.log(1)");
    write("assets/app-1a2b.js.gz", "GZ");
    write("assets/app-1a2b.js.br", "BR");
    write("favicon.svg", "<svg/>");
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  void write(const std::string& name, const std::string& body) {
    std::ofstream(dir_ / name, std::ios::binary) << body;
  }
  static Request get(std::string path, std::vector<std::pair<std::string, std::string>> h = {}) {
    Request r;
    r.method = "GET";
    r.path = std::move(path);
    r.headers = std::move(h);
    return r;
  }
  static std::string header(const Response& r, const std::string& name) {
    for (const auto& [k, v] : r.headers)
      if (k == name) return v;
    return "";
  }
  std::filesystem::path dir_;
};

TEST_F(WebAppTest, ServesThePrecompressedVariantTheClientAccepts) {
  auto app = WebApp::load(dir_);
  ASSERT_TRUE(app);
  auto br = app->serve(get("/assets/app-1a2b.js", {{"accept-encoding", "gzip, deflate, br"}}));
  ASSERT_TRUE(br);
  EXPECT_EQ(br->body, "BR");
  EXPECT_EQ(header(*br, "Content-Encoding"), "br");
  EXPECT_EQ(header(*br, "Cache-Control"), "public, max-age=31536000, immutable");
  EXPECT_EQ(br->content_type, "text/javascript; charset=utf-8");
  auto gz = app->serve(get("/assets/app-1a2b.js", {{"accept-encoding", "gzip, br;q=0"}}));
  EXPECT_EQ(gz->body, "GZ");
  auto plain = app->serve(get("/assets/app-1a2b.js"));
  EXPECT_EQ(plain->body, "console.log(1)");
  auto head = get("/assets/app-1a2b.js");
  head.method = "HEAD";  // answered as GET; the server drops the body
  ASSERT_TRUE(app->serve(head));
  EXPECT_EQ(app->serve(head)->body, "console.log(1)");
  EXPECT_EQ(header(*plain, "Content-Encoding"), "");
  EXPECT_EQ(header(*plain, "Vary"), "Accept-Encoding");
}

TEST_F(WebAppTest, ClientRoutesGetTheIndexOnlyForBrowserNavigations) {
  auto app = WebApp::load(dir_);
  ASSERT_TRUE(app);
  auto root = app->serve(get("/"));
  ASSERT_TRUE(root);
  EXPECT_EQ(header(*root, "Cache-Control"), "no-cache");
  auto page = app->serve(get("/checkin", {{"accept", "text/html,application/xhtml+xml"}}));
  ASSERT_TRUE(page);
  EXPECT_EQ(page->body, "<!doctype html><div id=app></div>");
  EXPECT_FALSE(header(*page, "Content-Security-Policy").empty());
  // A script asking for JSON, the API, and missing assets are the router's.
  EXPECT_FALSE(app->serve(get("/verify/DJ2026-X", {{"accept", "application/json"}})));
  EXPECT_FALSE(app->serve(get("/api/v1/members", {{"accept", "text/html"}})));
  EXPECT_FALSE(app->serve(get("/metrics", {{"accept", "text/html"}})));
  EXPECT_FALSE(app->serve(get("/assets/gone-9z.js", {{"accept", "text/html"}})));
  auto post = get("/");
  post.method = "POST";
  EXPECT_FALSE(app->serve(post));
}

TEST_F(WebAppTest, EachVariantHasAnETagAndARevalidationAnswers304) {
  auto app = WebApp::load(dir_);
  ASSERT_TRUE(app);
  auto plain = app->serve(get("/assets/app-1a2b.js"));
  auto gz = app->serve(get("/assets/app-1a2b.js", {{"accept-encoding", "gzip"}}));
  const std::string tag = header(*plain, "ETag");
  ASSERT_EQ(tag.size(), 22u);
  EXPECT_EQ(tag.front(), '"');
  EXPECT_NE(header(*gz, "ETag"), tag);  // another representation, another tag
  auto again = app->serve(get("/assets/app-1a2b.js", {{"if-none-match", "\"x\", " + tag}}));
  EXPECT_EQ(again->status, 304);
  EXPECT_EQ(again->body, "");
  EXPECT_EQ(header(*again, "ETag"), tag);
  auto weak = app->serve(get("/assets/app-1a2b.js", {{"if-none-match", "W/" + tag}}));
  EXPECT_EQ(weak->status, 304);
  auto other = app->serve(get("/assets/app-1a2b.js", {{"if-none-match", "\"stale\""}}));
  EXPECT_EQ(other->status, 200);
  EXPECT_EQ(other->body, "console.log(1)");
  // The gzip variant's tag does not revalidate the plain one.
  auto cross = app->serve(get("/assets/app-1a2b.js", {{"if-none-match", header(*gz, "ETag")}}));
  EXPECT_EQ(cross->status, 200);
}

TEST_F(WebAppTest, ASingleByteRangeIsServedFromTheUncompressedFile) {
  auto app = WebApp::load(dir_);
  ASSERT_TRUE(app);
  auto range = [&](std::string h) {
    return *app->serve(get("/assets/app-1a2b.js", {{"range", h}, {"accept-encoding", "gzip"}}));
  };
  auto r = range("bytes=0-6");  // "console.log(1)": 14 bytes
  EXPECT_EQ(r.status, 206);
  EXPECT_EQ(r.body, "console");
  EXPECT_EQ(header(r, "Content-Range"), "bytes 0-6/14");
  EXPECT_EQ(header(r, "Content-Encoding"), "");
  EXPECT_EQ(range("bytes=8-").body, "log(1)");
  EXPECT_EQ(range("bytes=-3").body, "(1)");
  EXPECT_EQ(range("bytes=10-999").body, "g(1)");
  auto past = range("bytes=14-20");
  EXPECT_EQ(past.status, 416);
  EXPECT_EQ(header(past, "Content-Range"), "bytes */14");
  EXPECT_EQ(range("bytes=0-1,4-5").status, 200);  // several ranges: the whole file
  EXPECT_EQ(range("bytes=5-2").status, 200);      // not a valid range: ignored
  EXPECT_EQ(range("items=0-1").status, 200);
  auto tag = header(*app->serve(get("/assets/app-1a2b.js")), "ETag");
  auto same = app->serve(get("/assets/app-1a2b.js", {{"range", "bytes=0-0"}, {"if-range", tag}}));
  EXPECT_EQ(same->status, 206);
  auto changed =
      app->serve(get("/assets/app-1a2b.js", {{"range", "bytes=0-0"}, {"if-range", "\"old\""}}));
  EXPECT_EQ(changed->status, 200);
  EXPECT_EQ(header(*changed, "Accept-Ranges"), "bytes");
}

TEST_F(WebAppTest, AMissingBuildIsAClearError) {
  std::filesystem::remove(dir_ / "index.html");
  auto app = WebApp::load(dir_);
  ASSERT_FALSE(app);
  EXPECT_NE(app.error().message.find("index.html"), std::string::npos);
}

}  // namespace
}  // namespace dj::http
