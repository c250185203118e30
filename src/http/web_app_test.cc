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

TEST_F(WebAppTest, AMissingBuildIsAClearError) {
  std::filesystem::remove(dir_ / "index.html");
  auto app = WebApp::load(dir_);
  ASSERT_FALSE(app);
  EXPECT_NE(app.error().message.find("index.html"), std::string::npos);
}

}  // namespace
}  // namespace dj::http
