#pragma once
// Reading a batch of commands from an application's client lanes: the loop a
// worker's poller and the single runner share, so both read, decode and
// report bad input the same way.
#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include "weft/node/inbound.hpp"
#include "weft/shm/ingress.hpp"

namespace weft::node {

/// Reads up to `limit` commands from `ingress` into the first requests of
/// `into`, decoding over the ones a previous batch left there (their strings
/// keep their memory; the vector grows as needed, never shrinks). Skips those
/// an incarnation before this one took, marks the others taken (before any
/// runs: a restart then knows what was lost), then releases what it read. A
/// corrupt lane is skipped, a record that does not decode is dropped (it has
/// no correlation id to answer); each is reported to `problem` with a
/// message naming the lane. Returns how many it read.
std::size_t read_commands(shm::ingress_server& ingress, std::vector<command_request>& into,
                          std::size_t limit,
                          const std::function<void(const std::string&)>& problem);

}  // namespace weft::node
