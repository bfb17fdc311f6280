// The ttq command line. Each subcommand lives in its own cmd_*.cpp and registers itself
// (command.hpp); this file builds the app, parses, runs the chosen command and maps errors to exit
// codes: 0 ok, 1 runtime failure, 2 bad configuration or usage.
#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "command.hpp"
#include "ttq/config.hpp"

namespace ttq::cli {

std::vector<CommandDef>& registry() {
  static std::vector<CommandDef> r;
  return r;
}

FilePtr open_out(const std::string& path) {
  if (path.empty()) return FilePtr(nullptr);
  if (path == "-") return FilePtr(stdout);
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) throw CLI::ValidationError("cannot write '" + path + "'");
  return FilePtr(f);
}

AppConfig load_app_config(const std::string& path, std::int64_t default_tick) {
  AppConfig c = path.empty() ? AppConfig{} : load_config(path);
  if (default_tick > 0) c.pipeline.default_tick = default_tick;
  return c;
}

}  // namespace ttq::cli

int main(int argc, char** argv) {
  using namespace ttq;
  CLI::App app{"ttq: FPGA-accelerated tick-to-quote for CME MDP 3.0"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "ttq 0.1.0");

  auto defs = cli::registry();
  std::sort(defs.begin(), defs.end(),
            [](const cli::CommandDef& a, const cli::CommandDef& b) { return a.order < b.order; });
  std::vector<std::pair<CLI::App*, std::function<int()>>> commands;
  for (const auto& d : defs) {
    auto run = d.add(app);
    commands.emplace_back(app.get_subcommand(d.name), std::move(run));
  }

  try {
    app.parse(argc, argv);
    for (auto& [sub, run] : commands)
      if (sub->parsed()) return run();
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  } catch (const ConfigError& e) {
    std::fprintf(stderr, "ttq: %s\n", e.what());
    return 2;
  } catch (const CLI::Error& e) {
    return app.exit(e);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "ttq: %s\n", e.what());
    return 1;
  }
  return 0;
}
