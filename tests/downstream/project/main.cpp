// A downstream program: records an event through the installed library.
#include <iostream>

#include <weft/weft.hpp>

int main() {
  auto recorder = weft::store::make_memory_recorder();
  weft::es::stored_event event{weft::uuid::random(), 1, "hello.Said", {1, 2, 3}};
  const auto ids = recorder->insert_events(std::span(&event, 1));
  if (ids.size() != 1 || recorder->max_notification_id() != 1) return 1;
  std::cout << "downstream ok\n";
  return 0;
}
