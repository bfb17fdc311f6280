// The strict TOML reader behind every config section (config.cpp, backtest_config.cpp): unknown
// keys, wrong types and out-of-range values throw a ConfigError that names the key. Internal to
// host/src.
#pragma once

#include <fmt/format.h>

#include <cmath>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <toml++/toml.h>

#include "ttq/config.hpp"

namespace ttq::detail {

struct ConfigReader {
  std::string origin;

  [[noreturn]] void fail(const std::string& key, const std::string& what) const {
    throw ConfigError(fmt::format("{}: config key '{}' {}", origin, key, what));
  }

  void check_keys(const toml::table& t, const std::string& prefix,
                  std::initializer_list<std::string_view> known) const {
    for (const auto& [k, v] : t) {
      bool ok = false;
      for (std::string_view n : known) ok = ok || k.str() == n;
      if (!ok) {
        throw ConfigError(fmt::format("{}: unknown config key '{}{}' (known here: {})", origin,
                                      prefix, k.str(), fmt::join(known, ", ")));
      }
    }
  }

  template <typename T>
  void get_int(const toml::table& t, const std::string& prefix, std::string_view key, T& out,
               std::int64_t lo, std::int64_t hi) const {
    const toml::node* n = t.get(key);
    if (!n) return;
    const std::string full = prefix + std::string(key);
    const auto v = n->value_exact<std::int64_t>();
    if (!v) fail(full, "must be an integer");
    if (*v < lo || *v > hi) fail(full, fmt::format("must be in {}..{} (got {})", lo, hi, *v));
    out = static_cast<T>(*v);
  }

  // A number (integer or float) in [lo, hi].
  void get_num(const toml::table& t, const std::string& prefix, std::string_view key, double& out,
               double lo, double hi) const {
    const toml::node* n = t.get(key);
    if (!n) return;
    const std::string full = prefix + std::string(key);
    double v = 0;
    if (const auto i = n->value_exact<std::int64_t>()) {
      v = static_cast<double>(*i);
    } else if (const auto d = n->value_exact<double>()) {
      v = *d;
    } else {
      fail(full, "must be a number");
    }
    if (!std::isfinite(v) || v < lo || v > hi) {
      fail(full, fmt::format("must be in {}..{} (got {})", lo, hi, v));
    }
    out = v;
  }

  void get_bool(const toml::table& t, const std::string& prefix, std::string_view key,
                bool& out) const {
    const toml::node* n = t.get(key);
    if (!n) return;
    const auto v = n->value_exact<bool>();
    if (!v) fail(prefix + std::string(key), "must be true or false");
    out = *v;
  }

  const toml::table* table(const toml::table& root, std::string_view key) const {
    const toml::node* n = root.get(key);
    if (!n) return nullptr;
    if (!n->is_table()) fail(std::string(key), "must be a table");
    return n->as_table();
  }
};

}  // namespace ttq::detail
