// Uploads in pieces, the checks of a finished file (its first bytes, then
// ffprobe and a demuxing pass for media), poster frames, and the signed
// URLs media play from (learning.h).
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <filesystem>
#include <fstream>

#include "common/crypto.h"
#include "common/json.h"
#include "common/time.h"
#include "common/validate.h"
#include "domain/audit/audit.h"
#include "domain/learning/internal.h"
#include "domain/org/org.h"
#include "store/blobs.h"

extern char** environ;

namespace dj::learning {

namespace json = boost::json;
using auth::Perm;
using auth::Principal;

namespace {

// The media types an upload may claim, and the kind of file each is.
struct Accepted {
  const char* type;
  const char* kind;
};
constexpr Accepted kAccepted[] = {
    {"video/mp4", "video"}, {"video/webm", "video"},         {"audio/mpeg", "audio"},
    {"audio/mp4", "audio"}, {"application/pdf", "document"}, {"image/jpeg", "image"},
    {"image/png", "image"},
};

const char* kind_of(const std::string& type) {
  for (const auto& a : kAccepted) {
    if (type == a.type) return a.kind;
  }
  return nullptr;
}

// Whether the first bytes are of the claimed type (magic numbers).
bool content_is(const std::string& type, std::string_view b) {
  const bool ftyp = b.size() >= 12 && b.substr(4, 4) == "ftyp";
  if (type == "video/mp4") return ftyp && b.substr(8, 4) != "M4A ";
  if (type == "audio/mp4") return ftyp;
  if (type == "video/webm") return b.size() >= 4 && b.substr(0, 4) == "\x1A\x45\xDF\xA3";
  if (type == "audio/mpeg") {
    return (b.size() >= 3 && b.substr(0, 3) == "ID3") ||
           (b.size() >= 2 && static_cast<unsigned char>(b[0]) == 0xFF &&
            (static_cast<unsigned char>(b[1]) & 0xE0) == 0xE0);
  }
  const auto sniffed = store::sniff_type(b);
  return sniffed && *sniffed == type;
}

// Runs a program (no shell) and answers its exit status and what it wrote
// to stdout; stderr is discarded unless `err` is given.
struct Ran {
  int status = -1;
  std::string out, err;
};
Ran run(const std::vector<std::string>& argv) {
  Ran r;
  int out_pipe[2], err_pipe[2];
  if (pipe(out_pipe) != 0) return r;
  if (pipe(err_pipe) != 0) {
    close(out_pipe[0]);
    close(out_pipe[1]);
    return r;
  }
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, out_pipe[1], 1);
  posix_spawn_file_actions_adddup2(&fa, err_pipe[1], 2);
  posix_spawn_file_actions_addclose(&fa, out_pipe[0]);
  posix_spawn_file_actions_addclose(&fa, err_pipe[0]);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = 0;
  const int rc = posix_spawnp(&pid, args[0], &fa, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  close(out_pipe[1]);
  close(err_pipe[1]);
  if (rc == 0) {
    // Both pipes are read to their end; the error output of these tools is small.
    char buf[8192];
    ssize_t n;
    while ((n = read(out_pipe[0], buf, sizeof buf)) > 0) r.out.append(buf, static_cast<size_t>(n));
    while ((n = read(err_pipe[0], buf, sizeof buf)) > 0) r.err.append(buf, static_cast<size_t>(n));
    int st = 0;
    waitpid(pid, &st, 0);
    r.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  }
  close(out_pipe[0]);
  close(err_pipe[0]);
  return r;
}

Error unreadable(const std::string& why) {
  return Error::invalid("file", "unreadable", "the file cannot be played: " + why);
}

// What ffprobe reads of a media file, checked against its claimed type:
// the length and the codecs; a file that does not demux to its end (cut
// off, damaged) is refused.
struct Probed {
  int64_t duration_ms = 0;
  std::string codecs;
  bool has_video = false;
};
Result<Probed> probe(const Config& cfg, const std::string& path, const std::string& type) {
  const Ran r = run({cfg.ffprobe, "-v", "error", "-show_entries",
                     "format=duration:stream=codec_type,codec_name", "-of", "json", path});
  if (r.status != 0) return unreadable("its streams cannot be read");
  std::error_code ec;
  const json::value v = json::parse(r.out, ec);
  if (ec || !v.is_object()) return unreadable("its streams cannot be read");
  Probed p;
  std::vector<std::string> video, audio;
  if (const auto* streams = v.as_object().if_contains("streams"); streams && streams->is_array()) {
    for (const auto& s : streams->as_array()) {
      if (!s.is_object()) continue;
      const auto* t = s.as_object().if_contains("codec_type");
      const auto* n = s.as_object().if_contains("codec_name");
      if (!t || !n || !t->is_string() || !n->is_string()) continue;
      (t->as_string() == "video" ? video : audio).emplace_back(n->as_string());
    }
  }
  if (const auto* f = v.as_object().if_contains("format"); f && f->is_object()) {
    if (const auto* d = f->as_object().if_contains("duration"); d && d->is_string()) {
      p.duration_ms = static_cast<int64_t>(std::atof(d->as_string().c_str()) * 1000);
    }
  }
  auto has = [](const std::vector<std::string>& list, std::initializer_list<const char*> want) {
    for (const auto& c : list) {
      for (const char* w : want) {
        if (c == w) return true;
      }
    }
    return false;
  };
  if (type == "video/mp4" && !has(video, {"h264"})) return unreadable("an MP4 needs H.264 video");
  if (type == "video/webm" && !has(video, {"vp8", "vp9", "av1"})) {
    return unreadable("a WebM needs VP8, VP9 or AV1 video");
  }
  if (type == "audio/mpeg" && !has(audio, {"mp3"})) return unreadable("no MP3 audio");
  if (type == "audio/mp4" && !has(audio, {"aac"})) return unreadable("no AAC audio");
  if (p.duration_ms <= 0) return unreadable("it has no length");
  // Demuxing the whole file (no decoding) finds a cut-off or damaged body.
  const Ran d = run({cfg.ffmpeg, "-v", "error", "-xerror", "-i", path, "-map", "0", "-c", "copy",
                     "-f", "null", "-"});
  if (d.status != 0 || !d.err.empty()) return unreadable("it is cut off or damaged");
  p.has_video = !video.empty();
  for (const auto& c : video) p.codecs += (p.codecs.empty() ? "" : ",") + c;
  for (const auto& c : audio) p.codecs += (p.codecs.empty() ? "" : ",") + c;
  return p;
}

// A JPEG frame from a second into the video (or its middle, when shorter).
std::optional<std::string> poster(const Config& cfg, const std::string& path, int64_t duration_ms,
                                  const std::string& out) {
  const double at = std::min(1.0, static_cast<double>(duration_ms) / 2000.0);
  const Ran r =
      run({cfg.ffmpeg, "-v", "error", "-y", "-ss", std::to_string(at), "-i", path, "-frames:v", "1",
           "-vf", "scale=640:-2", "-f", "image2", "-c:v", "mjpeg", out});
  if (r.status != 0) return std::nullopt;
  return sha256_file_hex(out);
}

constexpr const char* kMediaSelect =
    "SELECT id, org_id, sha, media_type, kind, filename, size, duration_ms, codecs, poster_sha, "
    "created_at FROM media_files";

Media media_of(const store::Row& r) {
  return {r.i64(0), r.i64(1),     r.str(2), r.str(3),     r.str(4), r.str(5),
          r.i64(6), r.opt_i64(7), r.str(8), r.opt_str(9), r.i64(10)};
}

constexpr const char* kUploadSelect =
    "SELECT u.id, u.org_id, u.filename, u.media_type, u.status, u.size, u.received, u.media_id, "
    "o.path, u.user_id, u.part FROM uploads u JOIN orgs o ON o.id = u.org_id WHERE u.id = ?";

}  // namespace

Result<std::optional<Media>> load_media(store::Conn& c, std::optional<int64_t> id) {
  if (!id) return std::optional<Media>();
  DJ_ASSIGN(auto row, c.query_opt(std::string(kMediaSelect) + " WHERE id = ?", {*id}));
  if (!row) return std::optional<Media>();
  return std::optional<Media>(media_of(*row));
}

Result<Media> media_in_scope(store::Conn& c, const Principal& p, int64_t id,
                             const std::string& field) {
  DJ_ASSIGN(auto row, c.query_opt(std::string(kMediaSelect) +
                                      " m WHERE m.id = ? AND EXISTS (SELECT 1 FROM orgs o WHERE "
                                      "o.id = m.org_id AND o.path LIKE ?)",
                                  {id, p.scope_path + "%"}));
  if (!row) return Error::invalid(field, "not_found", "no such file in your organizations");
  return media_of(*row);
}

json::value to_json(const Media& m) {
  return json::object{{"id", m.id},
                      {"org_id", m.org_id},
                      {"media_type", m.media_type},
                      {"kind", m.kind},
                      {"filename", m.filename},
                      {"size", m.size},
                      {"duration_ms", or_null(m.duration_ms)},
                      {"codecs", m.codecs},
                      {"has_poster", m.poster_sha.has_value()},
                      {"created_at", format_instant(m.created_at)}};
}

json::value to_json(const Upload& u) {
  return json::object{{"id", u.id},
                      {"org_id", u.org_id},
                      {"filename", u.filename},
                      {"media_type", u.media_type},
                      {"status", u.status},
                      {"size", u.size},
                      {"received", u.received},
                      {"media", u.media ? to_json(*u.media) : json::value(nullptr)}};
}

LearningService::LearningService(store::Db& db, Config cfg) : db_(db), cfg_(std::move(cfg)) {}

Result<Upload> LearningService::start_upload(const Principal& p, const UploadInput& in) {
  DJ_TRY(auth::require(p, Perm::course_manage));
  Validator v;
  v.text("filename", in.filename, 200);
  if (in.filename && (in.filename->find('/') != std::string::npos ||
                      in.filename->find('\\') != std::string::npos)) {
    v.add("filename", "format", "must be a plain file name");
  }
  if (!in.media_type) {
    v.add("media_type", "required", "is required");
  } else if (!kind_of(*in.media_type)) {
    v.add("media_type", "unsupported",
          "send video/mp4, video/webm, audio/mpeg, audio/mp4, application/pdf, image/jpeg or "
          "image/png");
  }
  if (!in.size) {
    v.add("size", "required", "is required");
  } else if (*in.size <= 0) {
    v.add("size", "range", "must be at least 1 byte");
  }
  DJ_TRY(v.status());
  if (static_cast<uint64_t>(*in.size) > cfg_.max_upload_bytes) {
    return Error{ErrorCode::too_large,
                 "files are at most " + std::to_string(cfg_.max_upload_bytes) + " bytes",
                 {{"size", "too_large", "the file is too large"}}};
  }
  const int64_t org_id = in.org_id.value_or(p.org_id.value_or(0));
  return store::with_tx(db_, [&](store::Conn& c) -> Result<Upload> {
    std::string path;
    if (p.role == auth::Role::lecturer) {
      // A lecturer uploads for the organization that owns a course he teaches.
      DJ_ASSIGN(auto owner, c.query_opt("SELECT o.path FROM courses k JOIN orgs o ON o.id = "
                                        "k.org_id WHERE k.org_id = ? AND k.lecturer_user_id = ? "
                                        "AND k.deleted_at IS NULL",
                                        {org_id, p.user_id}));
      if (!owner) {
        return Error::invalid("org_id", "not_lecturer",
                              "upload for the organization of a course you teach");
      }
      path = owner->str(0);
    } else {
      DJ_ASSIGN(path, org::OrgService::subtree(c, p, org_id));
    }
    // Kept files and the uploads still arriving count against the quota.
    DJ_ASSIGN(auto used, c.query_one("SELECT (SELECT COALESCE(SUM(size), 0) FROM media_files "
                                     "WHERE org_id = ?) + (SELECT COALESCE(SUM(size), 0) FROM "
                                     "uploads WHERE org_id = ? AND status = 'receiving')",
                                     {org_id, org_id}));
    if (static_cast<uint64_t>(used.i64(0) + *in.size) > cfg_.org_quota_bytes) {
      return Error{ErrorCode::too_large,
                   "the organization's files would exceed its quota of " +
                       std::to_string(cfg_.org_quota_bytes) + " bytes",
                   {{"size", "over_quota",
                     "the organization's storage is full (" + std::to_string(used.i64(0)) + " of " +
                         std::to_string(cfg_.org_quota_bytes) + " bytes used)"}}};
    }
    const int64_t now = now_ms();
    const std::string part = random_token().substr(0, 24);
    DJ_ASSIGN(
        auto row,
        c.query_one("INSERT INTO uploads (part, org_id, user_id, filename, media_type, "
                    "size, received, status, created_at, updated_at) VALUES (?, ?, ?, ?, ?, "
                    "?, 0, 'receiving', ?, ?) RETURNING id",
                    {part, org_id, p.user_id, *in.filename, *in.media_type, *in.size, now, now}));
    Upload u{row.i64(0), org_id, *in.filename, *in.media_type, "receiving", *in.size, 0,
             {},         {},     part};
    DJ_TRY(audit::record(c, p.actor(),
                         {"upload.start", "upload", std::to_string(u.id), path, {}, to_json(u)}));
    return u;
  });
}

Result<Upload> LearningService::upload(const Principal& p, int64_t id) {
  DJ_TRY(auth::require(p, Perm::course_manage));
  return store::with_conn(db_, [&](store::Conn& c) -> Result<Upload> {
    DJ_ASSIGN(auto row, c.query_opt(kUploadSelect, {id}));
    // One's own uploads (a lecturer's are for his courses' owners, outside his scope).
    if (!row || row->i64(9) != p.user_id ||
        (p.role != auth::Role::lecturer && !auth::in_scope(p, row->str(8)))) {
      return Error::not_found("upload " + std::to_string(id));
    }
    Upload u{row->i64(0), row->i64(1), row->str(2),     row->str(3), row->str(4),
             row->i64(5), row->i64(6), row->opt_i64(7), {},          row->str(10)};
    DJ_ASSIGN(u.media, load_media(c, u.media_id));
    return u;
  });
}

Result<Upload> LearningService::append(const Principal& p, int64_t id, int64_t offset,
                                       const std::string& bytes) {
  std::lock_guard lock(append_mutex_);
  DJ_ASSIGN(auto u, upload(p, id));
  if (u.status != "receiving") {
    return Error{ErrorCode::conflict,
                 "the upload is complete",
                 {{"offset", "complete", "the file has arrived whole"}}};
  }
  if (offset != u.received) {
    return Error{
        ErrorCode::conflict,
        "the upload stands at " + std::to_string(u.received),
        {{"offset", "mismatch", "send the piece that starts at " + std::to_string(u.received)}}};
  }
  if (bytes.empty()) return Error::invalid("body", "required", "a piece has at least one byte");
  if (static_cast<int64_t>(bytes.size()) > u.size - u.received) {
    return Error::invalid("body", "past_end",
                          "the piece runs past the file's size of " + std::to_string(u.size));
  }
  namespace fs = std::filesystem;
  const fs::path dir = fs::path(cfg_.blob_dir) / "uploads";
  std::error_code ec;
  fs::create_directories(dir, ec);
  const std::string part = (dir / (u.part + ".part")).string();
  {
    // The part file is cut back to what the database says arrived (a piece
    // written before a crash and not recorded is written again).
    if (u.received == 0) {
      std::ofstream(part, std::ios::binary | std::ios::trunc);
    } else {
      fs::resize_file(part, static_cast<uintmax_t>(u.received), ec);
      if (ec) return Error{ErrorCode::unavailable, "the upload's part file is missing", {}};
    }
    std::ofstream out(part, std::ios::binary | std::ios::app);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    if (!out.flush()) return Error{ErrorCode::unavailable, "cannot write the upload", {}};
  }
  u.received += static_cast<int64_t>(bytes.size());
  if (u.received < u.size) {
    DJ_TRY(store::with_conn(db_, [&](store::Conn& c) -> Status {
      DJ_TRY(c.exec("UPDATE uploads SET received = ?, updated_at = ? WHERE id = ?",
                    {u.received, now_ms(), id}));
      return {};
    }));
    return u;
  }
  // Whole: its content, then (media) its streams and a poster frame.
  std::string head(16, '\0');
  {
    std::ifstream in(part, std::ios::binary);
    in.read(head.data(), static_cast<std::streamsize>(head.size()));
    head.resize(static_cast<size_t>(in.gcount()));
  }
  auto refuse = [&](Error e) -> Result<Upload> {
    // A refused file is dropped: the upload can start again.
    fs::remove(part, ec);
    (void)store::with_conn(db_, [&](store::Conn& c) -> Status {
      DJ_TRY(c.exec("UPDATE uploads SET status = 'refused', updated_at = ? WHERE id = ?",
                    {now_ms(), id}));
      return {};
    });
    return e;
  };
  if (!content_is(u.media_type, head)) {
    return refuse(Error::invalid("file", "type_mismatch", "the content is not " + u.media_type));
  }
  const std::string kind = kind_of(u.media_type);
  Probed probed;
  std::optional<std::string> poster_sha;
  if (kind == "video" || kind == "audio") {
    auto pr = probe(cfg_, part, u.media_type);
    if (!pr) return refuse(pr.error());
    probed = *pr;
    if (probed.has_video) {
      const std::string jpg = part + ".jpg";
      poster_sha = poster(cfg_, part, probed.duration_ms, jpg);
      if (poster_sha) DJ_TRY(store::adopt_blob(cfg_.blob_dir, *poster_sha, jpg));
    }
  }
  const auto sha = sha256_file_hex(part);
  if (!sha) return Error{ErrorCode::unavailable, "cannot read the upload", {}};
  DJ_TRY(store::adopt_blob(cfg_.blob_dir, *sha, part));
  return store::with_tx(db_, [&](store::Conn& c) -> Result<Upload> {
    const int64_t now = now_ms();
    DJ_ASSIGN(auto row,
              c.query_one("INSERT INTO media_files (org_id, sha, media_type, kind, filename, size, "
                          "duration_ms, codecs, poster_sha, created_at, created_by) VALUES (?, ?, "
                          "?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                          {u.org_id, *sha, u.media_type, kind, u.filename, u.size,
                           kind == "video" || kind == "audio" ? store::Value(probed.duration_ms)
                                                              : store::Value(),
                           probed.codecs, poster_sha, now, p.user_id}));
    u.media_id = row.i64(0);
    DJ_TRY(
        c.exec("UPDATE uploads SET received = ?, status = 'done', media_id = ?, updated_at = ? "
               "WHERE id = ?",
               {u.received, *u.media_id, now, id}));
    u.status = "done";
    DJ_ASSIGN(u.media, load_media(c, u.media_id));
    DJ_ASSIGN(auto o, org::OrgService::load(c, u.org_id));
    DJ_TRY(audit::record(
        c, p.actor(),
        {"media.create", "media", std::to_string(*u.media_id), o.path, {}, to_json(*u.media)}));
    return u;
  });
}

namespace {

std::string media_signature(const std::string& key, int64_t id, int64_t exp, bool poster) {
  return to_hex(hmac_sha256(key, "media:" + std::to_string(id) + ":" + std::to_string(exp) +
                                     (poster ? ":poster" : "")))
      .substr(0, 32);
}

}  // namespace

std::string signed_media_url(const std::string& key, int64_t media_id, int64_t expires_ms,
                             bool poster) {
  return "/api/v1/media/" + std::to_string(media_id) + "?exp=" + std::to_string(expires_ms) +
         (poster ? "&poster=1" : "") + "&sig=" + media_signature(key, media_id, expires_ms, poster);
}

std::string LearningService::media_url(int64_t media_id, bool poster) const {
  return signed_media_url(cfg_.media_key, media_id, now_ms() + cfg_.url_ttl_ms, poster);
}

Result<MediaFile> LearningService::signed_media(int64_t media_id, int64_t expires_ms,
                                                const std::string& sig, bool poster) {
  const std::string want = media_signature(cfg_.media_key, media_id, expires_ms, poster);
  if (!constant_time_equal(sig, want)) {
    return Error::forbidden("the media address is not valid");
  }
  if (expires_ms < now_ms()) return Error::forbidden("the media address has expired");
  return store::with_conn(db_, [&](store::Conn& c) -> Result<MediaFile> {
    DJ_ASSIGN(auto m, load_media(c, media_id));
    if (!m || (poster && !m->poster_sha))
      return Error::not_found("media " + std::to_string(media_id));
    const std::string sha = poster ? *m->poster_sha : m->sha;
    const std::string path = store::blob_file(cfg_.blob_dir, sha);
    std::error_code ec;
    const auto size = std::filesystem::file_size(path, ec);
    if (ec) return Error::not_found("media " + std::to_string(media_id));
    return MediaFile{path, poster ? "image/jpeg" : m->media_type, sha, static_cast<int64_t>(size)};
  });
}

}  // namespace dj::learning
