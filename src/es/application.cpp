#include "weft/es/application.hpp"

#include <iterator>
#include <limits>
#include <optional>
#include <unordered_map>
#include <vector>

#include <nlohmann/json.hpp>

#include "aggregate_cache.hpp"

namespace weft::es {
namespace {

std::size_t cache_capacity(const options& opts) {
  const std::string text = opts.get("cache", "off");
  if (text == "off") return 0;
  if (text == "unbounded") return std::numeric_limits<std::size_t>::max();
  return opts.get_uint("cache", 0);
}

}  // namespace

struct application::state {
  // An aggregate staged in the current batch, as it is after its staged events.
  struct staged_aggregate {
    std::unique_ptr<aggregate_base> aggregate;
    std::uint64_t version_before = 0;  // its version before the batch
  };
  // How to undo one staging of an aggregate (for a failed command in a batch).
  struct undo {
    uuid id;
    std::optional<staged_aggregate> previous;
  };

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
  std::unordered_map<uuid, staged_aggregate> overlay;
  std::vector<undo> journal;

  explicit state(app_context&& context)
      : name(std::move(context.name)),
        events(std::move(context.events)),
        snapshots(std::move(context.snapshots)),
        opts(std::move(context.options)),
        snapshot_every(opts.get_uint("snapshot_every", 0)),
        section_size(opts.get_uint("section_size", 10)),
        cache(cache_capacity(opts)) {}

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

  void notify(application& app, const std::vector<std::uint64_t>& ids) {
    if (!ids.empty() && listener) listener(app, ids.back());
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

const aggregate_base* application::known(const uuid& id) {
  if (state_->staging) {
    auto found = state_->overlay.find(id);
    if (found != state_->overlay.end()) return found->second.aggregate.get();
  }
  return state_->cache.enabled() ? state_->cache.find(id) : nullptr;
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
      std::uint64_t version_before = aggregate->version() - aggregate->pending_.size();
      auto found = s.overlay.find(aggregate->id());
      if (found != s.overlay.end()) {
        version_before = found->second.version_before;
        s.journal.push_back({aggregate->id(), std::move(found->second)});
      } else {
        s.journal.push_back({aggregate->id(), std::nullopt});
      }
      s.staged.insert(s.staged.end(), std::make_move_iterator(aggregate->pending_.begin()),
                      std::make_move_iterator(aggregate->pending_.end()));
      aggregate->pending_.clear();
      s.overlay[aggregate->id()] = {aggregate->clone(), version_before};
    }
    return;
  }

  // Not staging: one transaction now. A single aggregate's pending list is
  // recorded as it is; several are gathered in the scratch list and, if the
  // recorder refuses them, handed back so the aggregates stay as they were.
  std::vector<aggregate_base*> dirty;
  for (aggregate_base* aggregate : aggregates)
    if (!aggregate->pending_.empty()) dirty.push_back(aggregate);
  if (dirty.empty()) return;

  std::vector<std::uint64_t> ids;
  try {
    if (dirty.size() == 1) {
      ids = s.events->insert_events(dirty.front()->pending_);
    } else {
      s.staged.clear();
      for (aggregate_base* aggregate : dirty)
        s.staged.insert(s.staged.end(), std::make_move_iterator(aggregate->pending_.begin()),
                        std::make_move_iterator(aggregate->pending_.end()));
      try {
        ids = s.events->insert_events(s.staged);
      } catch (...) {
        auto from = s.staged.begin();
        for (aggregate_base* aggregate : dirty) {
          const auto count = static_cast<std::ptrdiff_t>(aggregate->pending_.size());
          std::move(from, from + count, aggregate->pending_.begin());
          from += count;
        }
        s.staged.clear();
        throw;
      }
      s.staged.clear();
    }
  } catch (const integrity_error& e) {
    std::string which;
    for (aggregate_base* aggregate : dirty) {
      s.cache.evict(aggregate->id());
      which += (which.empty() ? "" : ", ") + aggregate->id().str() + " (version " +
               std::to_string(aggregate->version()) + ")";
    }
    throw concurrency_error("application '" + s.name + "' cannot save " + which +
                            ": another save recorded these versions first, so the aggregate is "
                            "stale; get it again and retry [" +
                            e.what() + "]");
  }

  for (aggregate_base* aggregate : dirty) {
    const std::uint64_t version_before = aggregate->version() - aggregate->pending_.size();
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
  std::vector<std::uint64_t> ids;
  try {
    ids = s.events->insert_events(s.staged, tracked);
  } catch (...) {
    for (const auto& [id, entry] : s.overlay) s.cache.evict(id);
    discard_staged();
    throw;
  }
  const std::size_t recorded = s.staged.size();
  for (auto& [id, entry] : s.overlay) {
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
  s.staged.clear();
  s.overlay.clear();
  s.journal.clear();
  s.staging = false;
}

application::savepoint application::mark() const noexcept {
  return {state_->staged.size(), state_->journal.size()};
}

void application::rollback(savepoint to) noexcept {
  auto& s = *state_;
  s.staged.erase(s.staged.begin() + static_cast<std::ptrdiff_t>(to.events), s.staged.end());
  while (s.journal.size() > to.journal) {
    auto& undo = s.journal.back();
    if (undo.previous)
      s.overlay[undo.id] = std::move(*undo.previous);
    else
      s.overlay.erase(undo.id);
    s.journal.pop_back();
  }
}

command_reply application::handle_command(std::string_view name, std::string_view payload_json) {
  if (payload_json.find_first_not_of(" \t\r\n") == std::string_view::npos)
    return run_command(name, nlohmann::json::object());
  auto payload = nlohmann::json::parse(payload_json, nullptr, false);
  if (payload.is_discarded())
    return {false, {}, "command '" + std::string(name) + "': payload is not valid JSON"};
  return run_command(name, payload);
}

command_reply application::run_command(std::string_view name, const nlohmann::json& payload) {
  const std::string prefix =
      "command '" + std::string(name) + "' of application '" + state_->name + "': ";
  if (!state_->commands.contains(name)) {
    std::string known;
    for (const auto& n : state_->commands.names()) known += (known.empty() ? "" : ", ") + n;
    return {
        false, {}, prefix + "unknown command (known: " + (known.empty() ? "none" : known) + ")"};
  }
  if (!payload.is_object())
    return {false, {}, prefix + "payload must be a JSON object, got " + payload.type_name()};
  const savepoint before = mark();
  try {
    return {true, state_->commands.at(name)(command_args(name, payload)), {}};
  } catch (const command_error& e) {
    if (state_->staging) rollback(before);
    return {false, {}, e.what()};
  } catch (const std::exception& e) {
    if (state_->staging) rollback(before);
    return {false, {}, prefix + e.what()};
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
