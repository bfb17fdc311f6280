// `ttq keys`: the operator API's key file (docs/api.md). `init` creates it with one admin key and
// prints the id and secret once; `list` shows what a key file holds, never a secret.
#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <string>

#include "command.hpp"
#include "ttq/api/key_store.hpp"

namespace {

using namespace ttq;

struct KeysOpts {
  std::string file, scopes = "admin", credentials;
};

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::function<int()> add_keys(CLI::App& app) {
  auto o = std::make_shared<KeysOpts>();
  auto* sub = app.add_subcommand("keys", "Operator API key file: init, list");
  sub->require_subcommand(1);
  auto* init = sub->add_subcommand("init", "Create a key file with one admin key (printed once)");
  init->add_option("--file", o->file, "key file to create (mode 0600; must not exist)")
      ->required();
  init->add_option("--scopes", o->scopes, "scopes of the first key (default admin)");
  init->add_option("--credentials", o->credentials,
                   "also write TTQ_KEY_ID=/TTQ_KEY_SECRET= lines to this new 0600 file "
                   "(for `ttq ctl --key-file`)");
  auto* list = sub->add_subcommand("list", "List the keys of a key file (no secrets)");
  list->add_option("--file", o->file, "key file")->required();
  return [o, init, list]() -> int {
    if (init->parsed()) {
      const auto scopes = api::parse_scopes(o->scopes);
      if (!scopes) {
        std::fprintf(stderr, "ttq: --scopes must be a comma-separated subset of "
                             "read,trade,risk,admin\n");
        return 2;
      }
      api::IssuedSecret is;
      std::string err;
      if (!api::KeyStore::init_file(o->file, *scopes, now_ms(), is, err)) {
        std::fprintf(stderr, "ttq: %s\n", err.c_str());
        return 1;
      }
      if (!o->credentials.empty()) {
        const int fd = ::open(o->credentials.c_str(),
                              O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
        std::string text = "TTQ_KEY_ID=" + is.id + "\nTTQ_KEY_SECRET=" + is.secret_b64 + "\n";
        const bool ok = fd >= 0 && ::write(fd, text.data(), text.size()) ==
                                       static_cast<ssize_t>(text.size()) && ::fsync(fd) == 0;
        api::cleanse(text);
        if (fd >= 0) ::close(fd);
        if (!ok) {
          std::fprintf(stderr, "ttq: cannot create credentials file '%s' (exists?)\n",
                       o->credentials.c_str());
          return 1;
        }
      }
      std::printf("created %s with key %s (scopes %s)\n", o->file.c_str(), is.id.c_str(),
                  api::scopes_to_string(*scopes).c_str());
      std::printf("TTQ_KEY_ID=%s\nTTQ_KEY_SECRET=%s\n", is.id.c_str(), is.secret_b64.c_str());
      std::printf("The secret is shown once and cannot be recovered; keep it like a password.\n");
      return 0;
    }
    if (list->parsed()) {
      api::KeyStore ks(o->file);
      std::string err;
      if (!ks.load(err)) {
        std::fprintf(stderr, "ttq: %s\n", err.c_str());
        return 1;
      }
      std::printf("%-20s %-22s %-15s %-15s %s\n", "id", "scopes", "created_ms", "expires_ms",
                  "state");
      for (const api::KeyInfo& k : ks.list()) {
        std::printf("%-20s %-22s %-15lld %-15lld %s\n", k.id.c_str(),
                    api::scopes_to_string(k.scopes).c_str(),
                    static_cast<long long>(k.created_ms), static_cast<long long>(k.expires_ms),
                    k.revoked ? "revoked" : k.previous_valid_until_ms ? "rotated" : "active");
      }
      return 0;
    }
    return 2;
  };
}

const cli::Registrar keys_cmd({"keys", 60, add_keys});

}  // namespace
