// The pipeline benchmark's applications as a plugin, so `weft run` can host
// them (pipeline_bench --runners weft-run-process weft-run-threads).
#include "pipeline_apps.hpp"
#include "weft/es/application_registry.hpp"

WEFT_PLUGIN(registry) {
  registry.add<weft::bench::Emitter>("bench.Emitter");
  registry.add<weft::bench::Reactor>("bench.Reactor");
  registry.add<weft::bench::Relay>("bench.Relay");
  registry.add<weft::bench::Counter>("bench.Counter");
}
