#!/usr/bin/env bash
# Merges one suite run into results.json and renders tables.md from it.
#   collect.sh OUT MODE LOAD_AT_START START_EPOCH REPO
set -euo pipefail
out=$1 mode=$2 load_start=$3 start_epoch=$4 repo=$5
suite=$(dirname "$0")

slurp() { if [[ -f $1 ]]; then cat "$1"; else echo null; fi; }
shopt -s nullglob
pipeline_files=("$out"/pipeline-*.json)
step_files=("$out"/step-*.json)
# Rows by recorder, runner, scenario, stages (the order of the tables).
pipeline_rows=$(cat "${pipeline_files[@]}" /dev/null | jq -s '[.[].rows[]] | sort_by(
  (.recorder as $r | ["memory", "sqlite-normal", "sqlite-normal-shared", "sqlite-full"] | index($r)),
  (.runner as $r | ["single", "threads", "processes", "weft-run-threads", "weft-run-process"] | index($r)),
  (.scenario | if startswith("emit") then 0 elif startswith("catch") then 1 else 2 end), .stages)')
steps=$(cat "${step_files[@]}" /dev/null | jq -s '.')

jq -n \
  --arg mode "$mode" \
  --arg date "$(date -u +%Y-%m-%dT%H:%M:%SZ)" \
  --arg commit "$(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo unknown)" \
  --argjson seconds "$(($(date +%s) - start_epoch))" \
  --arg nproc "$(nproc)" \
  --arg cpu "$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)" \
  --arg cpu_id "$(lscpu 2>/dev/null | awk -F: '/^CPU family|^Model:|^Hypervisor vendor/ { gsub(/^ +/, "", $2); printf "%s%s %s", sep, $1, $2; sep = ", " }')" \
  --arg kernel "$(uname -srm)" \
  --arg memory "$(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)" \
  --arg load_start "$load_start" \
  --arg load_end "$(cut -d' ' -f1-3 /proc/loadavg)" \
  --argjson steps "$steps" \
  --argjson ring "$(slurp "$out/ring.json")" \
  --argjson actor "$(slurp "$out/actor.json")" \
  --argjson pipeline_rows "$pipeline_rows" \
  '{
     suite: {mode: $mode, date: $date, commit: $commit, seconds: $seconds,
             command: ("tools/bench/run" + (if $mode == "quick" then " --quick" else "" end))},
     machine: {nproc: ($nproc | tonumber), cpu_model: $cpu, cpu_id: $cpu_id, kernel: $kernel, memory: $memory,
               load_average_start: $load_start, load_average_end: $load_end},
     python_reference: {memory: 8380, sqlite_single_threaded: 655, sqlite_multi_threaded: 999,
                        source: "eventsourcing 9.3, N = 10,000, Emitter -> Reactor -> Counter (issue 2)"},
     steps: $steps,
     ring: $ring,
     actor: $actor,
     pipeline: {runners_measured: ($pipeline_rows | map(.runner) | unique), rows: $pipeline_rows}
   }' >"$out/results.json"

jq -r -f "$suite/tables.jq" "$out/results.json" >"$out/tables.md"
