#pragma once
// The benchmark's system: Emitter -> Reactor -> Counter. The Emitter records
// one event per command, the Reactor one per upstream event, the Counter
// none (it only advances its tracking position). Longer pipelines put Relays
// (one event per upstream Reacted) between the Reactor and the Counter.
//
// Option "ids": "time-ordered" (the default: uuid::time_ordered and
// uuid::derived) or "random" (uuid::random and uuid::name_based, the Python
// library's choice), to measure what ordered ids are worth.
#include <cstdint>
#include <string>
#include <string_view>

#include "weft/core/error.hpp"
#include "weft/core/uuid.hpp"
#include "weft/es/aggregate.hpp"
#include "weft/es/application.hpp"
#include "weft/es/commands.hpp"
#include "weft/es/process_application.hpp"

namespace weft::bench {

/// How the benchmark's applications make ids (their "ids" option).
class id_scheme {
 public:
  explicit id_scheme(const es::options& options) {
    const std::string kind = options.get("ids", "time-ordered");
    if (kind != "time-ordered" && kind != "random") {
      // Appended, not operator+: g++ 12 -O3 warns (-Wrestrict) on literal + string.
      std::string why = "option ids: '";
      why.append(kind).append("' is neither time-ordered nor random");
      throw invalid_input(why);
    }
    ordered_ = kind == "time-ordered";
  }
  [[nodiscard]] uuid fresh() const { return ordered_ ? uuid::time_ordered() : uuid::random(); }
  [[nodiscard]] uuid derived(const uuid& source, std::string_view name) const {
    return ordered_ ? uuid::derived(source, name) : uuid::name_based(source, name);
  }

 private:
  bool ordered_ = true;
};

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
  explicit Emitter(es::app_context context) : application(std::move(context)), ids_(options()) {
    // How a client reaches it when a node::worker hosts it.
    commands().add("emit", [this](const es::command_args& args) {
      emit(args.get<std::uint64_t>("n"));
      return nlohmann::json();
    });
  }
  /// The source command: one new aggregate, one event, one transaction.
  void emit(std::uint64_t n) {
    const auto id = ids_.fresh();
    auto emission = Emission::create(id, Emitted{id, n});
    save(emission);
  }

 private:
  id_scheme ids_;
};

class Reactor : public es::process_application {
 public:
  explicit Reactor(es::app_context context)
      : process_application(std::move(context)), ids_(options()) {
    on<&Reactor::emitted>();
  }
  void emitted(const Emitted& e, es::processing& processing) {
    // Derived: re-processing after a crash derives the same id.
    const auto id = ids_.derived(e.id, "reaction");
    auto reaction = Reaction::create(id, Reacted{id, e.id, e.n});
    processing.save(reaction);
  }

 private:
  id_scheme ids_;
};

class Relay : public es::process_application {
 public:
  explicit Relay(es::app_context context)
      : process_application(std::move(context)), ids_(options()) {
    on<&Relay::reacted>();
  }
  void reacted(const Reacted& e, es::processing& processing) {
    const auto id = ids_.derived(e.id, "relay");
    auto reaction = Reaction::create(id, Reacted{id, e.source, e.n});
    processing.save(reaction);
  }

 private:
  id_scheme ids_;
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
