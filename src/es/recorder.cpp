// The recorder interface's vtable lives in weft_es, with the default hot-path
// methods, written in terms of the required ones.
#include "weft/es/recorder.hpp"

namespace weft::es {

id_range recorder::append_events(std::span<stored_event> events,
                                 std::span<const tracking> tracked) {
  const auto ids = insert_events(events, tracked);
  if (ids.empty()) return {};
  return {ids.front(), ids.size()};
}

void recorder::select_notifications_into(const notification_query& query,
                                         std::vector<notification>& out) {
  out = select_notifications(query);
}

}  // namespace weft::es
