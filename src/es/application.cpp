#include "weft/es/application.hpp"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <iterator>
#include <limits>
#include <optional>
#include <vector>

#include <nlohmann/json.hpp>

#include "aggregate_cache.hpp"
#include "weft/es/detail/recycled_events.hpp"

namespace weft::es {
namespace {

std::size_t cache_capacity(const options& opts) {
  const std::string text = opts.get("cache", "off");
  if (text == "off") return 0;
  if (text == "unbounded") return std::numeric_limits<std::size_t>::max();
  return opts.get_uint("cache", 0);
}

// uuid -> position in a batch's staged aggregates: open addressing over a
// vector kept across batches, so a batch of hundreds of aggregates (a process
// application's) allocates nothing for it once grown, unlike a node-based map.
class staged_index {
 public:
  [[nodiscard]] bool empty() const noexcept { return count_ == 0; }

  /// The position stored for `id`, or npos; `id_at(position)` gives each stored position's id.
  template <class IdAt>
  [[nodiscard]] std::size_t find(const uuid& id, IdAt id_at) const {
    if (count_ == 0) return npos;
    for (std::size_t i = home(id);; i = (i + 1) & mask()) {
      if (slots_[i] == 0) return npos;
      if (id_at(slots_[i] - 1) == id) return slots_[i] - 1;
    }
  }

  /// Stores `position` for `id`, over the position stored for it before, if any.
  template <class IdAt>
  void add(const uuid& id, std::size_t position, IdAt id_at) {
    if ((count_ + 1) * 2 > slots_.size()) {
      std::vector<std::size_t> old(std::max<std::size_t>(64, slots_.size() * 2), 0);
      old.swap(slots_);
      count_ = 0;
      for (std::size_t stored : old)
        if (stored != 0) place(id_at(stored - 1), stored, id_at);
    }
    place(id, position + 1, id_at);
  }

  void clear() noexcept {
    if (count_ == 0) return;
    std::fill(slots_.begin(), slots_.end(), 0);
    count_ = 0;
  }

  static constexpr std::size_t npos = SIZE_MAX;

 private:
  [[nodiscard]] std::size_t mask() const noexcept { return slots_.size() - 1; }
  [[nodiscard]] std::size_t home(const uuid& id) const noexcept {
    std::uint64_t lo = 0, hi = 0;
    std::memcpy(&lo, id.bytes.data(), 8);
    std::memcpy(&hi, id.bytes.data() + 8, 8);
    return static_cast<std::size_t>(((lo ^ hi) * 0x9E3779B97F4A7C15ULL) >> 20) & mask();
  }
  template <class IdAt>
  void place(const uuid& id, std::size_t stored, IdAt id_at) {
    std::size_t i = home(id);
    for (; slots_[i] != 0; i = (i + 1) & mask()) {
      if (id_at(slots_[i] - 1) == id) {
        slots_[i] = stored;
        return;
      }
    }
    slots_[i] = stored;
    ++count_;
  }

  std::vector<std::size_t> slots_;  // position + 1; 0 = free; power-of-two size, at most half full
  std::size_t count_ = 0;
};

}  // namespace

struct application::state {
  // An aggregate staged in the current batch. Its state after the batch is
  // kept only when the cache or snapshots will want it; otherwise a get()
  // in the batch rebuilds it from the recorder and the staged events.
  struct staged_aggregate {
    uuid id;
    std::uint64_t version_before = 0;  // its version before the batch
    std::unique_ptr<aggregate_base> aggregate;
  };
  // How to undo a staging that replaced the entry at `index` (for a failed
  // command in a batch). A staging that appended an entry needs none: a
  // savepoint keeps the overlay's size.
  struct undo {
    std::size_t index = 0;
    staged_aggregate previous;
  };
  // Linear search is fastest for the few aggregates of a typical batch; past
  // this many, lookups go through an index, brought up to date by the lookup
  // itself: a batch that only creates aggregates never builds it.
  static constexpr std::size_t linear_limit = 16;

  std::string name;
  std::shared_ptr<recorder> events;
  std::shared_ptr<recorder> snapshots;
  es::options opts;
  std::uint64_t snapshot_every = 0;
  std::size_t section_size = 10;
  detail::aggregate_cache cache;
  command_table commands;
  recorded_listener listener;

  bool staging = false;
  std::vector<stored_event> staged;  // also the scratch list of a multi-aggregate save
  // An id may have several entries, the latest its state (see save_all).
  std::vector<staged_aggregate> overlay;
  staged_index overlay_index;  // of overlay[0, indexed), when overlay.size() > linear_limit
  std::size_t indexed = 0;
  std::vector<undo> journal;

  explicit state(app_context&& context)
      : name(std::move(context.name)),
        events(std::move(context.events)),
        snapshots(std::move(context.snapshots)),
        opts(std::move(context.options)),
        snapshot_every(opts.get_uint("snapshot_every", 0)),
        section_size(opts.get_uint("section_size", 10)),
        cache(cache_capacity(opts)) {}

  [[nodiscard]] bool keeps_state() const noexcept { return cache.enabled() || snapshot_every > 0; }

  // What staged_index needs: the id at a position of the overlay.
  auto staged_id() const {
    return [this](std::size_t position) -> const uuid& { return overlay[position].id; };
  }

  // The latest entry of `id`, or null.
  staged_aggregate* find_staged(const uuid& id) {
    if (overlay.size() > linear_limit) {
      for (; indexed < overlay.size(); ++indexed)
        overlay_index.add(overlay[indexed].id, indexed, staged_id());
      const std::size_t found = overlay_index.find(id, staged_id());
      return found == staged_index::npos ? nullptr : &overlay[found];
    }
    for (auto entry = overlay.rbegin(); entry != overlay.rend(); ++entry)
      if (entry->id == id) return &*entry;
    return nullptr;
  }

  // Rare (a failed command in a batch): the index is rebuilt by the next lookup.
  void truncate_staged(std::size_t size) {
    if (size == overlay.size()) return;
    overlay.erase(overlay.begin() + static_cast<std::ptrdiff_t>(size), overlay.end());
    overlay_index.clear();
    indexed = 0;
  }

  void snapshot_if_due(const aggregate_base& aggregate, std::uint64_t version_before) {
    if (snapshot_every == 0 ||
        aggregate.version() / snapshot_every == version_before / snapshot_every)
      return;
    auto snapshot = aggregate.snapshot();
    if (!snapshot) return;
    try {
      snapshots->insert_events(std::span(&*snapshot, 1));
    } catch (const integrity_error&) {
      // A snapshot at this version exists already: same state, nothing to do.
    }
  }

  void notify(application& app, const id_range& ids) {
    if (!ids.empty() && listener) listener(app, ids.last());
  }
};

application::application(app_context context)
    : state_(std::make_unique<state>(std::move(context))) {
  if (!state_->events) throw error("application '" + state_->name + "' needs an event recorder");
  if (state_->snapshot_every > 0 && !state_->snapshots)
    throw invalid_input("application '" + state_->name +
                        "': snapshot_every is set but there is no snapshot recorder");
  if (state_->section_size == 0)
    throw invalid_input("application '" + state_->name + "': section_size must be at least 1");
}

application::~application() = default;

const std::string& application::name() const noexcept {
  return state_->name;
}
recorder& application::events() const noexcept {
  return *state_->events;
}
recorder* application::snapshots() const noexcept {
  return state_->snapshots.get();
}
const es::options& application::options() const noexcept {
  return state_->opts;
}
notification_log application::log() const {
  return notification_log(*state_->events, state_->section_size);
}
command_table& application::commands() noexcept {
  return state_->commands;
}
bool application::in_batch() const noexcept {
  return state_->staging;
}
void application::on_recorded(recorded_listener listener) {
  state_->listener = std::move(listener);
}
void application::clear_cache() {
  state_->cache.clear();
}

void application::throw_not_found(const uuid& id) const {
  throw aggregate_not_found("aggregate " + id.str() + " not found in application '" + state_->name +
                            "'");
}

application::lookup application::known(const uuid& id) {
  if (state_->staging) {
    if (const auto* entry = state_->find_staged(id)) return {entry->aggregate.get(), true};
  }
  return {state_->cache.enabled() ? state_->cache.find(id) : nullptr, false};
}

std::vector<const stored_event*> application::staged_events_of(const uuid& id) const {
  std::vector<const stored_event*> out;
  for (const auto& event : state_->staged)
    if (event.originator_id == id) out.push_back(&event);
  return out;
}

void application::remember(const aggregate_base& loaded) {
  if (state_->cache.enabled()) state_->cache.put(loaded.clone());
}

std::optional<stored_event> application::latest_snapshot(const uuid& id) {
  if (!state_->snapshots) return std::nullopt;
  event_query query;
  query.descending = true;
  query.limit = 1;
  auto found = state_->snapshots->select_events(id, query);
  if (found.empty()) return std::nullopt;
  return std::move(found.front());
}

std::vector<stored_event> application::events_after(const uuid& id, std::uint64_t version) {
  event_query query;
  if (version > 0) query.after_version = version;
  return state_->events->select_events(id, query);
}

void application::save_all(std::span<aggregate_base* const> aggregates) {
  auto& s = *state_;
  if (s.staging) {
    for (aggregate_base* aggregate : aggregates) {
      if (aggregate->pending_.empty()) continue;
      state::staged_aggregate entry{aggregate->id(),
                                    aggregate->version() - aggregate->pending_.size(), nullptr};
      // One at a time: a range insert of move iterators costs twice as much for the usual one.
      for (stored_event& event : aggregate->pending_) s.staged.push_back(std::move(event));
      aggregate->pending_.clear();
      if (s.keeps_state()) entry.aggregate = aggregate->clone();
      // An aggregate created since its last save (version_before 0) is new
      // to the batch unless another object of its id was staged, and then
      // the recorder refuses the batch for two first versions anyway: a new
      // entry, latest of its id, without looking for an earlier one.
      auto* existing = entry.version_before == 0 ? nullptr : s.find_staged(entry.id);
      if (existing != nullptr) {
        entry.version_before = existing->version_before;
        const auto index = static_cast<std::size_t>(existing - s.overlay.data());
        s.journal.push_back({index, std::move(*existing)});
        *existing = std::move(entry);
      } else {
        s.overlay.push_back(std::move(entry));
      }
    }
    return;
  }

  // Not staging: one transaction now. A single aggregate's pending list is
  // recorded as it is; several are gathered in the scratch list and, if the
  // recorder refuses them, handed back so the aggregates stay as they were.
  aggregate_base* single = nullptr;
  std::size_t dirty = 0;
  for (aggregate_base* aggregate : aggregates)
    if (!aggregate->pending_.empty()) {
      single = aggregate;
      ++dirty;
    }
  if (dirty == 0) return;

  // The recorder may take the events' bytes (append_events): they are
  // forgotten right after anyway, and it leaves them alone when it throws.
  id_range ids;
  try {
    if (dirty == 1) {
      ids = s.events->append_events(std::span(single->pending_.begin(), single->pending_.size()));
    } else {
      s.staged.clear();
      for (aggregate_base* aggregate : aggregates)
        s.staged.insert(s.staged.end(), std::make_move_iterator(aggregate->pending_.begin()),
                        std::make_move_iterator(aggregate->pending_.end()));
      try {
        ids = s.events->append_events(s.staged);
      } catch (...) {
        auto from = s.staged.begin();
        for (aggregate_base* aggregate : aggregates) {
          const auto count = static_cast<std::ptrdiff_t>(aggregate->pending_.size());
          std::move(from, from + count, aggregate->pending_.begin());
          from += count;
        }
        s.staged.clear();
        throw;
      }
      detail::recycle_events(s.staged);
      s.staged.clear();
    }
  } catch (const integrity_error& e) {
    std::string which;
    for (aggregate_base* aggregate : aggregates) {
      if (aggregate->pending_.empty()) continue;
      s.cache.evict(aggregate->id());
      which += (which.empty() ? "" : ", ") + aggregate->id().str() + " (version " +
               std::to_string(aggregate->version()) + ")";
    }
    throw concurrency_error("application '" + s.name + "' cannot save " + which +
                            ": another save recorded these versions first, so the aggregate is "
                            "stale; get it again and retry [" +
                            e.what() + "]");
  }

  for (aggregate_base* aggregate : aggregates) {
    if (aggregate->pending_.empty()) continue;
    const std::uint64_t version_before = aggregate->version() - aggregate->pending_.size();
    detail::recycle_events(std::span(aggregate->pending_.begin(), aggregate->pending_.size()));
    aggregate->pending_.clear();
    s.snapshot_if_due(*aggregate, version_before);
    if (s.cache.enabled()) s.cache.put(aggregate->clone());
  }
  s.notify(*this, ids);
}

void application::begin_staging() {
  if (state_->staging)
    throw error("application '" + state_->name +
                "' is in a batch already (batches and processing do not nest)");
  state_->staging = true;
}

std::size_t application::commit_staged(std::span<const tracking> tracked) {
  auto& s = *state_;
  id_range ids;
  try {
    ids = s.events->append_events(s.staged, tracked);
  } catch (...) {
    for (const auto& entry : s.overlay) s.cache.evict(entry.id);
    discard_staged();
    throw;
  }
  const std::size_t recorded = s.staged.size();
  for (auto& entry : s.overlay) {
    if (!entry.aggregate) continue;
    s.snapshot_if_due(*entry.aggregate, entry.version_before);
    s.cache.put(std::move(entry.aggregate));
  }
  discard_staged();
  committed(tracked);
  s.notify(*this, ids);
  return recorded;
}

void application::committed(std::span<const tracking>) {}

void application::discard_staged() noexcept {
  auto& s = *state_;
  detail::recycle_events(s.staged);  // the next batch's events are encoded into them
  s.staged.clear();
  s.overlay.clear();
  s.overlay_index.clear();
  s.indexed = 0;
  s.journal.clear();
  s.staging = false;
}

application::savepoint application::mark() const noexcept {
  return {state_->staged.size(), state_->journal.size(), state_->overlay.size()};
}

void application::rollback(savepoint to) noexcept {
  auto& s = *state_;
  s.staged.erase(s.staged.begin() + static_cast<std::ptrdiff_t>(to.events), s.staged.end());
  // Newest first, so an entry replaced twice ends as it was at the savepoint;
  // entries appended since then are dropped after.
  while (s.journal.size() > to.journal) {
    auto& undo = s.journal.back();
    s.overlay[undo.index] = std::move(undo.previous);
    s.journal.pop_back();
  }
  s.truncate_staged(to.overlay);
}

command_reply application::handle_command(std::string_view name, std::string_view payload_json) {
  return run_command(name, command_payload::parse(std::string(payload_json)));
}

nlohmann::json application::parse_command_payload(std::string_view payload_json) {
  return command_payload(std::string(payload_json)).json();
}

command_reply application::run_command(std::string_view name, const nlohmann::json& payload) {
  return run_args(name, !payload.is_discarded(),
                  payload.is_object() ? nullptr : payload.type_name(), command_args(name, payload));
}

command_reply application::run_command(std::string_view name, const command_payload& payload) {
  return run_args(name, payload.valid(), payload.is_object() ? nullptr : payload.type_name(),
                  command_args(name, payload));
}

command_reply application::run_args(std::string_view name, bool valid, const char* type,
                                    const command_args& args) {
  if (!valid) return {false, {}, "command '" + std::string(name) + "': payload is not valid JSON"};
  // Built only for an error: most commands succeed.
  const auto prefix = [&] {
    return "command '" + std::string(name) + "' of application '" + state_->name + "': ";
  };
  const auto* handler = state_->commands.find(name);
  if (handler == nullptr) {
    std::string known;
    for (const auto& n : state_->commands.names()) known += (known.empty() ? "" : ", ") + n;
    return {
        false, {}, prefix() + "unknown command (known: " + (known.empty() ? "none" : known) + ")"};
  }
  if (type != nullptr) return {false, {}, prefix() + "payload must be a JSON object, got " + type};
  const savepoint before = mark();
  try {
    return {true, (*handler)(args), {}};
  } catch (const command_error& e) {
    if (state_->staging) rollback(before);
    return {false, {}, e.what()};
  } catch (const std::exception& e) {
    if (state_->staging) rollback(before);
    return {false, {}, prefix() + e.what()};
  }
}

application::batch application::begin_batch() {
  begin_staging();
  return batch(*this);
}

application::batch::~batch() {
  if (app_ != nullptr) app_->discard_staged();
}

std::size_t application::batch::commit() {
  if (app_ == nullptr) throw error("batch committed or discarded already");
  application* app = std::exchange(app_, nullptr);
  try {
    return app->commit_staged({});
  } catch (const integrity_error& e) {
    throw concurrency_error("application '" + app->name() +
                            "' cannot commit its batch: a saved aggregate is stale, so nothing "
                            "of the batch was recorded [" +
                            std::string(e.what()) + "]");
  }
}

}  // namespace weft::es
