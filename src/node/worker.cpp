#include "weft/node/worker.hpp"

#include <condition_variable>
#include <mutex>
#include <optional>
#include <stop_token>
#include <thread>

#include "weft/actor/behavior.hpp"
#include "weft/actor/context.hpp"
#include "weft/actor/system.hpp"
#include "weft/core/clock.hpp"
#include "weft/core/error.hpp"
#include "weft/core/log.hpp"
#include "weft/node/allocator_tuning.hpp"
#include "weft/node/command_reader.hpp"
#include "weft/node/inbound.hpp"
#include "weft/node/lane_replies.hpp"
#include "weft/shm/doorbell.hpp"
#include "weft/shm/ingress.hpp"
#include "weft/shm/process_table.hpp"

namespace weft::node {
namespace {

using namespace std::chrono_literals;

// A ring this process consumes, and the index of its edge in the host's lists.
struct inbound_ring {
  shm::spsc_consumer ring;
  std::size_t index;
  std::string peer;
};

// Records read from one ring per poll: enough to merge a burst of sections
// into one message, few enough that one busy ring does not starve the others.
constexpr std::size_t records_per_poll = 64;

}  // namespace

struct worker::impl {
  impl(shm::segment& seg, std::uint32_t index, es::application& application, worker_config cfg)
      : segment(seg),
        process(index),
        entry(seg.process(index)),
        app(application),
        config(cfg),
        ingress(seg, index),
        replies(seg, index),
        log(log::get("node." + application.name())) {
    tune_allocator_for_hosting();
    config.host.section_items = std::max<std::uint32_t>(config.host.section_items, 1);
    std::vector<downstream_end> downstream;
    std::vector<upstream_end> upstream;
    for (std::uint32_t c = 0; c < seg.channel_count(); ++c) {
      const auto& channel = seg.channel(c);
      if (channel.leader == index) {
        const std::string follower(shm::name_of(seg.process(channel.follower)));
        from_followers.push_back({seg.upstream_consumer(c), downstream.size(), follower});
        downstream.push_back({follower, seg.downstream_producer(c)});
      }
      if (channel.follower == index) {
        const std::string leader(shm::name_of(seg.process(channel.leader)));
        from_leaders.push_back({seg.downstream_consumer(c), upstream.size(), leader});
        upstream.push_back({leader, seg.upstream_producer(c), tracking_gauge(c)});
      }
    }
    host = std::make_unique<app_host>(
        app, std::move(downstream), std::move(upstream), &replies, config.host,
        host_gauges{&entry.notification_position, &entry.events_recorded, &entry.commands_handled,
                    &entry.sections_sent, &entry.sections_received,
                    [this](const std::string& why) { note_error(why); }});
  }

  std::atomic<std::uint64_t>* tracking_gauge(std::uint32_t channel) {
    for (std::uint32_t k = 0; k < entry.upstream_count && k < shm::max_upstreams; ++k)
      if (entry.upstreams[k].channel == channel) return &entry.upstreams[k].tracking;
    return nullptr;
  }

  actor::Behavior<host_message> behavior() {
    return actor::setup<host_message>([this](actor::ActorContext<host_message>& ctx) {
      ctx.timers().start_periodic("tick", tick_message{}, config.heartbeat);
      return actor::receive<host_message>(
          [this](actor::ActorContext<host_message>& ctx, host_message& message) {
            const bool from_poller = !std::holds_alternative<tick_message>(message);
            bool more = false;
            try {
              const std::int64_t now = clock::mono_nanos();
              if (from_poller) {
                dispatch(*host, message, now);
                // The poller decodes later sections over these notifications.
                if (auto* section = std::get_if<section_message>(&message))
                  sections.give_back(std::move(section->notes));
                else if (auto* commands = std::get_if<commands_message>(&message))
                  give_back(std::move(commands->commands));
                more = host->has_backlog();
              } else {
                more = host->tick(now);
              }
              more |= replies.flush();
            } catch (const std::exception& e) {
              fail(e.what());
            }
            if (failed.load(std::memory_order_acquire)) return actor::stopped<host_message>();
            backlog = more;
            if (more && !ctx.timers().is_active("retry"))
              ctx.timers().start_single("retry", tick_message{}, config.retry);
            return actor::same<host_message>();
          });
    });
  }

  // The heartbeat has a thread of its own: a turn may wait for a locked
  // database as long as its busy timeout, which is as long as the
  // supervisor's patience, and that is no hang. A turn past the turn limit
  // is one (a handler in an endless loop, a deadlock): the beats stop, as
  // they do when the whole process is stopped or frozen.
  void beat(const std::stop_token& stopping) {
    const std::int64_t limit = std::chrono::nanoseconds(config.turn_limit).count();
    std::mutex mutex;
    std::condition_variable_any interval;
    std::unique_lock lock(mutex);
    bool hung = false;
    while (!stopping.stop_requested()) {
      const std::int64_t began = turn_began.load(std::memory_order_relaxed);
      const std::int64_t busy = began == idle ? 0 : clock::mono_nanos() - began;
      if (busy < limit) {
        entry.heartbeat_micros.store(clock::wall_micros(), std::memory_order_relaxed);
        if (hung) {  // the turn ended after all, unless the supervisor lost patience first
          hung = false;
          std::lock_guard failure_lock(failure_mutex);
          hang.clear();
        }
      } else if (!hung) {
        hung = true;
        const std::string why = "a turn has run for " + std::to_string(busy / 1'000'000) +
                                " ms, past the turn limit of " +
                                std::to_string(config.turn_limit.count()) +
                                " ms: taken for a hang, heartbeats stopped";
        log->error("{}", why);
        std::lock_guard failure_lock(failure_mutex);
        hang = why;
        shm::set_last_error(entry, why);
      }
      interval.wait_for(lock, stopping, config.heartbeat, [] { return false; });
    }
  }

  // The process table's error text has one writer at a time: the actor's
  // thread and the heartbeat's share this lock.
  void note_error(const std::string& why) {
    std::lock_guard lock(failure_mutex);
    shm::set_last_error(entry, why);
  }

  void fail(const std::string& why) {
    {
      std::lock_guard lock(failure_mutex);
      if (failure.empty()) failure = why;
      shm::set_last_error(entry, why);
    }
    log->error("{}", why);
    failed.store(true, std::memory_order_release);
    stop.store(true, std::memory_order_release);
  }

  void post(host_message message) {
    ++posted;
    if (actor_ref.tell(std::move(message)) != actor::TellStatus::delivered &&
        !failed.load(std::memory_order_acquire))
      fail("the hosting actor stopped");
  }

  // Reads what waits in every ring; returns how many records were read.
  std::size_t poll_once() {
    std::size_t read = 0;
    for (auto& in : from_leaders) {
      // Contiguous sections read together become one message: one turn and,
      // up to the application's batch_size, one transaction.
      std::optional<section_message> merged;  // its notifications are in `batch`
      note_batch batch;
      auto flush = [&] {
        if (!merged) return;
        const bool decoded = batch.used > 0;  // not when its only section was refused
        merged->notes = sections.finish(std::move(batch));
        if (decoded) post(std::move(*merged));
        merged.reset();
      };
      read += in.ring.drain(
          [&](const shm::record_view& record) {
            auto read = read_from_leader(in.index, record);
            if (!read) return fail("from leader '" + in.peer + "': " + read.error().message);
            if (auto* prompt = std::get_if<prompt_message>(&*read)) {
              flush();
              return post(*prompt);
            }
            const auto& section = std::get<shm::protocol::section_view>(*read);
            if (merged && merged->last_id + 1 != section.first_id()) flush();
            if (!merged) {
              merged = section_message{in.index, section.first_id(), 0, {}};
              batch = sections.start();
            }
            if (auto decoded = decode_section(section, sections, batch); !decoded)
              return fail("from leader '" + in.peer + "': " + decoded.error().message);
            merged->last_id = section.last_id();
          },
          records_per_poll);
      flush();
      check(in);
    }
    for (auto& in : from_followers) {
      read += in.ring.drain(
          [&](const shm::record_view& record) {
            auto message = decode_from_follower(in.index, record);
            if (!message)
              return fail("from follower '" + in.peer + "': " + message.error().message);
            post(std::move(*message));
          },
          records_per_poll);
      check(in);
    }
    read += poll_commands();
    return read;
  }

  void check(const inbound_ring& in) {
    if (!in.ring.error().empty()) fail("ring with '" + in.peer + "': " + in.ring.error());
  }

  // The poller's next batch of commands is decoded into the requests of a
  // batch the actor is done with: their strings and parsed payloads keep
  // their memory, and the array does not grow (and move) from nothing.
  void give_back(std::vector<command_request>&& done) {
    if (done.size() > spare_commands.size()) spare_commands.swap(done);
  }

  std::size_t poll_commands() {
    commands_message batch;
    if (ingress.has_data()) batch.commands.swap(spare_commands);
    const std::size_t read =
        read_commands(ingress, batch.commands, config.group_commit, [this](const std::string& why) {
          log->warn("{}", why);
          note_error(why);
        });
    batch.count = read;
    // The supervisor marks a system that is shutting down: followers drain
    // what was recorded, and new commands are answered, not run.
    if (read > 0 && entry.state.load(std::memory_order_relaxed) == shm::process_state::stopping)
      batch.refused_because = "the system is stopping: command not run";
    if (read > 0)
      post(std::move(batch));
    else
      give_back(std::move(batch.commands));
    return read;
  }

  bool has_data() const {
    for (const auto& in : from_leaders)
      if (in.ring.has_data()) return true;
    for (const auto& in : from_followers)
      if (in.ring.has_data()) return true;
    return ingress.has_data();
  }

  void run() {
    // The actor system has no thread of its own: this one runs the actor's
    // turns right after each poll, so what the poller decoded is processed
    // while it is still in this core's cache, and no hand-off wakes a thread.
    // Its timers run on time this loop advances as the clock does.
    actor::SystemConfig actors;
    actors.name = app.name();
    actors.deterministic = true;
    actor::ActorSystem system(actors);
    actor_ref = system.spawn(behavior(), "app");
    // The first tick starts the host: prompts followers, pulls from leaders.
    actor_ref.tell(tick_message{});
    // Unless the system began stopping while this worker started.
    shm::enter_state(entry, shm::process_state::running);
    log->info("hosting '{}' as process {} of {}", app.name(), process, segment.name());

    std::jthread heartbeat([this](std::stop_token stopping) { beat(stopping); });
    std::int64_t timers_at = clock::mono_nanos();
    while (!stop.load(std::memory_order_acquire)) {
      const std::int64_t now = clock::mono_nanos();
      turn_began.store(now, std::memory_order_relaxed);
      posted = 0;
      const std::size_t read = poll_once();
      entry.mailbox_depth.store(posted, std::memory_order_relaxed);
      // Runs every turn the poll made due, and the timers that came due.
      system.advance_time(std::chrono::nanoseconds(now - timers_at));
      timers_at = now;
      // While rings fill, the next poll reads them in bigger batches: one
      // group commit, one follower transaction, for what arrived meanwhile.
      if (read == 0) {
        const auto timeout = backlog ? config.retry : config.heartbeat;
        turn_began.store(idle, std::memory_order_relaxed);  // waiting is no turn
        shm::wait(
            entry.bell, [&] { return stop.load(std::memory_order_acquire) || has_data(); },
            shm::wait_policy{config.poller_spin, timeout});
      }
    }

    entry.state.store(shm::process_state::stopping, std::memory_order_relaxed);
    system.run_until_idle();  // what was polled last
    system.shutdown(5s);
    if (failed.load(std::memory_order_acquire)) {
      std::lock_guard lock(failure_mutex);
      throw error("application '" + app.name() + "' failed: " + failure);
    }
    entry.state.store(shm::process_state::stopped, std::memory_order_relaxed);
    log->info("stopped '{}'", app.name());
  }

  shm::segment& segment;
  std::uint32_t process;
  shm::process_entry& entry;
  es::application& app;
  worker_config config;
  shm::ingress_server ingress;  // read by the poller only; replies go through `replies`
  lane_replies replies;         // written by the actor only
  std::vector<inbound_ring> from_leaders;
  section_pool sections;  // notifications of sections, back from the actor to the poller
  std::vector<command_request> spare_commands;  // see give_back()
  std::vector<inbound_ring> from_followers;
  std::unique_ptr<app_host> host;
  std::shared_ptr<spdlog::logger> log;
  actor::ActorRef<host_message> actor_ref;
  std::size_t posted = 0;                  // messages the current poll made
  bool backlog = false;                    // the host has work left: poll again within config.retry
  static constexpr std::int64_t idle = 0;  // turn_began while the loop waits for work
  std::atomic<std::int64_t> turn_began{idle};  // mono nanos; the heartbeat thread watches it
  std::atomic<bool> stop{false};
  std::atomic<bool> failed{false};
  mutable std::mutex failure_mutex;
  std::string failure;
  std::string hang;  // while a turn runs past the limit: what the heartbeat thread said of it
};

worker::worker(shm::segment& segment, std::uint32_t process_index, es::application& app,
               worker_config config)
    : impl_(std::make_unique<impl>(segment, process_index, app, config)) {}

worker::~worker() = default;

std::string worker::hang() const {
  std::lock_guard lock(impl_->failure_mutex);
  return impl_->hang;
}

void worker::run() {
  impl_->run();
}

void worker::request_stop() noexcept {
  impl_->stop.store(true, std::memory_order_release);
  shm::wake(impl_->entry.bell);
}

}  // namespace weft::node
