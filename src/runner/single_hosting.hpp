#pragma once
// `weft run --runner single`: the single-threaded runner serving clients
// through the system's segment (single_hosting.cpp says how).
#include <atomic>
#include <filesystem>
#include <ostream>

#include "weft/runner/system_file.hpp"

namespace weft::runner {

/// Runs `spec` on one thread until `stop_signal` is non-zero; returns an exit status.
int run_single(const system_spec& spec, const std::filesystem::path& data_dir, std::ostream& out,
               const std::atomic<int>& stop_signal);

}  // namespace weft::runner
