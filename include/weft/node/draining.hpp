#pragma once
// Shutting a system down without losing its last steps: first no new
// commands, then followers finish what their leaders recorded, then the
// workers stop. Both hosted runners (threads, processes) stop this way.
#include "weft/shm/segment.hpp"

namespace weft::node {

/// Marks every running or still-starting process of `segment` as stopping:
/// its worker answers new commands with an error instead of running them.
/// The owner of the segment (runner or supervisor) only.
void refuse_new_commands(shm::segment& segment);

/// True once every follower has tracked every notification its leaders
/// recorded (as the process table shows them; a gauge, read relaxed). @threadsafe
[[nodiscard]] bool followers_caught_up(shm::segment& segment);

}  // namespace weft::node
