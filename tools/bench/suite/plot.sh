#!/usr/bin/env bash
# Draws the suite's plots (SVG, gnuplot) from results.json:
#   plot.sh OUT     (reads OUT/results.json, writes OUT/*.dat and OUT/*.svg)
set -euo pipefail
out=$1
res="$out/results.json"
gp() { gnuplot -e "set terminal svg size 900,520 dynamic font 'sans,12' background '#ffffff'; set output '$out/$1.svg'; set datafile missing '?'; set grid ytics; set termoption noenhanced" -; }
has() { [[ $(jq -r "$1" "$res") == true ]]; }

if has '.ring != null'; then
  # size, then one column per throughput row (million messages/s)
  jq -r '.ring as $g |
    ((["size"] + ($g.throughput | map(.name))) | map("\"" + . + "\"") | join(" ")),
    (range($g.sizes | length) as $i |
      ([$g.sizes[$i]] + ($g.throughput | map(.messages_per_s[$i] / 1e6))) | map(tostring) | join(" "))' \
    "$res" >"$out/ring_throughput.dat"
  cols=$(jq '.ring.throughput | length + 1' "$res")
  gp ring_throughput <<EOF2
set title "Ring throughput vs record size (producer cpu 0, consumer cpu 1)"
set xlabel "record size, bytes"; set ylabel "million messages/s"
set logscale xy; set key bottom left font ',10'; set autoscale xfix; set offsets graph 0.05, graph 0.05, 0, 0
set xtics (16,64,256,1024,4096,16384,65536)
plot for [c=2:$cols] '$out/ring_throughput.dat' using 1:c with linespoints lw 2 title columnhead(c)
EOF2
  gp ring_bandwidth <<EOF2
set title "Ring bandwidth vs record size (payload bytes moved)"
set xlabel "record size, bytes"; set ylabel "GB/s"
set logscale xy; set key bottom right font ',10'; set autoscale xfix; set offsets graph 0.05, graph 0.05, 0, 0
set xtics (16,64,256,1024,4096,16384,65536)
plot for [c=2:$cols] '$out/ring_throughput.dat' using 1:(column(c) * \$1 / 1e3) with linespoints lw 2 title columnhead(c)
EOF2
  jq -r '.ring.latency[] | "\"\(.name)\" \(.p50_ns) \(.p99_ns) \(.p999_ns)"' "$res" >"$out/ring_latency.dat"
  gp ring_latency <<EOF2
set title "Ring one-way latency, 64 B (ping-pong RTT/2)"
set ylabel "ns (log)"; set logscale y
set style data histograms; set style histogram clustered gap 1; set style fill solid 0.8 border -1
set xtics rotate by -20 scale 0 font ',10'; set key top left; set bmargin 6; set rmargin 14
plot '$out/ring_latency.dat' using 2:xtic(1) title "p50", '' using 3 title "p99", '' using 4 title "p99.9"
EOF2
fi

if has '.actor != null'; then
  jq -r '.actor.rows[] | "\"\(.name)\" \(.weft.messages_per_s / 1e6) \(if .peer then .peer.messages_per_s / 1e6 else "?" end)"' \
    "$res" >"$out/actor.dat"
  gp actor <<EOF2
set title "Actors: weft vs CAF 0.17 (mailbox rows: vs moodycamel), same run"
set ylabel "million messages/s (log)"; set logscale y
set style data histograms; set style histogram clustered gap 1; set style fill solid 0.8 border -1
set xtics rotate by -25 scale 0 font ',10'; set key top right; set bmargin 7; set rmargin 12
plot '$out/actor.dat' using 2:xtic(1) title "weft", '' using 3 title "peer (CAF / moodycamel)"
EOF2
fi

if has '(.pipeline.rows | length) > 0'; then
  # End to end, 3 stages, single runner: events/s, ev/cpu-s and Python's figure per recorder.
  jq -r '.pipeline.rows | map(select(.error == null and .scenario == "end to end" and .stages == 3 and .runner == "single"))[] |
    "\"\(.recorder)\" \(.events_per_s) \(.events_per_cpu_s) \(.python_reference)"' "$res" \
    >"$out/pipeline_recorder.dat"
  gp pipeline_recorder <<EOF2
set title "Pipeline end to end (Emitter -> Reactor -> Counter), single-threaded runner, by recorder"
set ylabel "source events/s (log)"; set logscale y
set style data histograms; set style histogram clustered gap 1; set style fill solid 0.8 border -1
set xtics scale 0; set key top right
plot '$out/pipeline_recorder.dat' using 2:xtic(1) title "weft, wall", '' using 3 title "weft, per CPU-second", '' using 4 title "Python eventsourcing 9.3"
EOF2
  # Stages: one column per recorder/runner pair; wall and CPU figures.
  for measure in events_per_s events_per_cpu_s; do
    suffix=$([[ $measure == events_per_s ]] && echo "" || echo "_cpu")
    label=$([[ $measure == events_per_s ]] && echo "source events/s, wall" || echo "source events per CPU-second")
    # memory and sqlite-normal only: every runner of four recorders is too many lines.
    jq -r --arg m "$measure" '.pipeline.rows | map(select(.error == null and .scenario == "end to end" and
        (.recorder == "memory" or .recorder == "sqlite-normal"))) as $r |
      ($r | map(.recorder + "/" + .runner) | unique) as $k |
      ((["stages"] + $k) | map("\"" + . + "\"") | join(" ")),
      (($r | map(.stages) | unique)[] as $s |
        ([$s] + ($k | map(. as $key | ($r | map(select(.recorder + "/" + .runner == $key and .stages == $s)) |
          if length > 0 then .[0][$m] else "?" end)))) | map(tostring) | join(" "))' \
      "$res" >"$out/pipeline_stages$suffix.dat"
    cols=$(head -1 "$out/pipeline_stages$suffix.dat" | wc -w)
    gp "pipeline_stages$suffix" <<EOF2
set title "Pipeline end to end vs number of applications (recorder/runner)"
set xlabel "applications in the pipe (Emitter, Reactor, Relays, Counter)"; set ylabel "$label (log)"
set logscale y; set key outside right font ',10'; set xtics 1
plot for [c=2:$cols] '$out/pipeline_stages$suffix.dat' using 1:c with linespoints lw 2 title columnhead(c)
EOF2
    # Runners: one row per runner, one column per recorder (3 applications, end to end).
    jq -r --arg m "$measure" '.pipeline.rows | map(select(.error == null and .scenario == "end to end" and .stages == 3)) as $r |
      ($r | map(.recorder) | unique) as $k |
      ((["runner"] + $k) | map("\"" + . + "\"") | join(" ")),
      (["single", "threads", "processes", "weft-run-threads", "weft-run-process"][] as $u | select($r | any(.runner == $u)) |
        (["\"" + $u + "\""] + ($k | map(. as $kind | ($r | map(select(.recorder == $kind and .runner == $u)) |
          if length > 0 then .[0][$m] | tostring else "?" end)))) | join(" "))' \
      "$res" >"$out/pipeline_runner$suffix.dat"
    cols=$(head -1 "$out/pipeline_runner$suffix.dat" | wc -w)
    gp "pipeline_runner$suffix" <<EOF2
set title "Pipeline end to end (Emitter -> Reactor -> Counter) by runner and recorder"
set ylabel "$label (log)"; set logscale y
set style data histograms; set style histogram clustered gap 1; set style fill solid 0.8 border -1
set xtics scale 0; set key top left
plot for [c=2:$cols] '$out/pipeline_runner$suffix.dat' using c:xtic(1) title columnhead(c)
EOF2
  done
fi
