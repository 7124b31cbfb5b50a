#include "weft/runner/system_file.hpp"

#include <algorithm>
#include <fstream>
#include <limits>
#include <sstream>

#include <toml++/toml.h>

#include "suggest.hpp"
#include "weft/store/sqlite_recorder.hpp"

namespace weft::runner {
namespace {

namespace fs = std::filesystem;

source_line where_of(const toml::source_region& region) {
  return {static_cast<int>(region.begin.line), static_cast<int>(region.begin.column)};
}

std::string describe_type(const toml::node& node) {
  switch (node.type()) {
    case toml::node_type::table:
      return "a table";
    case toml::node_type::array:
      return "an array";
    case toml::node_type::string:
      return "a string";
    case toml::node_type::integer:
      return "an integer";
    case toml::node_type::floating_point:
      return "a float";
    case toml::node_type::boolean:
      return "a boolean";
    case toml::node_type::date:
      return "a date";
    case toml::node_type::time:
      return "a time";
    case toml::node_type::date_time:
      return "a date-time";
    case toml::node_type::none:
      break;
  }
  return "nothing";
}

std::string join(const std::string& path, std::string_view key) {
  return path.empty() ? std::string(key) : path + "." + std::string(key);
}

// Names end up in file names, log names and the segment name: keep them plain.
bool is_plain_name(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.';
  });
}

std::string trim(std::string_view text) {
  const auto first = text.find_first_not_of(" \t");
  if (first == std::string_view::npos) return {};
  const auto last = text.find_last_not_of(" \t");
  return std::string(text.substr(first, last - first + 1));
}

nlohmann::json to_json(const toml::node& node) {
  if (const auto* table = node.as_table()) {
    auto object = nlohmann::json::object();
    for (auto&& [key, value] : *table) object[std::string(key.str())] = to_json(value);
    return object;
  }
  if (const auto* array = node.as_array()) {
    auto list = nlohmann::json::array();
    for (const auto& item : *array) list.push_back(to_json(item));
    return list;
  }
  if (const auto* text = node.as_string()) return text->get();
  if (const auto* integer = node.as_integer()) return integer->get();
  if (const auto* real = node.as_floating_point()) return real->get();
  if (const auto* flag = node.as_boolean()) return flag->get();
  std::ostringstream out;  // dates and times: kept as their TOML text
  node.visit([&out](const auto& value) { out << value; });
  return out.str();
}

// Reads one parsed file. Every failure goes through fail(), so every message
// has the shape "file:line:col: key: problem".
class reader {
 public:
  reader(std::string display_name, fs::path base_dir)
      : file_(std::move(display_name)), base_dir_(std::move(base_dir)) {}

  [[noreturn]] void fail(source_line at, std::string_view key, std::string_view problem) const {
    std::string message = file_;
    if (at.line > 0) message += ":" + std::to_string(at.line) + ":" + std::to_string(at.column);
    message += ": ";
    if (!key.empty()) message.append(key).append(": ");
    message.append(problem);
    throw system_file_error(message);
  }

  // Unknown keys are errors: a typo must not silently fall back to a default.
  void only_keys(const toml::table& table, const std::string& path,
                 const std::vector<std::string>& allowed) const {
    for (auto&& [key, node] : table) {
      if (std::find(allowed.begin(), allowed.end(), key.str()) == allowed.end())
        fail(where_of(key.source()), join(path, key.str()),
             "unknown key" + detail::did_you_mean(key.str(), allowed));
    }
  }

  [[noreturn]] void wrong_type(const toml::node& node, const std::string& key,
                               std::string_view expected) const {
    fail(where_of(node.source()), key,
         "expected " + std::string(expected) + ", got " + describe_type(node));
  }

  std::optional<std::string> string_of(const toml::table& table, std::string_view key,
                                       const std::string& path) const {
    const toml::node* node = table.get(key);
    if (node == nullptr) return std::nullopt;
    if (const auto* text = node->as_string()) return text->get();
    wrong_type(*node, join(path, key), "a string");
  }

  std::string required_string(const toml::table& table, std::string_view key,
                              const std::string& path) const {
    auto value = string_of(table, key, path);
    if (!value)
      fail(where_of(table.source()), path.empty() ? std::string(key) : path,
           "missing required key '" + std::string(key) + "'");
    return *value;
  }

  // An integer in [min, max], or `fallback` when absent.
  std::int64_t integer_of(const toml::table& table, std::string_view key, const std::string& path,
                          std::int64_t min, std::int64_t max, std::int64_t fallback) const {
    const toml::node* node = table.get(key);
    if (node == nullptr) return fallback;
    const auto* integer = node->as_integer();
    if (integer == nullptr) wrong_type(*node, join(path, key), "an integer");
    const std::int64_t value = integer->get();
    if (value < min || value > max)
      fail(where_of(node->source()), join(path, key),
           "must be between " + std::to_string(min) + " and " + std::to_string(max) + ", not " +
               std::to_string(value));
    return value;
  }

  const toml::table* table_of(const toml::table& table, std::string_view key,
                              const std::string& path) const {
    const toml::node* node = table.get(key);
    if (node == nullptr) return nullptr;
    if (const auto* inner = node->as_table()) return inner;
    wrong_type(*node, join(path, key), "a table");
  }

  const toml::array* array_of(const toml::table& table, std::string_view key,
                              const std::string& path) const {
    const toml::node* node = table.get(key);
    if (node == nullptr) return nullptr;
    if (const auto* inner = node->as_array()) return inner;
    wrong_type(*node, join(path, key), "an array");
  }

  fs::path resolve(std::string_view relative) const {
    return (base_dir_ / fs::path(relative)).lexically_normal();
  }

  system_spec read(const toml::table& root, fs::path source) const;

 private:
  persistence_spec read_persistence(const toml::table& table, const std::string& path,
                                    persistence_spec spec) const;
  application_spec read_application(const toml::table& table, const std::string& path,
                                    const persistence_spec& system_persistence) const;
  pipe_spec read_pipe(const toml::node& node, const std::string& path) const;
  ring_spec read_rings(const toml::table& table) const;
  batching_spec read_batching(const toml::table& table) const;
  supervision_spec read_supervision(const toml::table& table) const;
  void check_pipes(const system_spec& spec) const;
  void check_turn_timeout(const system_spec& spec, const toml::table* supervision) const;

  std::string file_;
  fs::path base_dir_;
};

persistence_spec reader::read_persistence(const toml::table& table, const std::string& path,
                                          persistence_spec spec) const {
  only_keys(table, path, {"kind", "durability", "dsn"});
  if (auto kind = string_of(table, "kind", path)) {
    if (*kind == "memory")
      spec.backend = persistence_spec::kind::memory;
    else if (*kind == "sqlite")
      spec.backend = persistence_spec::kind::sqlite;
    else if (*kind == "postgres")
      spec.backend = persistence_spec::kind::postgres;
    else
      fail(where_of(table.get("kind")->source()), join(path, "kind"),
           "unknown persistence '" + *kind + "' (expected memory, sqlite or postgres)" +
               detail::did_you_mean(*kind, {"memory", "sqlite", "postgres"}));
  }
  if (auto durability = string_of(table, "durability", path)) {
    const auto at = where_of(table.get("durability")->source());
    if (spec.backend != persistence_spec::kind::sqlite)
      fail(at, join(path, "durability"), "applies to kind = \"sqlite\" only");
    if (*durability == "full")
      spec.sync = persistence_spec::durability::full;
    else if (*durability == "normal")
      spec.sync = persistence_spec::durability::normal;
    else
      fail(at, join(path, "durability"),
           "unknown durability '" + *durability + "' (expected full or normal)");
  }
  if (auto dsn = string_of(table, "dsn", path)) {
    if (spec.backend != persistence_spec::kind::postgres)
      fail(where_of(table.get("dsn")->source()), join(path, "dsn"),
           "applies to kind = \"postgres\" only");
    spec.dsn = *dsn;
  }
  if (spec.backend == persistence_spec::kind::postgres && spec.dsn.empty())
    fail(where_of(table.source()), path, "kind = \"postgres\" needs a dsn");
  return spec;
}

application_spec reader::read_application(const toml::table& table, const std::string& path,
                                          const persistence_spec& system_persistence) const {
  only_keys(table, path, {"name", "type", "options", "persistence"});
  application_spec app;
  app.where = where_of(table.source());
  app.name = required_string(table, "name", path);
  if (!is_plain_name(app.name))
    fail(where_of(table.get("name")->source()), join(path, "name"),
         "'" + app.name + "' is not a valid name (1 to 64 of A-Z a-z 0-9 _ - .)");
  const std::string named = path + " ('" + app.name + "')";
  app.type = required_string(table, "type", named);
  if (app.type.empty()) fail(where_of(table.get("type")->source()), join(path, "type"), "is empty");
  app.type_where = where_of(table.get("type")->source());
  if (const auto* options = table_of(table, "options", path)) {
    // Applications read options as flat key/value text (es::options).
    for (auto&& [key, value] : *options)
      if (value.is_table() || value.is_array())
        wrong_type(value, join(join(path, "options"), key.str()),
                   "a string, number or boolean (options are flat key/value pairs)");
    app.options = to_json(*options);
  }
  if (const auto* persistence = table_of(table, "persistence", path))
    app.persistence = read_persistence(*persistence, join(path, "persistence"), system_persistence);
  return app;
}

pipe_spec reader::read_pipe(const toml::node& node, const std::string& path) const {
  pipe_spec pipe;
  pipe.where = where_of(node.source());
  if (const auto* text = node.as_string()) {
    // "Orders | Reservations | Orders": the shell-like form reads like the graph.
    std::string_view rest = text->get();
    while (true) {
      const auto bar = rest.find('|');
      std::string name = trim(rest.substr(0, bar));
      if (name.empty()) fail(pipe.where, path, "empty application name in \"" + text->get() + "\"");
      pipe.names.push_back(std::move(name));
      pipe.name_where.push_back(pipe.where);
      if (bar == std::string_view::npos) break;
      rest.remove_prefix(bar + 1);
    }
  } else if (const auto* names = node.as_array()) {
    for (std::size_t i = 0; i < names->size(); ++i) {
      const toml::node& item = *names->get(i);
      const std::string item_path = path + "[" + std::to_string(i) + "]";
      const auto* name = item.as_string();
      if (name == nullptr) wrong_type(item, item_path, "an application name (string)");
      pipe.names.push_back(name->get());
      pipe.name_where.push_back(where_of(item.source()));
    }
  } else {
    wrong_type(node, path, "an array of application names or a string \"A | B | C\"");
  }
  if (pipe.names.size() < 2)
    fail(pipe.where, path, "a pipe needs at least two applications (a leader and a follower)");
  return pipe;
}

ring_spec reader::read_rings(const toml::table& table) const {
  only_keys(table, "rings", {"edge_bytes", "ingress_bytes"});
  ring_spec rings;
  auto power_of_two = [&](std::string_view key, std::uint32_t fallback) {
    const auto value = integer_of(table, key, "rings", 4096, std::int64_t{1} << 30, fallback);
    if ((value & (value - 1)) != 0)
      fail(where_of(table.get(key)->source()), join("rings", key),
           "must be a power of two, not " + std::to_string(value));
    return static_cast<std::uint32_t>(value);
  };
  rings.edge_bytes = power_of_two("edge_bytes", rings.edge_bytes);
  rings.ingress_bytes = power_of_two("ingress_bytes", rings.ingress_bytes);
  return rings;
}

batching_spec reader::read_batching(const toml::table& table) const {
  only_keys(table, "batching", {"section_events", "group_commit"});
  batching_spec batching;
  batching.section_events = static_cast<std::uint32_t>(
      integer_of(table, "section_events", "batching", 1, 1 << 20, batching.section_events));
  batching.group_commit = static_cast<std::uint32_t>(
      integer_of(table, "group_commit", "batching", 1, 1 << 20, batching.group_commit));
  return batching;
}

supervision_spec reader::read_supervision(const toml::table& table) const {
  using std::chrono::milliseconds;
  using std::chrono::seconds;
  const std::string path = "supervision";
  only_keys(table, path,
            {"max_restarts", "window_seconds", "backoff_initial_ms", "backoff_max_ms",
             "stop_timeout_ms", "heartbeat_timeout_ms", "turn_timeout_ms"});
  supervision_spec s;
  constexpr std::int64_t hour_ms = 3'600'000;
  s.max_restarts = static_cast<std::uint32_t>(
      integer_of(table, "max_restarts", path, 0, 1'000'000, s.max_restarts));
  s.window = seconds(integer_of(table, "window_seconds", path, 1, 86'400,
                                std::chrono::duration_cast<seconds>(s.window).count()));
  s.backoff_initial = milliseconds(
      integer_of(table, "backoff_initial_ms", path, 0, hour_ms, s.backoff_initial.count()));
  s.backoff_max =
      milliseconds(integer_of(table, "backoff_max_ms", path, 0, hour_ms, s.backoff_max.count()));
  if (s.backoff_max < s.backoff_initial) {
    const toml::node* at = table.get("backoff_max_ms");
    fail(where_of(at ? at->source() : table.source()), join(path, "backoff_max_ms"),
         "must not be less than backoff_initial_ms (" + std::to_string(s.backoff_initial.count()) +
             ")");
  }
  s.stop_timeout =
      milliseconds(integer_of(table, "stop_timeout_ms", path, 0, hour_ms, s.stop_timeout.count()));
  s.heartbeat_timeout = milliseconds(
      integer_of(table, "heartbeat_timeout_ms", path, 100, hour_ms, s.heartbeat_timeout.count()));
  s.turn_timeout = milliseconds(
      integer_of(table, "turn_timeout_ms", path, 100, hour_ms, s.turn_timeout.count()));
  return s;
}

void reader::check_pipes(const system_spec& spec) const {
  std::vector<std::string> known;
  for (const auto& app : spec.applications) known.push_back(app.name);
  for (std::size_t p = 0; p < spec.pipes.size(); ++p) {
    const auto& pipe = spec.pipes[p];
    for (std::size_t i = 0; i < pipe.names.size(); ++i) {
      if (spec.find(pipe.names[i]) != nullptr) continue;
      fail(pipe.name_where[i], "pipes[" + std::to_string(p) + "]",
           "unknown application '" + pipe.names[i] + "'" +
               detail::did_you_mean(pipe.names[i], known));
    }
  }
}

// A turn may wait on a locked SQLite file for the whole busy timeout: a turn
// limit below it would restart a worker that is only waiting its turn.
void reader::check_turn_timeout(const system_spec& spec, const toml::table* supervision) const {
  const auto busy_timeout = store::sqlite_options{}.busy_timeout;
  if (spec.supervision.turn_timeout >= busy_timeout) return;
  const auto on_sqlite = std::find_if(
      spec.applications.begin(), spec.applications.end(), [&](const application_spec& app) {
        return spec.persistence_of(app).backend == persistence_spec::kind::sqlite;
      });
  if (on_sqlite == spec.applications.end()) return;
  // Below the default, so the file set it: the table and the key are there.
  fail(where_of(supervision->get("turn_timeout_ms")->source()), "supervision.turn_timeout_ms",
       std::to_string(spec.supervision.turn_timeout.count()) +
           " ms is less than SQLite's busy timeout (" + std::to_string(busy_timeout.count()) +
           " ms), and '" + on_sqlite->name +
           "' records on SQLite: a turn waiting for a locked database would be taken for a hang");
}

system_spec reader::read(const toml::table& root, fs::path source) const {
  only_keys(root, "",
            {"name", "data_dir", "plugins", "pipes", "persistence", "rings", "batching",
             "supervision", "applications"});
  system_spec spec;
  spec.source = std::move(source);
  spec.name = required_string(root, "name", "");
  if (!is_plain_name(spec.name))
    fail(where_of(root.get("name")->source()), "name",
         "'" + spec.name + "' is not a valid name (1 to 64 of A-Z a-z 0-9 _ - .)");

  spec.data_dir = resolve(string_of(root, "data_dir", "").value_or(spec.name + "-data"));
  if (const auto* plugins = array_of(root, "plugins", "")) {
    for (std::size_t i = 0; i < plugins->size(); ++i) {
      const toml::node& item = *plugins->get(i);
      const auto* path = item.as_string();
      if (path == nullptr || path->get().empty())
        wrong_type(item, "plugins[" + std::to_string(i) + "]", "a path to a shared library");
      spec.plugins.push_back(resolve(path->get()));
      spec.plugin_where.push_back(where_of(item.source()));
    }
  }
  if (const auto* table = table_of(root, "persistence", ""))
    spec.persistence = read_persistence(*table, "persistence", spec.persistence);
  if (const auto* table = table_of(root, "rings", "")) spec.rings = read_rings(*table);
  if (const auto* table = table_of(root, "batching", "")) spec.batching = read_batching(*table);
  const auto* supervision = table_of(root, "supervision", "");
  if (supervision != nullptr) spec.supervision = read_supervision(*supervision);

  const auto* apps = array_of(root, "applications", "");
  if (apps == nullptr || apps->empty())
    fail({}, "applications",
         "a system needs at least one application: add [[applications]] with name and type");
  for (std::size_t i = 0; i < apps->size(); ++i) {
    const std::string path = "applications[" + std::to_string(i) + "]";
    const toml::node& node = *apps->get(i);
    const auto* table = node.as_table();
    if (table == nullptr) wrong_type(node, path, "a table ([[applications]])");
    application_spec app = read_application(*table, path, spec.persistence);
    if (const auto* first = spec.find(app.name))
      fail(where_of(table->get("name")->source()), join(path, "name"),
           "duplicate application name '" + app.name + "' (first defined at line " +
               std::to_string(first->where.line) + ")");
    spec.applications.push_back(std::move(app));
  }

  if (const auto* pipes = array_of(root, "pipes", "")) {
    for (std::size_t i = 0; i < pipes->size(); ++i)
      spec.pipes.push_back(read_pipe(*pipes->get(i), "pipes[" + std::to_string(i) + "]"));
  }
  check_pipes(spec);
  check_turn_timeout(spec, supervision);
  return spec;
}

}  // namespace

const application_spec* system_spec::find(std::string_view app_name) const {
  for (const auto& app : applications)
    if (app.name == app_name) return &app;
  return nullptr;
}

const persistence_spec& system_spec::persistence_of(const application_spec& app) const {
  return app.persistence ? *app.persistence : persistence;
}

std::string_view to_string(persistence_spec::kind kind) {
  switch (kind) {
    case persistence_spec::kind::memory:
      return "memory";
    case persistence_spec::kind::sqlite:
      return "sqlite";
    case persistence_spec::kind::postgres:
      return "postgres";
  }
  return "?";
}

std::string_view to_string(persistence_spec::durability sync) {
  return sync == persistence_spec::durability::full ? "full" : "normal";
}

system_spec parse_system_file(std::string_view text, const fs::path& file) {
  const std::string display = file.string();
  const fs::path absolute = fs::absolute(file).lexically_normal();
  reader read(display, absolute.parent_path());
  toml::table root;
  try {
    root = toml::parse(text, display);
  } catch (const toml::parse_error& e) {
    read.fail(where_of(e.source()), "", "syntax error: " + std::string(e.description()));
  }
  return read.read(root, absolute);
}

system_spec load_system_file(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    std::error_code ec;
    const bool exists = fs::exists(file, ec);
    throw system_file_error(file.string() + ": cannot read system file (" +
                            (exists ? "permission denied or not a regular file" : "no such file") +
                            ")");
  }
  std::ostringstream text;
  text << in.rdbuf();
  if (fs::is_directory(file)) throw system_file_error(file.string() + ": is a directory");
  return parse_system_file(text.str(), file);
}

}  // namespace weft::runner
