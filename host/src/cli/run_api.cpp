// `ttq run --api ADDR:PORT --keys FILE`: starts the operator API (docs/api.md) beside the loop,
// through the run command's extension point (run_extension.hpp). Its threads start before the EAL
// pins the loop's thread, and are kept off the EAL's lcores (-l/--lcores) or api.avoid_cpu.
#include <memory>
#include <string>
#include <vector>

#include "command.hpp"
#include "run_extension.hpp"
#include "ttq/api/api_server.hpp"

namespace {

using namespace ttq;

struct ApiRunOpts {
  std::string api, keys, audit;
  CLI::App* run = nullptr;
  std::unique_ptr<api::ApiServer> server;
};

ApiRunOpts& opts() {
  static ApiRunOpts o;
  return o;
}

// CPUs named by an EAL core list ("0-1,3" after -l / --lcores; lcore@cpu forms are skipped).
std::vector<int> eal_cpus(const std::vector<std::string>& eal) {
  std::string list;
  for (std::size_t i = 0; i < eal.size(); ++i) {
    const std::string& a = eal[i];
    if ((a == "-l" || a == "--lcores") && i + 1 < eal.size()) list = eal[i + 1];
    else if (a.starts_with("-l") && a.size() > 2 && a[2] != '-') list = a.substr(2);
    else if (a.starts_with("--lcores=")) list = a.substr(9);
  }
  std::vector<int> cpus;
  if (list.find_first_not_of("0123456789,-") != std::string::npos) return cpus;
  for (std::size_t pos = 0; pos < list.size();) {
    auto comma = list.find(',', pos);
    if (comma == std::string::npos) comma = list.size();
    const std::string part = list.substr(pos, comma - pos);
    pos = comma + 1;
    const auto dash = part.find('-');
    try {
      const int lo = std::stoi(part.substr(0, dash));
      const int hi = dash == std::string::npos ? lo : std::stoi(part.substr(dash + 1));
      for (int c = lo; c <= hi && c < 4096; ++c) cpus.push_back(c);
    } catch (const std::exception&) {
      return {};
    }
  }
  return cpus;
}

bool start_api(ControlChannel& control, std::string& error) {
  ApiRunOpts& o = opts();
  if (o.api.empty() && o.keys.empty()) return true;  // not asked for
  if (o.api.empty() || o.keys.empty()) {
    error = "--api ADDR:PORT and --keys FILE go together";
    return false;
  }
  std::string config_path;
  std::vector<std::string> eal;
  if (o.run) {
    if (auto* c = o.run->get_option_no_throw("--config"); c && c->count()) {
      config_path = c->as<std::string>();
    }
    if (auto* e = o.run->get_option_no_throw("eal"); e && e->count()) {
      eal = e->as<std::vector<std::string>>();
    }
  }
  const AppConfig cfg = cli::load_app_config(config_path, 0);
  const ApiConfig& a = cfg.api;
  std::uint32_t ip = 0;
  std::uint16_t port = 0;
  if (!parse_endpoint(o.api, ip, port)) {
    error = "--api must be ADDR:PORT with an IPv4 address (got '" + o.api + "')";
    return false;
  }
  api::ApiOptions ao;
  ao.http.bind_ip = o.api.substr(0, o.api.rfind(':'));
  ao.http.port = port;
  ao.http.tls_cert = a.tls_cert;
  ao.http.tls_key = a.tls_key;
  ao.http.limits.max_body = a.max_body_bytes;
  ao.http.workers = a.workers;
  if (a.avoid_cpu >= 0) ao.http.avoid_cpus = {a.avoid_cpu};
  else ao.http.avoid_cpus = eal_cpus(eal);
  ao.keys_file = o.keys;
  ao.audit_file = o.audit.empty() ? a.audit_log : o.audit;
  ao.window_ms = a.timestamp_window_ms;
  ao.nonce_capacity = a.nonce_cache_entries;
  ao.rotation_grace_ms = a.rotation_grace_s * 1000;
  ao.control_timeout = std::chrono::milliseconds(a.control_timeout_ms);
  o.server = std::make_unique<api::ApiServer>(&control);
  if (!o.server->start(ao, error)) {
    o.server.reset();
    return false;
  }
  return true;
}

void stop_api() {
  if (opts().server) {
    opts().server->stop();
    opts().server.reset();
  }
}

const cli::RunExtensionRegistrar api_ext({
    "api",
    [](CLI::App& run) {
      ApiRunOpts& o = opts();
      o.run = &run;
      run.add_option("--api", o.api,
                     "serve the operator API on ADDR:PORT (plain HTTP only on 127.0.0.0/8; else "
                     "TLS from [api] tls_cert/tls_key)");
      run.add_option("--keys", o.keys, "API key file (`ttq keys init`), mode 0600");
      run.add_option("--api-audit", o.audit, "audit log (default: [api] audit_log)");
    },
    start_api,
    stop_api,
});

}  // namespace
