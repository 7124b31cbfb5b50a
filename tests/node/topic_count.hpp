#pragma once
// Test support: how many notifications of one topic a recorder holds.
#include <cstddef>
#include <string>

#include "weft/es/recorder.hpp"

namespace weft::node::testing {

inline std::size_t count_topic(es::recorder& recorder, const std::string& topic) {
  es::notification_query query;
  query.limit = 10'000'000;
  query.topics = {topic};
  return recorder.select_notifications(query).size();
}

}  // namespace weft::node::testing
