#pragma once
// An application's notification log seen in sections, the way followers on
// other processes or hosts read it: section "a,b" holds notifications with
// ids a..b and names the next section. Ids may have gaps (a recorder whose
// transactions commit out of order, or a filtered view): readers follow
// next_id and never assume that ids are contiguous.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "weft/es/recorder.hpp"

namespace weft::es {

struct section {
  /// "first,last" of the items returned (the requested id when there are none).
  std::string id;
  std::vector<notification> items;
  /// The section to read next, or nullopt at the end of the log.
  std::optional<std::string> next_id;
};

/// A view of a recorder's notifications. Cheap to copy; does not own the recorder.
class notification_log {
 public:
  explicit notification_log(recorder& source, std::size_t section_size = 10);

  /// The section "first,last" (1 <= first <= last, at most section_size ids
  /// are read). A malformed id is a weft::invalid_input naming it.
  [[nodiscard]] section operator[](std::string_view section_id) const;

  /// Notifications with ids from `start`, at most `limit`, up to `stop`, of `topics` (empty: all).
  [[nodiscard]] std::vector<notification> select(std::uint64_t start, std::size_t limit,
                                                 std::optional<std::uint64_t> stop = {},
                                                 std::vector<std::string> topics = {}) const;

  [[nodiscard]] std::uint64_t max_id() const;
  [[nodiscard]] std::size_t section_size() const noexcept { return section_size_; }
  [[nodiscard]] recorder& source() const noexcept { return *source_; }

  /// "first,last"
  static std::string section_id(std::uint64_t first, std::uint64_t last);

 private:
  recorder* source_;
  std::size_t section_size_;
};

/// Reads a notification log section by section from a position on.
class notification_log_reader {
 public:
  explicit notification_log_reader(notification_log log) : log_(log) {}

  /// Calls `visit` for every notification with id >= start, in order,
  /// following the sections' next ids across gaps. Returns the last id seen (or start - 1).
  std::uint64_t read(std::uint64_t start,
                     const std::function<void(const notification&)>& visit) const;

  /// Every notification with id >= start (convenience for tests and tools).
  [[nodiscard]] std::vector<notification> read(std::uint64_t start = 1) const;

 private:
  notification_log log_;
};

}  // namespace weft::es
