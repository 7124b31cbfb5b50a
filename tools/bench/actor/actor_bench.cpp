// weft's actor runtime against CAF 0.17 and its mailbox against a plain
// moodycamel::ConcurrentQueue, measured side by side in one run.
//
//   actor_bench [--messages N] [--actors N] [--repeat R] [--only ping|fan|spawn|mailbox|idle]
//               [--json FILE]   (also write every row as JSON, for tools/bench/run)
//
// Each figure is the best of R runs. Ratios > 1 mean weft is faster.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <string>

#include <nlohmann/json.hpp>

#include "bench_common.hpp"

using namespace weft::bench;

namespace {

struct Options {
  std::uint64_t messages = 2'000'000;
  std::uint64_t actors = 1'000'000;
  int repeat = 3;
  std::string only;  ///< run only cases whose name contains this
  std::string json;  ///< file for the JSON rows; empty: none
};

nlohmann::json json_rows = nlohmann::json::array();

nlohmann::json as_json(const Figure& f) {
  return {{"messages_per_s", f.messages_per_second},
          {"ns_per_message", f.ns_per_message},
          {"allocs_per_message",
           f.allocs_per_message >= 0 ? nlohmann::json(f.allocs_per_message) : nlohmann::json()},
          {"order_violations", f.order_violations}};
}

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    auto value = [&](const char* flag) -> std::uint64_t {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "actor_bench: %s needs a value\n", flag);
        std::exit(2);
      }
      char* end = nullptr;
      const auto v = std::strtoull(argv[++i], &end, 10);
      if (*end != '\0' || v == 0) {
        std::fprintf(stderr, "actor_bench: %s: '%s' is not a positive integer\n", flag, argv[i]);
        std::exit(2);
      }
      return v;
    };
    if (std::strcmp(argv[i], "--messages") == 0) {
      o.messages = value("--messages");
    } else if (std::strcmp(argv[i], "--actors") == 0) {
      o.actors = value("--actors");
    } else if (std::strcmp(argv[i], "--only") == 0 && i + 1 < argc) {
      o.only = argv[++i];
    } else if (std::strcmp(argv[i], "--json") == 0 && i + 1 < argc) {
      o.json = argv[++i];
    } else if (std::strcmp(argv[i], "--repeat") == 0) {
      o.repeat = static_cast<int>(value("--repeat"));
    } else {
      std::fprintf(stderr,
                   "actor_bench: unknown argument '%s'\nusage: actor_bench [--messages N] "
                   "[--actors N] [--repeat R] [--only ping|fan|spawn|mailbox|idle] [--json FILE]\n",
                   argv[i]);
      std::exit(2);
    }
  }
  return o;
}

Figure best(int repeat, const std::function<Figure()>& run) {
  Figure top = run();
  for (int i = 1; i < repeat; ++i) {
    Figure f = run();
    if (f.messages_per_second > top.messages_per_second) top = f;
  }
  return top;
}

void row(const char* name, const Figure& weft, const char* peer_name, const Figure* peer,
         const char* goal) {
  std::printf("%-30s weft %8.2f M/s %8.1f ns", name, weft.messages_per_second / 1e6,
              weft.ns_per_message);
  if (weft.allocs_per_message >= 0) std::printf("  allocs/msg %.4f", weft.allocs_per_message);
  if (peer != nullptr) {
    std::printf(" | %-10s %8.2f M/s %8.1f ns | ratio %5.2fx  (goal %s)", peer_name,
                peer->messages_per_second / 1e6, peer->ns_per_message,
                weft.messages_per_second / peer->messages_per_second, goal);
  }
  std::printf("\n");
  std::fflush(stdout);
  json_rows.push_back(
      {{"name", name},
       {"weft", as_json(weft)},
       {"peer_name", peer != nullptr ? nlohmann::json(peer_name) : nlohmann::json()},
       {"peer", peer != nullptr ? as_json(*peer) : nlohmann::json()},
       {"ratio", peer != nullptr
                     ? nlohmann::json(weft.messages_per_second / peer->messages_per_second)
                     : nlohmann::json()},
       {"goal", goal}});
}

}  // namespace

int main(int argc, char** argv) {
  const Options o = parse(argc, argv);
  std::printf("actor_bench: messages=%llu actors=%llu best of %d\n",
              static_cast<unsigned long long>(o.messages),
              static_cast<unsigned long long>(o.actors), o.repeat);
#ifdef WEFT_HAVE_CAF
  const char* peer = "CAF 0.17";
#else
  const char* peer = nullptr;
  std::printf("(CAF not found at configure time: weft figures only)\n");
#endif
  auto wanted = [&](const char* key) { return o.only.empty() || o.only == key; };
  for (int workers : {1, 2}) {
    if (!wanted("ping")) break;
    const std::string name =
        "ping-pong, " + std::to_string(workers) + " worker" + (workers > 1 ? "s" : "");
    Figure w = best(o.repeat, [&] { return weft_ping_pong(workers, o.messages); });
#ifdef WEFT_HAVE_CAF
    Figure c = best(o.repeat, [&] { return caf_ping_pong(workers, o.messages); });
    row(name.c_str(), w, peer, &c, workers == 1 ? ">= 5x" : "-");
#else
    row(name.c_str(), w, peer, nullptr, "");
#endif
  }
  for (int senders : {1, 2, 16}) {
    if (!wanted("fan")) break;
    const std::string name =
        "fan-in, " + std::to_string(senders) + " sender" + (senders > 1 ? "s" : "") + ", 2 workers";
    Figure w = best(o.repeat, [&] { return weft_fan_in(senders, o.messages); });
#ifdef WEFT_HAVE_CAF
    Figure c = best(o.repeat, [&] { return caf_fan_in(senders, o.messages); });
    row(name.c_str(), w, peer, &c, ">= 2x");
#else
    row(name.c_str(), w, peer, nullptr, "");
#endif
  }
  if (wanted("spawn")) {
    Figure w = best(o.repeat, [&] { return weft_spawn_stop(o.actors); });
#ifdef WEFT_HAVE_CAF
    Figure c = best(o.repeat, [&] { return caf_spawn_stop(o.actors); });
    row("spawn+stop actors (per actor)", w, peer, &c, "-");
#else
    row("spawn+stop actors (per actor)", w, peer, nullptr, "");
#endif
  }
  bool ordered = true;
  for (int producers : {1, 2}) {
    if (!wanted("mailbox")) break;
    const std::string name =
        "mailbox queue, " + std::to_string(producers) + " producer" + (producers > 1 ? "s" : "");
    Figure w = best(o.repeat, [&] { return weft_mailbox(producers, o.messages * 5); });
    Figure m = best(o.repeat, [&] { return moodycamel_queue(producers, o.messages * 5); });
    row(name.c_str(), w, "moodycamel", &m, ">= 1x");
    std::printf(
        "%-30s order violations: weft %llu, moodycamel %llu (must be 0); moodycamel allocs/msg "
        "%.4f\n",
        "", static_cast<unsigned long long>(w.order_violations),
        static_cast<unsigned long long>(m.order_violations), m.allocs_per_message);
    ordered = ordered && w.order_violations == 0;
  }
  double idle = -1;
  if (wanted("idle")) {
    idle = weft_idle_cpu_percent();
    std::printf("%-30s weft %.2f%% of one core (2 parked workers)\n", "idle system CPU", idle);
  }
  if (!o.json.empty()) {
    const nlohmann::json doc{{"benchmark", "actor"},
                             {"messages", o.messages},
                             {"actors", o.actors},
                             {"repeat", o.repeat},
                             {"caf", peer != nullptr},
                             {"rows", json_rows},
                             {"idle_cpu_percent", idle >= 0 ? nlohmann::json(idle) : nullptr}};
    std::ofstream(o.json) << doc.dump(2) << "\n";
  }
  return ordered ? 0 : 1;
}
