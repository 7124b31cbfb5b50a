#include "weft/es/process_application.hpp"

#include <algorithm>

#include "weft/core/same_bytes.hpp"

namespace weft::es {

process_application::process_application(app_context context)
    : application(std::move(context)), batch_size_(options().get_uint("batch_size", 100)) {
  if (batch_size_ == 0)
    throw invalid_input("application '" + name() + "': batch_size must be at least 1");
}

process_application::~process_application() = default;

const std::vector<std::string>& process_application::follow_topics() const noexcept {
  return follow_topics_;
}

std::size_t process_application::batch_size() const noexcept {
  return batch_size_;
}

void process_application::set_follow_topics(std::vector<std::string> topics) {
  follow_topics_ = std::move(topics);
  pull_query_.topics = follow_topics_;
}

void process_application::policy(const event_view&, processing&) {}

void process_application::add_handler(handler entry) {
  for (const auto& existing : handlers_)
    if (existing.topic == entry.topic)
      throw error("application '" + name() + "' has a handler for topic '" + entry.topic +
                  "' already");
  handlers_.push_back(std::move(entry));
}

bool process_application::follows(std::string_view topic) const noexcept {
  return follow_topics_.empty() ||
         std::find(follow_topics_.begin(), follow_topics_.end(), topic) != follow_topics_.end();
}

std::size_t process_application::handler_for(std::string_view topic) const noexcept {
  for (std::size_t i = 0; i < handlers_.size(); ++i)
    if (handlers_[i].topic == topic) return i;
  return no_handler;
}

std::uint64_t& process_application::cached_position(std::string_view upstream) {
  // Calls come in runs for one upstream: try the last one first.
  if (last_position_ < positions_.size() && positions_[last_position_].first == upstream)
    return positions_[last_position_].second;
  for (std::size_t i = 0; i < positions_.size(); ++i)
    if (positions_[i].first == upstream) {
      last_position_ = i;
      return positions_[i].second;
    }
  positions_.emplace_back(std::string(upstream), events().max_tracking_id(upstream));
  last_position_ = positions_.size() - 1;
  return positions_.back().second;
}

std::uint64_t process_application::position(std::string_view upstream) {
  return cached_position(upstream);
}

process_outcome process_application::process(std::string_view upstream,
                                             std::span<const notification> batch,
                                             std::uint64_t through) {
  std::uint64_t& position = cached_position(upstream);
  process_outcome total;
  total.position = position;
  std::size_t next = 0;
  while (next < batch.size() && batch[next].id <= total.position) {
    ++next;
    ++total.skipped;
  }
  for (std::size_t i = next + 1; i < batch.size(); ++i)
    if (batch[i].id <= batch[i - 1].id)
      throw invalid_input("application '" + name() + "': notifications of '" +
                          std::string(upstream) + "' out of order (" +
                          std::to_string(batch[i - 1].id) + " then " + std::to_string(batch[i].id) +
                          ")");
  if (next == batch.size()) {
    // Nothing new to process; still record that everything up to `through` was seen.
    if (through > total.position) total += process_chunk(upstream, position, {}, through);
    return total;
  }
  while (next < batch.size()) {
    const std::size_t count = std::min(batch_size_, batch.size() - next);
    const auto chunk = batch.subspan(next, count);
    std::uint64_t track_to = chunk.back().id;
    if (next + count == batch.size()) track_to = std::max(track_to, through);
    total += process_chunk(upstream, position, chunk, track_to);
    // A concurrent writer may have moved the position past some of what is left.
    next += count;
    while (next < batch.size() && batch[next].id <= total.position) {
      ++next;
      ++total.skipped;
    }
  }
  return total;
}

process_outcome process_application::process_chunk(std::string_view upstream,
                                                   std::uint64_t& position,
                                                   std::span<const notification> chunk,
                                                   std::uint64_t track_to) {
  process_outcome out;
  begin_staging();
  try {
    // Upstream events come in runs of one topic: whether it is followed and
    // which handler takes it is looked up once per run, found by comparing
    // each topic with the one before it.
    const std::string* run_topic = nullptr;
    bool followed = false;
    std::size_t handler = no_handler;
    for (const auto& source : chunk) {
      const std::string& topic = source.event.topic;
      if (run_topic == nullptr || !same_text(topic, *run_topic)) [[unlikely]] {
        run_topic = &topic;
        followed = follows(topic);
        handler = handler_for(topic);
      }
      if (!followed) continue;
      processing context(*this, upstream, source);
      if (handler != no_handler)
        handlers_[handler].invoke(*this, handlers_[handler], source, context);
      else
        policy(event_view(source), context);
      ++out.processed;
    }
  } catch (...) {
    discard_staged();
    throw;
  }
  const tracking tracked{std::string(upstream), track_to};
  try {
    out.recorded = commit_staged(std::span(&tracked, 1));  // moves the position: committed()
  } catch (const integrity_error& e) {
    // Either someone else tracked (part of) this chunk first, or an aggregate
    // the policy saved was stale. The recorder knows which.
    const std::uint64_t now = events().max_tracking_id(upstream);
    if (now > position) {
      position = now;
      out = process_outcome{};
      out.position = now;
      if (now >= track_to) {
        out.skipped = chunk.size();
        return out;
      }
      // Only part of the chunk was done elsewhere: do the rest.
      std::size_t done = 0;
      while (done < chunk.size() && chunk[done].id <= now) ++done;
      out += process_chunk(upstream, position, chunk.subspan(done), track_to);
      out.skipped += done;
      return out;
    }
    throw concurrency_error("application '" + name() + "' processing '" + std::string(upstream) +
                            "' notifications up to " + std::to_string(track_to) +
                            ": a saved aggregate is stale, nothing was recorded [" + e.what() +
                            "]");
  }
  out.position = position;
  return out;
}

void process_application::committed(std::span<const tracking> tracked) {
  for (const auto& track : tracked) {
    std::uint64_t& position = cached_position(track.upstream);
    position = std::max(position, track.notification_id);
  }
}

process_outcome process_application::pull(std::string_view upstream, const notification_log& leader,
                                          std::optional<std::uint64_t> up_to) {
  return pull(upstream, leader.source(), up_to);
}

process_outcome process_application::pull(std::string_view upstream, recorder& leader,
                                          std::optional<std::uint64_t> up_to) {
  const std::uint64_t stop = up_to ? *up_to : leader.max_notification_id();
  process_outcome total;
  total.position = cached_position(upstream);
  // One query object, reused: its topics are copied once, not per pull.
  pull_query_.limit = batch_size_;
  pull_query_.stop = stop;
  // The buffer is reused across pulls (its notifications' bytes too), unless
  // a policy's effects re-enter pull() while it is in use.
  std::vector<notification> nested;
  auto& batch = pulling_ ? nested : pulled_;
  const bool outer = !pulling_;
  pulling_ = true;
  try {
    while (total.position < stop) {
      pull_query_.start = total.position + 1;
      leader.select_notifications_into(pull_query_, batch);
      if (batch.empty()) break;
      // A short read saw everything up to `stop` (the rest was filtered out).
      const bool short_read = batch.size() < batch_size_;
      total += process(upstream, batch, short_read ? stop : 0);
      if (short_read) break;
    }
  } catch (...) {
    if (outer) pulling_ = false;
    throw;
  }
  if (outer) pulling_ = false;
  return total;
}

}  // namespace weft::es
