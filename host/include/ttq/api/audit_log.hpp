// The operator API's audit trail: one JSON object per line, each carrying the SHA-256 of the
// previous record ("prev") and of itself ("hash"), so an edited, removed or reordered record
// breaks the chain (`ttq audit verify`). Appends are written and fsync'd before append() returns:
// a mutating request is answered only once its record is on disk. docs/api.md, "Audit trail".
#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace ttq::api {

struct AuditRecord {
  std::int64_t time_ms = 0;
  std::string key_id;  // as sent (may be empty or invalid on a refused request)
  std::string remote;  // "ip:port"
  std::string method;
  std::string path;
  std::string query;
  std::string nonce;
  std::string body_sha256;  // lowercase hex
  int status = 0;           // HTTP status answered
  std::string outcome;      // "ok" or the error code sent ("unauthorized", "forbidden", ...)
  std::string reason;       // exactly why (never a secret)
};

// JSON string escaping for the log and the API's answers: ", \ and every byte outside 0x20..0x7e
// become escapes, so any input yields valid one-line JSON.
void append_json_string(std::string& out, std::string_view s);

class AuditLog {
 public:
  AuditLog() = default;
  ~AuditLog();
  AuditLog(const AuditLog&) = delete;
  AuditLog& operator=(const AuditLog&) = delete;

  // Opens (creating, mode 0600) and locks the file; an existing file must verify, and the chain
  // continues from its last record. false + why otherwise.
  bool open(const std::string& path, std::string& error);
  // Appends one record (seq, prev and hash filled in) and fsyncs; false + why on an I/O failure.
  bool append(const AuditRecord& r, std::string& error);

  std::uint64_t last_seq() const;
  std::string head_hash() const;  // hash of the last record ("0"*64 when empty)
  // Raw lines of the records with seq >= since, at most `max`; `more` when some were left out.
  bool read_since(std::uint64_t since, std::size_t max, std::vector<std::string>& lines,
                  bool& more, std::string& error) const;

 private:
  mutable std::mutex mu_;
  std::string path_;
  int fd_ = -1;
  std::uint64_t seq_ = 0;
  std::string head_;
};

struct AuditVerifyResult {
  bool ok = false;
  std::uint64_t records = 0;  // records that verified (all of them when ok)
  std::uint64_t bad_line = 0;  // 1-based line of the first bad record (0 when ok)
  std::string why;             // what is wrong with it
  std::string head;            // hash of the last good record
};
AuditVerifyResult verify_audit_text(std::string_view text);
AuditVerifyResult verify_audit_file(const std::string& path);  // unreadable -> !ok, bad_line 0

inline constexpr std::string_view kZeroHash =
    "0000000000000000000000000000000000000000000000000000000000000000";

}  // namespace ttq::api
