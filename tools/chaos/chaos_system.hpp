#pragma once
// What the harness needs to know about a system it torments: how to write its
// system file, what load to submit, and which domain invariants to check on
// its recorders. Two are built in: the shop and the bank (bank/bank.hpp).
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "weft/es/application_registry.hpp"
#include "weft/es/stored_event.hpp"

namespace chaos {

/// One command of the load, number `index` of the run.
struct command {
  std::string app;
  std::string name;
  std::string args_json;
};

/// What became of each command of the load, by index.
enum class fate : std::uint8_t { unsent, pending, acknowledged, refused, lost };

/// Collects problems: every one is counted, the first few are kept verbatim.
class findings {
 public:
  void add(std::string what);
  [[nodiscard]] std::uint64_t count() const noexcept { return count_; }
  [[nodiscard]] const std::vector<std::string>& examples() const noexcept { return examples_; }

 private:
  std::uint64_t count_ = 0;
  std::vector<std::string> examples_;
};

/// Checks a system's own invariants while the audit scans every notification
/// of every application once, in id order.
class domain_audit {
 public:
  virtual ~domain_audit() = default;
  virtual void visit(const std::string& app, const weft::es::notification& note) = 0;
  /// After the scan; `fates` says which commands were acknowledged or lost.
  virtual void finish(const std::vector<fate>& fates, findings& violations,
                      std::map<std::string, std::uint64_t>& facts) = 0;
};

struct chaos_system {
  std::string name;  ///< the system's name in its file (and in `weft ls`)
  /// Writes the system file into `dir` and returns its path.
  std::function<std::filesystem::path(const std::filesystem::path& dir)> write_system_file;
  std::function<void(weft::es::application_registry&)> register_types;
  /// Command number `index`; the same index always gives the same command.
  std::function<command(std::uint64_t index, std::uint64_t seed)> command_of;
  /// True when sending a command again is harmless (idempotent by an id in it).
  bool idempotent = false;
  std::function<std::unique_ptr<domain_audit>()> make_audit;
};

/// `name` names the system (and so its segment): runs that share a machine need their own.
chaos_system shop_system(const std::filesystem::path& plugin, const std::string& name);
chaos_system bank_system(const std::filesystem::path& plugin, const std::string& name,
                         std::uint32_t accounts);

/// The [supervision] and [batching] tables the harness gives both systems:
/// restarts are the point of the exercise, so the budget is large.
std::string chaos_tables();

}  // namespace chaos
