#pragma once
// The benchmark's system: Emitter -> Reactor -> Counter. The Emitter records
// one event per command, the Reactor one per upstream event, the Counter
// none (it only advances its tracking position). Longer pipelines put Relays
// (one event per upstream Reacted) between the Reactor and the Counter.
#include <cstdint>

#include "weft/es/aggregate.hpp"
#include "weft/es/application.hpp"
#include "weft/es/commands.hpp"
#include "weft/es/process_application.hpp"

namespace weft::bench {

struct Emitted {
  uuid id;
  std::uint64_t n = 0;
};
WEFT_EVENT(Emitted, "bench.Emitted", id, n);

struct Reacted {
  uuid id;
  uuid source;
  std::uint64_t n = 0;
};
WEFT_EVENT(Reacted, "bench.Reacted", id, source, n);

class Emission : public es::aggregate<Emission, Emitted> {
 public:
  void apply(const Emitted& e) { n = e.n; }
  std::uint64_t n = 0;
};

class Reaction : public es::aggregate<Reaction, Reacted> {
 public:
  void apply(const Reacted& e) { n = e.n; }
  std::uint64_t n = 0;
};

class Emitter : public es::application {
 public:
  explicit Emitter(es::app_context context) : application(std::move(context)) {
    // How a client reaches it when a node::worker hosts it.
    commands().add("emit", [this](const es::command_args& args) {
      emit(args.get<std::uint64_t>("n"));
      return nlohmann::json();
    });
  }
  /// The source command: one new aggregate, one event, one transaction.
  void emit(std::uint64_t n) {
    const auto id = uuid::random();
    auto emission = Emission::create(id, Emitted{id, n});
    save(emission);
  }
};

class Reactor : public es::process_application {
 public:
  explicit Reactor(es::app_context context) : process_application(std::move(context)) {
    on<&Reactor::emitted>();
  }
  void emitted(const Emitted& e, es::processing& processing) {
    // Name-based: re-processing after a crash derives the same id.
    const auto id = uuid::name_based(e.id, "reaction");
    auto reaction = Reaction::create(id, Reacted{id, e.id, e.n});
    processing.save(reaction);
  }
};

class Relay : public es::process_application {
 public:
  explicit Relay(es::app_context context) : process_application(std::move(context)) {
    on<&Relay::reacted>();
  }
  void reacted(const Reacted& e, es::processing& processing) {
    const auto id = uuid::name_based(e.id, "relay");
    auto reaction = Reaction::create(id, Reacted{id, e.source, e.n});
    processing.save(reaction);
  }
};

class Counter : public es::process_application {
 public:
  explicit Counter(es::app_context context) : process_application(std::move(context)) {
    on<&Counter::reacted>();
  }
  void reacted(const Reacted&, es::processing&) { ++count; }
  std::uint64_t count = 0;
};

}  // namespace weft::bench
