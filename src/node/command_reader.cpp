#include "weft/node/command_reader.hpp"

namespace weft::node {

std::size_t read_commands(shm::ingress_server& ingress, std::vector<command_request>& into,
                          std::size_t limit,
                          const std::function<void(const std::string&)>& problem) {
  std::size_t read = 0;
  std::uint32_t lane = 0;
  shm::record_view record;
  while (read < limit) {
    const auto status = ingress.try_read(lane, record);
    if (status != shm::read_status::record) {
      if (status == shm::read_status::corrupt)
        problem("client lane " + std::to_string(lane) +
                " is corrupt and ignored: " + ingress.error(lane));
      break;
    }
    if (read == into.size()) into.emplace_back();
    // Decoded and parsed where the actor will read it: no copies on the way.
    if (const auto decoded = decode_command_into(lane, record, into[read])) {
      if (ingress.taken_before(lane, into[read].correlation_id)) continue;
      ingress.mark_taken(lane, into[read].correlation_id);
      ++read;
    } else {
      problem("client lane " + std::to_string(lane) + ": " + decoded.error().message);
    }
  }
  ingress.release_all();
  return read;
}

}  // namespace weft::node
