#pragma once
// An event-sourced application: a repository of aggregates over a recorder,
// its notification log, its named commands, and group commit.
//
// Options (app_context::options):
//   snapshot_every = N   snapshot an aggregate each time its version crosses a
//                        multiple of N (needs app_context::snapshots); 0 = off
//   cache = off | unbounded | N    keep aggregates read or saved in memory
//                        (N = least recently used bound), so get() need not
//                        replay from the recorder. Safe while this object is
//                        the only writer of its recorder, as in every weft
//                        runner; a stale entry is still caught by the
//                        recorder (concurrency_error) and evicted.
//   section_size = N     notification log section size (default 10)
//
// An application is used by one thread at a time.
#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>

#include <nlohmann/json_fwd.hpp>

#include "weft/core/error.hpp"
#include "weft/es/aggregate.hpp"
#include "weft/es/commands.hpp"
#include "weft/es/notification_log.hpp"
#include "weft/es/options.hpp"
#include "weft/es/recorder.hpp"

namespace weft::es {

/// What every application is constructed from.
struct app_context {
  std::string name;
  std::shared_ptr<recorder> events;
  std::shared_ptr<recorder> snapshots;  ///< required when snapshot_every > 0
  es::options options;
};

/// Saving an aggregate that is stale: another save recorded its versions first.
class concurrency_error : public integrity_error {
 public:
  using integrity_error::integrity_error;
};

/// get() of an id that has no events.
class aggregate_not_found : public error {
 public:
  using error::error;
};

class application {
 public:
  explicit application(app_context context);
  virtual ~application();
  application(const application&) = delete;
  application& operator=(const application&) = delete;

  [[nodiscard]] const std::string& name() const noexcept;
  [[nodiscard]] recorder& events() const noexcept;
  [[nodiscard]] recorder* snapshots() const noexcept;
  [[nodiscard]] const es::options& options() const noexcept;
  [[nodiscard]] notification_log log() const;

  /// The aggregate `id` as an A, from the current batch, the cache, or by
  /// replaying its snapshot and events. aggregate_not_found if it has no events.
  template <class A>
  [[nodiscard]] A get(const uuid& id) {
    auto found = find<A>(id);
    if (!found) throw_not_found(id);
    return std::move(*found);
  }

  /// Like get(), nullopt when the aggregate has no events.
  template <class A>
  [[nodiscard]] std::optional<A> find(const uuid& id);

  /// Records the aggregates' pending events in one transaction, or, inside a
  /// batch (or while a process application processes), stages them for the
  /// batch's one transaction. A stale aggregate is a concurrency_error.
  template <class... A>
  void save(A&... aggregates) {
    static_assert((std::is_base_of_v<aggregate_base, A> && ...));
    std::array<aggregate_base*, sizeof...(A)> list{&aggregates...};
    save_all(list);
  }

  /// The application's commands; add them in the constructor.
  [[nodiscard]] command_table& commands() noexcept;

  /// Runs command `name` with a JSON object payload (text, or parsed: run_command). Never throws
  /// for a bad call: an unknown command, malformed payload, missing or mistyped field, or a
  /// handler's weft::error becomes an error reply. Inside a batch a failed command's saves are
  /// rolled back, the others' kept.
  command_reply handle_command(std::string_view name, std::string_view payload_json);
  command_reply run_command(std::string_view name, const nlohmann::json& payload);
  /// The same with a payload parsed already (command_payload::parse), e.g. off this thread.
  command_reply run_command(std::string_view name, const command_payload& payload);
  /// A command's payload text as handle_command reads it: blank is an empty
  /// object, text that is not JSON a discarded value (run_command answers it
  /// with an error). Lets a host parse payloads off the application's thread.
  [[nodiscard]] static nlohmann::json parse_command_payload(std::string_view payload_json);

  class batch;
  /// Starts group commit: saves until batch::commit() are recorded together in
  /// one insert_events. Batches do not nest (weft::error).
  [[nodiscard]] batch begin_batch();
  [[nodiscard]] bool in_batch() const noexcept;

  /// Called after every transaction that recorded events, with the highest
  /// notification id; runners prompt followers from here.
  using recorded_listener = std::function<void(application&, std::uint64_t max_notification_id)>;
  void on_recorded(recorded_listener listener);

  /// Evicts everything from the aggregate cache (e.g. after another writer changed the recorder).
  void clear_cache();

 protected:
  /// Staging, shared by batches and process applications.
  void begin_staging();
  /// Records everything staged and `tracked` in one insert_events; returns how
  /// many events were recorded. On failure nothing is recorded, the staged
  /// aggregates are evicted from the cache and staging ends; the recorder's
  /// integrity_error is rethrown as is.
  std::size_t commit_staged(std::span<const tracking> tracked);
  void discard_staged() noexcept;
  /// Called by commit_staged after the transaction and before listeners hear
  /// of it (they may re-enter this application).
  virtual void committed(std::span<const tracking> tracked);

 private:
  struct state;
  struct savepoint {
    std::size_t events = 0;
    std::size_t journal = 0;
    std::size_t overlay = 0;
  };

  // What the application knows of an aggregate without reading the recorder.
  struct lookup {
    const aggregate_base* state = nullptr;  // its current state, if kept
    bool staged = false;  // staged in the current batch (then events are staged too)
  };

  [[noreturn]] void throw_not_found(const uuid& id) const;
  lookup known(const uuid& id);
  std::vector<const stored_event*> staged_events_of(const uuid& id) const;
  void remember(const aggregate_base& loaded);
  std::optional<stored_event> latest_snapshot(const uuid& id);
  std::vector<stored_event> events_after(const uuid& id, std::uint64_t version);
  void save_all(std::span<aggregate_base* const> aggregates);
  savepoint mark() const noexcept;
  void rollback(savepoint to) noexcept;
  // run_command for either form of payload: `type` names it when it is no object.
  command_reply run_args(std::string_view name, bool valid, const char* type,
                         const command_args& args);

  static void set_identity(aggregate_base& target, const uuid& id) { target.id_ = id; }

  std::unique_ptr<state> state_;
};

/// Group commit scope (see application::begin_batch). Discards what is staged
/// unless committed.
class application::batch {
 public:
  batch(batch&& other) noexcept : app_(std::exchange(other.app_, nullptr)) {}
  batch& operator=(batch&&) = delete;
  ~batch();

  /// Records every staged event in one insert_events; returns how many.
  /// Throws what the recorder throws (a stale aggregate: concurrency_error);
  /// then nothing of the batch is recorded.
  std::size_t commit();

 private:
  friend class application;
  explicit batch(application& app) : app_(&app) {}
  application* app_;
};

template <class A>
std::optional<A> application::find(const uuid& id) {
  static_assert(std::is_base_of_v<aggregate_base, A>, "A must derive from weft::es::aggregate");
  const lookup found = known(id);
  if (found.state != nullptr) {
    if (const auto* typed = dynamic_cast<const A*>(found.state)) return *typed;
    throw error("aggregate " + id.str() + " in application '" + name() + "' is not a " +
                typeid(A).name());
  }
  A out;
  std::uint64_t after = 0;
  if constexpr (detail::has_state<A>) {
    if (auto snapshot = latest_snapshot(id)) {
      out = A::from_snapshot(*snapshot);
      after = snapshot->originator_version;
    }
  }
  const auto recorded = events_after(id, after);
  const auto staged = found.staged ? staged_events_of(id) : std::vector<const stored_event*>{};
  if (recorded.empty() && staged.empty() && after == 0) return std::nullopt;
  set_identity(out, id);
  for (const auto& event : recorded) out.replay(event);
  for (const auto* event : staged) out.replay(*event);
  if (!found.staged) remember(out);
  return out;
}

}  // namespace weft::es
