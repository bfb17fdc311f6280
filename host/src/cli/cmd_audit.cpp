// `ttq audit verify FILE`: checks the operator API's hash-chained audit log (docs/api.md) and
// names the first record that breaks it. Exit 0 when the whole chain verifies, 1 otherwise.
#include <cstdio>
#include <string>

#include "command.hpp"
#include "ttq/api/audit_log.hpp"

namespace {

using namespace ttq;

std::function<int()> add_audit(CLI::App& app) {
  auto file = std::make_shared<std::string>();
  auto* sub = app.add_subcommand("audit", "Operator API audit log: verify");
  sub->require_subcommand(1);
  auto* verify = sub->add_subcommand("verify", "Check the audit log's hash chain");
  verify->add_option("file", *file, "audit log (JSON lines)")->required();
  return [file]() -> int {
    const api::AuditVerifyResult r = api::verify_audit_file(*file);
    if (r.ok) {
      std::printf("%s: ok, %llu records, head %s\n", file->c_str(),
                  static_cast<unsigned long long>(r.records), r.head.c_str());
      return 0;
    }
    if (r.bad_line == 0) {
      std::fprintf(stderr, "ttq: %s\n", r.why.c_str());
      return 1;
    }
    std::printf("%s: BROKEN at record %llu (line %llu): %s; the %llu records before it verify\n",
                file->c_str(), static_cast<unsigned long long>(r.records + 1),
                static_cast<unsigned long long>(r.bad_line), r.why.c_str(),
                static_cast<unsigned long long>(r.records));
    return 1;
  };
}

const cli::Registrar audit_cmd({"audit", 62, add_audit});

}  // namespace
