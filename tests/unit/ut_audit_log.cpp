// Unit tests of the hash-chained audit log (host/src/api/audit_log.cpp): the chain verifies,
// continues across a reopen, and an edited, removed or reordered record is named by verify.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "ttq/api/audit_log.hpp"

using namespace ttq::api;

namespace {

std::string temp_dir() {
  std::string t = (std::filesystem::temp_directory_path() / "ttq-audit-XXXXXX").string();
  REQUIRE(::mkdtemp(t.data()));
  return t;
}

std::vector<std::string> lines_of(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::string> v;
  for (std::string l; std::getline(in, l);) v.push_back(l);
  return v;
}

std::string join(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& l : v) s += l + "\n";
  return s;
}

AuditRecord rec(int i) {
  AuditRecord r;
  r.time_ms = 1767225600000 + i;
  r.key_id = "k_" + std::to_string(i);
  r.remote = "127.0.0.1:5000";
  r.method = "POST";
  r.path = "/v1/kill";
  r.nonce = "nonce-" + std::to_string(i) + "-abcdefghijkl";
  r.body_sha256 = std::string(64, 'a');
  r.status = 200;
  r.outcome = "ok";
  r.reason = "weird \"quotes\" \\ and \x01 control \xff bytes";
  return r;
}

}  // namespace

TEST_CASE("audit log: chain verifies, survives a reopen, detects edit/removal/reorder",
          "[api]") {
  const std::string dir = temp_dir(), path = dir + "/audit.jsonl";
  std::string err;
  {
    AuditLog log;
    REQUIRE(log.open(path, err));
    for (int i = 1; i <= 3; ++i) REQUIRE(log.append(rec(i), err));
    // A second writer on the same file is refused (flock).
    AuditLog other;
    CHECK_FALSE(other.open(path, err));
  }
  {
    AuditLog log;
    REQUIRE(log.open(path, err));  // verifies and continues the chain
    CHECK(log.last_seq() == 3);
    for (int i = 4; i <= 5; ++i) REQUIRE(log.append(rec(i), err));
    std::vector<std::string> got;
    bool more = true;
    REQUIRE(log.read_since(4, 10, got, more, err));
    CHECK(got.size() == 2);
    CHECK_FALSE(more);
  }
  const AuditVerifyResult ok = verify_audit_file(path);
  REQUIRE(ok.ok);
  CHECK(ok.records == 5);
  const auto lines = lines_of(path);
  REQUIRE(lines.size() == 5);
  CHECK(lines[0].find("\"prev\":\"" + std::string(kZeroHash) + "\"") != std::string::npos);

  SECTION("edited record (even the last one) is named") {
    for (std::size_t i : {std::size_t{1}, std::size_t{4}}) {
      auto v = lines;
      const auto at = v[i].find("\"status\":200");
      REQUIRE(at != std::string::npos);
      v[i].replace(at, 12, "\"status\":201");
      const AuditVerifyResult r = verify_audit_text(join(v));
      CHECK_FALSE(r.ok);
      CHECK(r.bad_line == i + 1);
      CHECK(r.records == i);
      CHECK(r.why.find("edited") != std::string::npos);
    }
  }
  SECTION("removed record: the one after it is named") {
    auto v = lines;
    v.erase(v.begin() + 2);
    const AuditVerifyResult r = verify_audit_text(join(v));
    CHECK_FALSE(r.ok);
    CHECK(r.bad_line == 3);
    CHECK(r.why.find("removed") != std::string::npos);
    auto first = lines;
    first.erase(first.begin());
    CHECK(verify_audit_text(join(first)).bad_line == 1);
  }
  SECTION("reordered records") {
    auto v = lines;
    std::swap(v[1], v[2]);
    const AuditVerifyResult r = verify_audit_text(join(v));
    CHECK_FALSE(r.ok);
    CHECK(r.bad_line == 2);
  }
  SECTION("a broken log is not appended to") {
    auto v = lines;
    v[0][10] = v[0][10] == '1' ? '2' : '1';
    std::ofstream(path, std::ios::trunc) << join(v);
    AuditLog log;
    CHECK_FALSE(log.open(path, err));
    CHECK(err.find("line 1") != std::string::npos);
  }
  std::filesystem::remove_all(dir);
}
