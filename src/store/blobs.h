// Uploaded files (photos and documents attached to records): checked by
// their content, kept once under their SHA-256 in a directory.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "common/result.h"

namespace dj::store {

// The type of a file by its first bytes: image/jpeg, image/png,
// application/pdf, or nullopt for anything else.
std::optional<std::string> sniff_type(std::string_view bytes);

// Checks an upload: at most `max_bytes` (413 `file: too_large`), a plain
// file name, a claimed type of image/jpeg, image/png or application/pdf
// that the content is (422 `file: type_mismatch`).
Status check_upload(const std::string& claimed_type, const std::string& filename,
                    const std::string& bytes, size_t max_bytes);

// Writes the bytes once under `sha` in `dir` (a temporary file renamed into place).
Status put_blob(const std::string& dir, const std::string& sha, const std::string& bytes);
// Moves the finished file at `from` in under `sha` (removed instead when
// the same bytes are kept already).
Status adopt_blob(const std::string& dir, const std::string& sha, const std::string& from);
// Where the bytes under `sha` are kept (for a response that sends the file).
std::string blob_file(const std::string& dir, const std::string& sha);
// The bytes kept under `sha`; unavailable when the file is missing.
Result<std::string> get_blob(const std::string& dir, const std::string& sha);

}  // namespace dj::store
