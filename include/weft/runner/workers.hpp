#pragma once
// From a system definition to the supervisor's children: one worker process
// per application, each the `weft` executable re-run as `weft worker ...`.
#include <filesystem>
#include <string>
#include <vector>

#include "weft/runner/supervisor.hpp"
#include "weft/runner/system_spec.hpp"

namespace weft::runner {

struct worker_plan {
  std::filesystem::path executable;  ///< empty: this executable (self_executable())
  std::string segment;               ///< shared-memory segment the workers attach to
  std::filesystem::path data_dir;    ///< usually spec.data_dir or `weft run --data`
  std::string log_level = "info";
  std::vector<std::string> apps;  ///< empty: every application; else these (checked)
};

/// One child per application (in file order, or only `plan.apps`); throws
/// invalid_input naming an application in plan.apps that the system lacks.
std::vector<child_spec> worker_children(const system_spec& spec, const worker_plan& plan);

/// The supervisor settings a system file asks for ([supervision]).
supervisor_options supervisor_options_for(const system_spec& spec);

/// Where a worker writes its log: <data_dir>/<app>.log.
std::filesystem::path worker_log_file(const std::filesystem::path& data_dir,
                                      const std::string& app);

}  // namespace weft::runner
