// How a ttq subcommand plugs into the CLI: each host/src/cli/cmd_*.cpp registers itself with a
// static Registrar, so adding a command never edits a shared file. main.cpp builds the CLI11 app
// from the registry (sorted by `order`), parses, and runs the one subcommand that was given.
#pragma once

#include <CLI/CLI.hpp>
#include <cstdio>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "ttq/config.hpp"

namespace ttq::cli {

// Called once with the app; adds the subcommand and its options, returns what runs it (exit code).
using AddCommand = std::function<std::function<int()>(CLI::App& app)>;

struct CommandDef {
  const char* name;
  int order;  // position in --help
  AddCommand add;
};

std::vector<CommandDef>& registry();

struct Registrar {
  explicit Registrar(CommandDef d) { registry().push_back(std::move(d)); }
};

// Output file helpers shared by the commands: "" = none, "-" = stdout.
struct FileCloser {
  void operator()(std::FILE* f) const {
    if (f && f != stdout) std::fclose(f);
  }
};
using FilePtr = std::unique_ptr<std::FILE, FileCloser>;
FilePtr open_out(const std::string& path);  // throws CLI::ValidationError

// The config file ("" = defaults) with an optional --default-tick override (> 0).
AppConfig load_app_config(const std::string& path, std::int64_t default_tick);

}  // namespace ttq::cli
