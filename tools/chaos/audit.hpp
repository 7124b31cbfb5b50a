#pragma once
// The verdict, from the recorders alone: opens every application's SQLite
// file read-only after the system stopped and checks what exactly-once means.
//   - notification ids are 1..max without a gap, per application;
//   - each originator's versions are 1, 2, 3... in log order (none twice);
//   - each follower's tracking position on each upstream is at least the id of
//     the upstream's last notification of a topic the follower follows, and at
//     most the upstream's last id (followers drained, nothing invented);
//   - the system's own invariants (domain_audit).
#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "chaos_system.hpp"
#include "weft/runner/system_spec.hpp"

namespace chaos {

struct audit_result {
  std::map<std::string, std::uint64_t> events_per_app;
  std::map<std::string, std::uint64_t> facts;  ///< the domain audit's counts
  findings violations;
};

audit_result audit_recorders(const weft::runner::system_spec& spec,
                             const std::filesystem::path& data_dir, const chaos_system& system,
                             const std::vector<fate>& fates);

}  // namespace chaos
