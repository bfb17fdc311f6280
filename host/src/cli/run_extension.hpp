// What runs beside `ttq run`'s loop (the operator API, later telemetry) plugs in here without
// editing cmd_run.cpp: a static RunExtensionRegistrar adds options to the `run` subcommand and is
// started with the loop's ControlChannel before the EAL pins this thread to the polling CPU.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <string>
#include <vector>

#include "ttq/control.hpp"

namespace ttq::cli {

struct RunExtension {
  const char* name;
  // Adds the extension's options to the `run` subcommand.
  std::function<void(CLI::App& run)> add_options;
  // After the options are parsed, before EAL init: start (e.g. only when its options were given).
  // false + error: `ttq run` exits 1 with that message.
  std::function<bool(ControlChannel& control, std::string& error)> start;
  // After the loop has stopped (the summary is printed after this).
  std::function<void()> stop;
};

std::vector<RunExtension>& run_extensions();

struct RunExtensionRegistrar {
  explicit RunExtensionRegistrar(RunExtension e) { run_extensions().push_back(std::move(e)); }
};

}  // namespace ttq::cli
