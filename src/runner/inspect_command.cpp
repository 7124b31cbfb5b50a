// weft ls, ps, top, events: read-only views of running systems.
#include <ostream>

#include "weft/runner/commands.hpp"

namespace weft::runner {

int inspect_command(const inspect_options& options, std::ostream& /*out*/) {
  switch (options.what) {
    case inspect_options::view::ls:
      throw unavailable_error("weft ls: not available in this build yet");
    case inspect_options::view::ps:
      throw unavailable_error("weft ps: not available in this build yet");
    case inspect_options::view::top:
      throw unavailable_error("weft top: not available in this build yet");
    case inspect_options::view::events:
      throw unavailable_error("weft events: not available in this build yet");
  }
  throw unavailable_error("weft: not available in this build yet");
}

}  // namespace weft::runner
