# results.json -> Markdown tables (tools/bench/run writes them to tables.md).
def r(d): if . == null then "-" else (. * pow(10; d) | round) / pow(10; d) | tostring end;
def mps: if . == null then "-" else (. / 1e6) | r(2) end;
def x: if . == null then "-" else r(2) + "x" end;
def row: "| " + join(" | ") + " |";
def header(cols): (cols | row), (cols | map("---") | row);

"Suite: `\(.suite.command)`, \(.suite.mode) mode, commit \(.suite.commit), \(.suite.date), \(.suite.seconds) s.",
"Machine: \(.machine.nproc) cores, \(.machine.cpu_model) (\(.machine.cpu_id)), \(.machine.kernel), \(.machine.memory); load average \(.machine.load_average_start) at start, \(.machine.load_average_end) at the end.",
"",
"### Steps",
"",
header(["step", "wall s", "CPU s", "CPU / wall", "load avg (mean)", "load avg (max)", "exit"]),
(.steps[] | [.name, (.wall_seconds | r(1)), (.cpu_seconds | r(1)),
             (if .wall_seconds > 0 then .cpu_seconds / .wall_seconds | r(2) else "-" end),
             (.load_average_mean | r(1)), (.load_average_max | r(1)), (.exit_status | tostring)] | row),
"",
(if .ring then
  (.ring as $g |
   "### Ring throughput, million messages/s (median of 3, \($g.scheduler), batch \($g.batch))",
   "",
   header(["row"] + ($g.sizes | map("\(.) B"))),
   ($g.throughput[] | [.name] + (.messages_per_s | map(mps)) | row),
   "",
   "Ratios (same run):",
   "",
   header(["ratio"] + ($g.sizes | map("\(.) B"))),
   ($g.throughput_ratios[] | [.name] + (.ratio | map(x)) | row),
   "",
   "### Ring one-way latency, ns (ping-pong RTT/2, 64 B, median run of 3)",
   "",
   header(["row", "p50", "p99", "p99.9"]),
   ($g.latency[] | [.name, (.p50_ns | r(0)), (.p99_ns | r(0)), (.p999_ns | r(0))] | row),
   "",
   ($g.latency | map({(.name): .}) | add) as $l |
   header(["ratio", "p50", "p99", "p99.9"]),
   (["weft / raw, spinning", $l["weft spsc_ring, spinning"], $l["raw SPSC ring, spinning"]],
    ["weft parked / raw futex", $l["weft spsc_ring + doorbell, parked"], $l["raw futex hand-off (parked)"]]
    | [.[0], (.[1].p50_ns / .[2].p50_ns | x), (.[1].p99_ns / .[2].p99_ns | x),
       (.[1].p999_ns / .[2].p999_ns | x)] | row),
   "")
 else empty end),
(if .actor then
  "### Actors (best of \(.actor.repeat), wall clock; ratio = weft / peer)",
  "",
  header(["case", "weft M msg/s", "weft ns/msg", "allocs/msg", "peer", "peer M msg/s", "ratio"]),
  (.actor.rows[] | [.name, (.weft.messages_per_s | mps), (.weft.ns_per_message | r(1)),
                    (.weft.allocs_per_message | r(4)), (.peer_name // "-"),
                    (.peer.messages_per_s | mps), (.ratio | x)] | row),
  "",
  "Idle 2-worker system: \(.actor.idle_cpu_percent | r(2)) % of one core.",
  ""
 else empty end),
(if (.pipeline.rows | length) > 0 then
  .python_reference as $py |
  "### Pipeline (Emitter -> Reactor -> [Relays ->] Counter), source events/s",
  "",
  "Python eventsourcing 9.3 reference: \($py.memory) ev/s memory, \($py.sqlite_single_threaded) SQLite single-threaded, \($py.sqlite_multi_threaded) multi-threaded. `vs Python` = events/s (wall) / reference; `per core` = ev/cpu-s / reference.",
  "",
  header(["scenario", "recorder", "runner", "stages", "N", "s", "events/s", "ev/cpu-s", "vs Python", "per core vs Python", "vs Python threaded"]),
  (.pipeline.rows[] | select(.error == null) | [.scenario, .recorder, .runner, (.stages | tostring), (.n | tostring),
                       (.seconds | r(2)), (.events_per_s | r(0)), (.events_per_cpu_s | r(0)),
                       (.vs_python | x), (.events_per_cpu_s / .python_reference | x),
                       (.vs_python_threaded | x)] | row),
  "",
  (.pipeline.rows[] | select(.error != null) |
   "FAILED: \(.recorder) / \(.runner) / \(.stages) applications: \(.error | gsub("\n"; " "))"),
  ""
 else empty end)
