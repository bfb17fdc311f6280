// Unit tests of the API key store (host/src/api/key_store.cpp): file permissions, create, rotate
// with grace, revoke (secret gone from the file and refused), the last admin kept.
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "ttq/api/key_store.hpp"
#include "ttq/api/signing.hpp"

using namespace ttq::api;

namespace {

std::string temp_dir() {
  std::string t = (std::filesystem::temp_directory_path() / "ttq-keys-XXXXXX").string();
  REQUIRE(::mkdtemp(t.data()));
  return t;
}

std::string slurp(const std::string& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

Digest sig(const std::string& b64, const std::string& text) {
  Secret s{};
  REQUIRE(decode_secret(b64, s));
  return hmac_sha256(s, text);
}

}  // namespace

TEST_CASE("key store: init, permissions, create, rotate, revoke", "[api]") {
  const std::string dir = temp_dir(), path = dir + "/keys";
  IssuedSecret admin;
  std::string err;
  REQUIRE(KeyStore::init_file(path, static_cast<ScopeSet>(Scope::kAdmin), 1000, admin, err));
  CHECK_FALSE(KeyStore::init_file(path, static_cast<ScopeSet>(Scope::kAdmin), 1000, admin, err));
  struct stat st {};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  CHECK(admin.secret_b64.size() == 43);

  SECTION("group- or world-readable file refused") {
    for (mode_t m : {0640, 0604, 0660, 0620}) {
      ::chmod(path.c_str(), m);
      KeyStore ks(path);
      CHECK_FALSE(ks.load(err));
      CHECK(err.find("group or others") != std::string::npos);
      CHECK(err.find(admin.secret_b64) == std::string::npos);
    }
  }
  SECTION("verify, rotate with grace, revoke") {
    KeyStore ks(path);
    REQUIRE(ks.load(err));
    ScopeSet scopes = 0;
    CHECK(ks.verify(admin.id, "x", sig(admin.secret_b64, "x"), 2000, scopes) == VerifyResult::kOk);
    CHECK(scopes == static_cast<ScopeSet>(Scope::kAdmin));
    CHECK(ks.verify(admin.id, "y", sig(admin.secret_b64, "x"), 2000, scopes) ==
          VerifyResult::kBadSignature);
    CHECK(ks.verify("k_nope", "x", sig(admin.secret_b64, "x"), 2000, scopes) ==
          VerifyResult::kUnknownKey);

    IssuedSecret rd;
    REQUIRE(ks.create(static_cast<ScopeSet>(Scope::kRead), 10'000, 2000, rd, err));
    CHECK(ks.verify(rd.id, "x", sig(rd.secret_b64, "x"), 9'999, scopes) == VerifyResult::kOk);
    CHECK(ks.verify(rd.id, "x", sig(rd.secret_b64, "x"), 10'000, scopes) ==
          VerifyResult::kExpired);

    IssuedSecret rot;
    REQUIRE(ks.rotate(rd.id, 3000, 500, rot, err) == KeyStore::ChangeResult::kOk);
    CHECK(rot.id == rd.id);
    CHECK(rot.secret_b64 != rd.secret_b64);
    CHECK(ks.verify(rd.id, "x", sig(rd.secret_b64, "x"), 3499, scopes) ==
          VerifyResult::kOkPrevious);
    CHECK(ks.verify(rd.id, "x", sig(rot.secret_b64, "x"), 3499, scopes) == VerifyResult::kOk);
    CHECK(ks.verify(rd.id, "x", sig(rd.secret_b64, "x"), 3500, scopes) ==
          VerifyResult::kBadSignature);

    // Reloading sees the same state (the file was written before the change took effect).
    KeyStore again(path);
    REQUIRE(again.load(err));
    CHECK(again.verify(rd.id, "x", sig(rot.secret_b64, "x"), 3499, scopes) == VerifyResult::kOk);

    REQUIRE(ks.revoke(rd.id, 4000, err) == KeyStore::ChangeResult::kOk);
    CHECK(ks.verify(rd.id, "x", sig(rot.secret_b64, "x"), 4001, scopes) ==
          VerifyResult::kRevoked);
    CHECK(ks.revoke(rd.id, 4000, err) == KeyStore::ChangeResult::kRevoked);
    CHECK(ks.rotate(rd.id, 4000, 0, rot, err) == KeyStore::ChangeResult::kRevoked);
    const std::string file = slurp(path);
    CHECK(file.find("revoked " + rd.id) != std::string::npos);
    CHECK(file.find(rot.secret_b64) == std::string::npos);
    CHECK(file.find(rd.secret_b64) == std::string::npos);
    // The last usable admin key cannot be revoked.
    CHECK(ks.revoke(admin.id, 5000, err) == KeyStore::ChangeResult::kLastAdmin);
    IssuedSecret admin2;
    REQUIRE(ks.create(static_cast<ScopeSet>(Scope::kAdmin), 0, 5000, admin2, err));
    CHECK(ks.revoke(admin.id, 5000, err) == KeyStore::ChangeResult::kOk);
    CHECK(ks.list().size() == 3);
  }
  SECTION("malformed files are refused without echoing a secret") {
    std::ofstream(path, std::ios::trunc) << "ttq-keys 1\nkey k_1 scopes=admin secret=SECRETVALUE\n";
    ::chmod(path.c_str(), 0600);
    KeyStore ks(path);
    CHECK_FALSE(ks.load(err));
    CHECK(err.find("SECRETVALUE") == std::string::npos);
    CHECK(err.find("line 2") != std::string::npos);
  }
  std::filesystem::remove_all(dir);
}

TEST_CASE("key store: scope lists", "[api]") {
  CHECK(parse_scopes("read,trade") == ScopeSet{3});
  CHECK_FALSE(parse_scopes("read,read"));
  CHECK_FALSE(parse_scopes(""));
  CHECK_FALSE(parse_scopes("root"));
  CHECK(scopes_to_string(15) == "read,trade,risk,admin");
}
