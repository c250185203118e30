#include "store/blobs.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/crypto.h"
#include "common/validate.h"

namespace dj::store {

namespace {

std::filesystem::path blob_path(const std::string& dir, const std::string& sha) {
  return std::filesystem::path(dir) / sha.substr(0, 2) / sha;
}

}  // namespace

std::optional<std::string> sniff_type(std::string_view b) {
  if (b.size() >= 3 && b.substr(0, 3) == "\xFF\xD8\xFF") return "image/jpeg";
  if (b.size() >= 8 && b.substr(0, 8) == std::string_view("\x89PNG\r\n\x1A\n", 8))
    return "image/png";
  if (b.size() >= 5 && b.substr(0, 5) == "%PDF-") return "application/pdf";
  return std::nullopt;
}

Status check_upload(const std::string& claimed_type, const std::string& filename,
                    const std::string& bytes, size_t max_bytes) {
  if (bytes.size() > max_bytes) {
    return Error{ErrorCode::too_large,
                 "attachments are at most " + std::to_string(max_bytes) + " bytes",
                 {{"file", "too_large", "the file is too large"}}};
  }
  Validator v;
  v.text("filename", filename.empty() ? std::nullopt : std::optional<std::string>(filename), 200);
  if (filename.find('/') != std::string::npos || filename.find('\\') != std::string::npos) {
    v.add("filename", "format", "must be a plain file name");
  }
  const auto actual = sniff_type(bytes);
  if (claimed_type != "image/jpeg" && claimed_type != "image/png" &&
      claimed_type != "application/pdf") {
    v.add("Content-Type", "unsupported", "send image/jpeg, image/png or application/pdf");
  } else if (!actual || *actual != claimed_type) {
    v.add("file", "type_mismatch", "the content is not " + claimed_type);
  }
  return v.status();
}

Status put_blob(const std::string& dir, const std::string& sha, const std::string& bytes) {
  const auto path = blob_path(dir, sha);
  std::error_code ec;
  if (std::filesystem::exists(path, ec)) return {};
  std::filesystem::create_directories(path.parent_path(), ec);
  const auto tmp = path.string() + ".tmp-" + random_token().substr(0, 8);
  {
    std::ofstream out(tmp, std::ios::binary);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    if (!out.flush()) return Error{ErrorCode::unavailable, "cannot write the attachment", {}};
  }
  std::filesystem::rename(tmp, path, ec);
  if (ec) return Error{ErrorCode::unavailable, "cannot store the attachment", {}};
  return {};
}

Status adopt_blob(const std::string& dir, const std::string& sha, const std::string& from) {
  const auto path = blob_path(dir, sha);
  std::error_code ec;
  if (std::filesystem::exists(path, ec)) {
    std::filesystem::remove(from, ec);
    return {};
  }
  std::filesystem::create_directories(path.parent_path(), ec);
  std::filesystem::rename(from, path, ec);
  if (ec) return Error{ErrorCode::unavailable, "cannot store the file", {}};
  return {};
}

std::string blob_file(const std::string& dir, const std::string& sha) {
  return blob_path(dir, sha).string();
}

Result<std::string> get_blob(const std::string& dir, const std::string& sha) {
  std::ifstream in(blob_path(dir, sha), std::ios::binary);
  if (!in) return Error{ErrorCode::unavailable, "the attachment's file is missing", {}};
  std::ostringstream buf;
  buf << in.rdbuf();
  return buf.str();
}

}  // namespace dj::store
