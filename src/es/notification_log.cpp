#include "weft/es/notification_log.hpp"

#include <algorithm>
#include <charconv>

#include "weft/core/error.hpp"

namespace weft::es {
namespace {

std::uint64_t parse_id(std::string_view text, std::string_view section_id) {
  std::uint64_t value = 0;
  const auto [end, problem] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || problem != std::errc{} || end != text.data() + text.size() || value == 0)
    throw invalid_input("notification log section id '" + std::string(section_id) +
                        "' is not 'first,last' with 1 <= first <= last");
  return value;
}

}  // namespace

notification_log::notification_log(recorder& source, std::size_t section_size)
    : source_(&source), section_size_(section_size) {
  if (section_size_ == 0) throw invalid_input("notification log section size must be at least 1");
}

std::string notification_log::section_id(std::uint64_t first, std::uint64_t last) {
  return std::to_string(first) + "," + std::to_string(last);
}

section notification_log::operator[](std::string_view requested) const {
  const auto comma = requested.find(',');
  if (comma == std::string_view::npos)
    throw invalid_input("notification log section id '" + std::string(requested) +
                        "' is not 'first,last'");
  const std::uint64_t first = parse_id(requested.substr(0, comma), requested);
  const std::uint64_t last = parse_id(requested.substr(comma + 1), requested);
  if (last < first)
    throw invalid_input("notification log section id '" + std::string(requested) +
                        "' has last < first");
  const std::uint64_t limit = std::min<std::uint64_t>(last - first + 1, section_size_);
  const std::uint64_t stop = first + limit - 1;

  section out;
  out.items = select(first, limit, stop);
  // The section holds ids first..stop. There is more to read after it if the
  // log goes further, whether or not ids inside it were missing (gaps).
  const std::uint64_t end = out.items.empty() ? stop : out.items.back().id;
  out.id = out.items.empty() ? section_id(first, stop)
                             : section_id(out.items.front().id, out.items.back().id);
  if (out.items.size() == limit || max_id() > stop)
    out.next_id = section_id(std::max(end, stop) + 1, std::max(end, stop) + section_size_);
  return out;
}

std::vector<notification> notification_log::select(std::uint64_t start, std::size_t limit,
                                                   std::optional<std::uint64_t> stop,
                                                   std::vector<std::string> topics) const {
  notification_query query;
  query.start = start;
  query.limit = limit;
  query.stop = stop;
  query.topics = std::move(topics);
  return source_->select_notifications(query);
}

std::uint64_t notification_log::max_id() const {
  return source_->max_notification_id();
}

std::uint64_t notification_log_reader::read(
    std::uint64_t start, const std::function<void(const notification&)>& visit) const {
  std::uint64_t last_seen = start == 0 ? 0 : start - 1;
  std::optional<std::string> next =
      notification_log::section_id(std::max<std::uint64_t>(start, 1),
                                   std::max<std::uint64_t>(start, 1) + log_.section_size() - 1);
  while (next) {
    section current = log_[*next];
    for (const auto& item : current.items) {
      visit(item);
      last_seen = item.id;
    }
    next = std::move(current.next_id);
  }
  return last_seen;
}

std::vector<notification> notification_log_reader::read(std::uint64_t start) const {
  std::vector<notification> out;
  read(start, [&](const notification& item) { out.push_back(item); });
  return out;
}

}  // namespace weft::es
