#include "weft/node/app_host.hpp"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "weft/core/error.hpp"
#include "weft/core/log.hpp"
#include "weft/node/notification_codec.hpp"

namespace weft::node {
namespace {

void add(std::atomic<std::uint64_t>* gauge, std::uint64_t n) noexcept {
  // Gauges are single-writer counters read by tools as a snapshot: relaxed.
  if (gauge != nullptr)
    gauge->store(gauge->load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
}

void set(std::atomic<std::uint64_t>* gauge, std::uint64_t value) noexcept {
  if (gauge != nullptr) gauge->store(value, std::memory_order_relaxed);
}

// A ring refused as corrupt stays refused: waiting for room would stall the
// edge for good, so the host fails and the supervisor restarts it.
[[noreturn]] void throw_corrupt(const std::string& peer, const shm::spsc_producer& ring) {
  throw error("ring to '" + peer + "' is corrupt: " + ring.error());
}

}  // namespace

struct app_host::follower_state {
  std::string name;
  shm::spsc_producer ring;
  std::uint64_t next = 0;    // next notification id this follower should get
  bool prompt_owed = false;  // a prompt could not be pushed yet
};

struct app_host::leader_state {
  std::string name;
  shm::spsc_producer ring;
  upstream_cursor cursor;
  std::atomic<std::uint64_t>* tracking_gauge;
};

app_host::app_host(es::application& app, std::vector<downstream_end> downstream,
                   std::vector<upstream_end> upstream, reply_sink* replies, host_config config,
                   host_gauges gauges)
    : app_(app),
      process_app_(dynamic_cast<es::process_application*>(&app)),
      recent_(dynamic_cast<recent_notifications*>(&app.events())),
      replies_(replies),
      config_(config),
      gauges_(gauges) {
  if (!upstream.empty() && process_app_ == nullptr)
    throw invalid_input("application '" + app.name() +
                        "' follows other applications but is not a process application");
  recorded_max_ = app_.events().max_notification_id();
  for (auto& end : downstream)
    downstream_.push_back(
        {std::move(end.follower), std::move(end.sections), recorded_max_ + 1, true});
  for (auto& end : upstream) {
    const std::uint64_t tracked = process_app_->position(end.leader);
    upstream_.push_back({end.leader, std::move(end.pulls),
                         upstream_cursor(tracked, config_.pull_limit, config_.pull_timeout_ns),
                         end.tracking_gauge});
    set(end.tracking_gauge, tracked);
  }
  set(gauges_.notification_position, recorded_max_);
}

app_host::~app_host() = default;

std::size_t app_host::upstream_count() const noexcept {
  return upstream_.size();
}
std::size_t app_host::downstream_count() const noexcept {
  return downstream_.size();
}

const upstream_cursor& app_host::cursor(std::size_t upstream) const {
  return upstream_.at(upstream).cursor;
}

bool app_host::has_backlog() const noexcept {
  return std::any_of(downstream_.begin(), downstream_.end(), [&](const follower_state& f) {
    return f.prompt_owed || f.next <= recorded_max_;
  });
}

void app_host::start(std::int64_t now_ns) {
  deliver(now_ns);  // prompts every follower with the log's end
  request_pulls(now_ns);
}

std::uint64_t app_host::log_end() {
  // The window ends where this host's last transaction ended (it is the only
  // writer); otherwise ask the recorder (a query on SQLite).
  if (recent_ != nullptr && recent_->last_kept() > recorded_max_) return recent_->last_kept();
  return app_.events().max_notification_id();
}

void app_host::note_recorded(std::uint64_t max_id) noexcept {
  if (max_id <= recorded_max_) return;
  add(gauges_.events_recorded, max_id - recorded_max_);
  recorded_max_ = max_id;
  set(gauges_.notification_position, max_id);
}

void app_host::on_section(std::size_t upstream, std::uint64_t first, std::uint64_t last,
                          std::span<const es::notification> notes, std::int64_t now_ns) {
  auto& leader = upstream_.at(upstream);
  add(gauges_.sections_received, 1);
  // Recycled notifications may follow the section's (see section_pool::finish).
  if (last >= first && notes.size() > last - first + 1) notes = notes.first(last - first + 1);
  if (const auto skip = leader.cursor.on_section(first, last); skip && *skip < notes.size()) {
    const auto outcome = process_app_->process(leader.name, notes.subspan(*skip), last);
    leader.cursor.processed(outcome.position);
    set(leader.tracking_gauge, outcome.position);
    if (outcome.recorded > 0) note_recorded(log_end());
  }
  deliver(now_ns);
  request_pulls(now_ns);
}

void app_host::on_prompt(std::size_t upstream, std::uint64_t max_id, std::int64_t now_ns) {
  upstream_.at(upstream).cursor.on_prompt(max_id);
  request_pulls(now_ns);
}

void app_host::on_pull(std::size_t downstream, std::uint64_t from_id, std::int64_t now_ns) {
  auto& follower = downstream_.at(downstream);
  // The follower knows best where it is: move its cursor there, back or forward.
  follower.next = std::max<std::uint64_t>(from_id, 1);
  if (follower.next > recorded_max_) follower.prompt_owed = true;
  deliver(now_ns);
}

void app_host::on_commands(std::span<const command_request> commands, std::int64_t now_ns) {
  std::vector<es::command_reply> answers;
  answers.reserve(commands.size());
  try {
    auto batch = app_.begin_batch();
    for (const auto& command : commands)
      answers.push_back(command.args ? app_.run_command(command.name, *command.args)
                                     : app_.handle_command(command.name, command.args_json));
    if (batch.commit() > 0) note_recorded(log_end());
  } catch (const std::exception& e) {
    // Nothing of the batch is recorded: every caller learns so, none is told "ok".
    es::command_reply failed;
    failed.error = std::string("not recorded: ") + e.what();
    answers.assign(commands.size(), failed);
    log::get("node." + app_.name())
        ->error("group commit of {} commands failed: {}", commands.size(), e.what());
    if (gauges_.survived_error) gauges_.survived_error(failed.error);
  }
  add(gauges_.commands_handled, commands.size());
  if (replies_ != nullptr) {
    // Most commands return nothing: their reply needs no JSON document built.
    static constexpr std::string_view no_result = R"({"ok":true,"result":null})";
    for (std::size_t i = 0; i < commands.size(); ++i) {
      const auto& answer = answers[i];
      if (answer.ok && answer.result.is_null())
        replies_->reply(commands[i].lane, commands[i].correlation_id, true, no_result);
      else
        replies_->reply(commands[i].lane, commands[i].correlation_id, answer.ok,
                        answer.to_json_text());
    }
  }
  deliver(now_ns);
}

void app_host::refuse_commands(std::span<const command_request> commands, std::string_view why) {
  if (replies_ == nullptr) return;
  es::command_reply refused;
  refused.error = std::string(why);
  const std::string text = refused.to_json_text();
  for (const auto& command : commands)
    replies_->reply(command.lane, command.correlation_id, false, text);
}

bool app_host::tick(std::int64_t now_ns) {
  deliver(now_ns);
  request_pulls(now_ns);
  const bool waiting_for_leader = std::any_of(
      upstream_.begin(), upstream_.end(), [](const leader_state& l) { return l.cursor.lag() > 0; });
  return has_backlog() || waiting_for_leader;
}

void app_host::request_pulls(std::int64_t now_ns) {
  for (auto& leader : upstream_) {
    const auto order = leader.cursor.pull_due(now_ns);
    if (!order) continue;
    const auto pushed =
        shm::protocol::push_pull_request(leader.ring, {order->from_id, order->limit});
    if (pushed == shm::push_result::corrupt) throw_corrupt(leader.name, leader.ring);
    if (pushed == shm::push_result::ok) leader.cursor.pull_sent(*order, now_ns);
    // full: the next tick asks again
  }
}

void app_host::deliver(std::int64_t /*now_ns*/) {
  std::size_t budget = config_.deliver_budget;
  std::uint64_t everyone_has = recorded_max_ + 1;
  for (auto& follower : downstream_) {
    if (follower.next > recorded_max_ || deliver_to(follower, budget)) {
      if (follower.prompt_owed && follower.next > recorded_max_) {
        const auto pushed = shm::protocol::push_prompt(follower.ring, {recorded_max_});
        if (pushed == shm::push_result::corrupt) throw_corrupt(follower.name, follower.ring);
        if (pushed == shm::push_result::ok) follower.prompt_owed = false;
      }
    }
    everyone_has = std::min(everyone_has, follower.next);
  }
  if (recent_ != nullptr) recent_->forget_before(everyone_has);
}

// Pushes [follower.next, recorded_max_] as sections until the ring is full or
// the budget is spent. Returns true when the follower is up to date.
bool app_host::deliver_to(follower_state& follower, std::size_t& budget) {
  while (follower.next <= recorded_max_ && budget > 0) {
    const bool fresh = recent_ != nullptr && recent_->holds(follower.next);
    const auto pushed = fresh ? push_recent(follower, budget) : push_read(follower, budget);
    if (pushed == push_outcome::full) return false;    // tick() resumes from follower.next
    if (pushed == push_outcome::nothing) return true;  // nothing readable yet
  }
  return follower.next > recorded_max_;
}

// How much of a section goes into one record: a quarter of the ring, so
// several sections can be in flight while the follower works. A notification
// bigger than that goes alone.
std::size_t app_host::section_limit(const follower_state& follower) noexcept {
  return follower.ring.max_payload() / 4;
}

// A notification that a section of its own cannot hold stops the edge for good.
void app_host::check_fits(const follower_state& follower, std::size_t item_bytes,
                          std::uint64_t id) const {
  const std::size_t max_payload = follower.ring.max_payload();
  if (shm::protocol::section_fixed_size + shm::protocol::item_prefix_size + item_bytes >
      max_payload)
    throw invalid_input("notification " + std::to_string(id) + " of '" + app_.name() + "' (" +
                        std::to_string(item_bytes) + " bytes) does not fit the ring to '" +
                        follower.name + "' (" + std::to_string(max_payload) + " bytes)");
}

// Claims room for a section of `bytes` on the follower's ring; an empty claim when it is full.
shm::claim app_host::claim_section(follower_state& follower, std::size_t bytes) {
  auto claim = follower.ring.try_claim(
      static_cast<std::uint16_t>(shm::protocol::message_type::section), bytes);
  if (claim.status == shm::push_result::corrupt) throw_corrupt(follower.name, follower.ring);
  return claim;
}

// Writes the section of items_, ids [first, last], into `claim` and publishes it.
app_host::push_outcome app_host::push_section(follower_state& follower, shm::claim& claim,
                                              std::uint64_t first, std::uint64_t last,
                                              std::size_t& budget) {
  shm::protocol::encode_section(claim.payload, first, last, items_);
  follower.ring.commit();
  add(gauges_.sections_sent, 1);
  follower.next = last + 1;
  budget -= std::min(budget, items_.size());
  return push_outcome::pushed;
}

// The fast path: the notifications this host just recorded, encoded already.
// The section is sized from the window's offsets and its room claimed before
// anything is gathered, so a full ring (the follower is slower) costs a probe,
// not a section built again on every retry.
app_host::push_outcome app_host::push_recent(follower_state& follower, std::size_t& budget) {
  const std::uint64_t first = follower.next;
  const std::uint64_t end = std::min(recorded_max_, recent_->last_kept());
  const std::size_t most = std::min(std::size_t{config_.section_items}, budget);
  const std::size_t limit = section_limit(follower);
  const auto section_bytes = [&](std::uint64_t last) {
    return shm::protocol::section_fixed_size +
           (last - first + 1) * shm::protocol::item_prefix_size +
           recent_->encoded_bytes(first, last);
  };
  std::uint64_t last = std::min(end, first + most - 1);
  if (section_bytes(last) > limit) [[unlikely]] {
    if (section_bytes(first) > limit) {
      // Alone in a section, if the ring can hold it at all.
      check_fits(follower, recent_->encoded_bytes(first, first), first);
      last = first;
    } else {
      // The longest run that fits: section_bytes(low) fits, section_bytes(high) does not.
      std::uint64_t low = first, high = last;
      while (high - low > 1) {
        const std::uint64_t middle = low + (high - low) / 2;
        (section_bytes(middle) <= limit ? low : high) = middle;
      }
      last = low;
    }
  }
  auto claim = claim_section(follower, section_bytes(last));
  if (!claim) return push_outcome::full;
  items_.clear();
  recent_->encoded_range(first, last, items_);
  return push_section(follower, claim, first, last, budget);
}

// The slow path: a follower behind the window (it restarted, or pulled from
// further back) gets what the recorder has.
app_host::push_outcome app_host::push_read(follower_state& follower, std::size_t& budget) {
  es::notification_query query;
  query.start = follower.next;
  query.stop = recorded_max_;
  // Read about as many as a quarter ring holds (notifications take 60 bytes
  // or more), not more: what does not fit would be read again next time.
  const std::size_t fit = std::max<std::size_t>(1, follower.ring.max_payload() / 4 / 60);
  query.limit = std::min({std::size_t{config_.section_items}, budget, fit});
  const auto notes = app_.events().select_notifications(query);
  if (notes.empty()) return push_outcome::nothing;

  scratch_.clear();
  ends_.clear();
  const std::size_t limit = section_limit(follower);
  std::size_t section_bytes = shm::protocol::section_fixed_size;
  for (const auto& note : notes) {
    const std::size_t size = encoded_size(note);
    section_bytes += shm::protocol::item_prefix_size + size;
    if (section_bytes > limit) {
      if (!ends_.empty()) break;
      check_fits(follower, size, note.id);
    }
    encode_notification(note, scratch_);
    ends_.push_back(scratch_.size());
  }
  items_.clear();
  std::size_t begin = 0;
  for (const std::size_t end : ends_) {
    items_.emplace_back(reinterpret_cast<const std::byte*>(scratch_.data()) + begin, end - begin);
    begin = end;
  }
  auto claim = claim_section(follower, shm::protocol::section_size(items_));
  if (!claim) return push_outcome::full;
  return push_section(follower, claim, notes.front().id, notes[ends_.size() - 1].id, budget);
}

}  // namespace weft::node
