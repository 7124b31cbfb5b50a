#pragma once
// A recorder that keeps everything in process memory: for tests, benchmarks
// and applications whose state may vanish with the process.
#include <memory>

#include "weft/es/recorder.hpp"

namespace weft::store {

std::unique_ptr<es::recorder> make_memory_recorder();

}  // namespace weft::store
