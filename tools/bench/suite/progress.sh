# Runs the suite's steps with a one-line progress display (sourced by
# tools/bench/run): step, elapsed time, what the program reports (rows done,
# or a bar for pipeline runs), the load average. Each step's wall time, CPU
# time of its processes and the load seen while it ran go to step-<name>.json.

interactive=0
[[ -t 2 ]] && interactive=1

fmt_time() { printf '%02d:%02d' $(($1 / 60)) $(($1 % 60)); }

bar() {  # done total width
  local done=$1 total=$2 width=$3 filled
  ((total > 0)) || total=1
  filled=$((done * width / total))
  printf '[%s%s] %3d%%' "$(printf '%*s' "$filled" '' | tr ' ' '#')" \
    "$(printf '%*s' $((width - filled)) '' | tr ' ' '.')" $((done * 100 / total))
}

# What the running step has reported so far.
step_status() {
  local kind=$1 name=$2 rows line
  case $kind in
    ring)
      rows=$(grep -c '^measured:' "$out/$name.err" 2>/dev/null || true)
      if ((rows < 24)); then  # 8 rows, 3 interleaved passes
        printf 'throughput %s ' "$(bar "$rows" 24 16)"
      else
        printf 'latency percentiles'
      fi
      ;;
    actor)
      rows=$(grep -c ' weft ' "$out/$name.log" 2>/dev/null || true)
      printf 'rows %s' "$(bar "$rows" 9 16)"
      ;;
    pipeline)
      line=$(grep '^progress ' "$out/$name.err" 2>/dev/null | tail -1 || true)
      if [[ -n $line ]]; then
        read -r _ what done total <<<"$line"
        printf '%-36s %s' "$what" "$(bar "$done" "$total" 24)"
      fi
      ;;
  esac
}

show() {
  if ((interactive)); then
    printf '\r\033[K%s' "$1" >&2
  else
    printf '%s\n' "$1" >&2
  fi
}

run_step() {
  local i=$1 name=${step_names[$1]} kind=${step_kinds[$1]} cmd=${step_commands[$1]}
  local t0 now pid rc=0 samples=0 load_sum=0 load_max=0 load last_print=0 count=${#step_names[@]}
  t0=$(date +%s.%N)
  (
    eval "$cmd"
    times >"$out/$name.times"
  ) >"$out/$name.log" 2>"$out/$name.err" &
  pid=$!
  while kill -0 "$pid" 2>/dev/null; do
    load=$(cut -d' ' -f1 /proc/loadavg)
    samples=$((samples + 1))
    load_sum=$(awk -v a="$load_sum" -v b="$load" 'BEGIN { print a + b }')
    load_max=$(awk -v a="$load_max" -v b="$load" 'BEGIN { print (b > a ? b : a) }')
    now=$(date +%s)
    if ((interactive || now - last_print >= 15)); then
      show "$(printf '[%d/%d] %-30s %s  total %s  load %-5s  %s' $((i + 1)) "$count" "$name" \
        "$(fmt_time $((now - ${t0%.*})))" "$(fmt_time $((now - start_all)))" "$load" \
        "$(step_status "$kind" "$name")")"
      last_print=$now
    fi
    sleep 0.5
  done
  wait "$pid" || rc=$?
  local wall cpu
  wall=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }')
  # times: line 2 = user and system time of the step's processes ("0m1.5s 0m0.2s").
  cpu=$(sed -n 2p "$out/$name.times" 2>/dev/null |
    awk '{ t = 0; for (f = 1; f <= 2; ++f) { split($f, p, "m"); sub("s", "", p[2]); t += p[1] * 60 + p[2] } printf "%.2f", t }')
  jq -n --arg name "$name" --arg cmd "$cmd" --argjson rc "$rc" --argjson wall "$wall" \
    --argjson cpu "${cpu:-0}" --argjson mean "$(awk -v s="$load_sum" -v n="$samples" 'BEGIN { printf "%.2f", n ? s / n : 0 }')" \
    --argjson max "$load_max" \
    '{name: $name, command: $cmd, exit_status: $rc, wall_seconds: $wall, cpu_seconds: $cpu,
      load_average_mean: $mean, load_average_max: $max}' >"$out/step-$name.json"
  if ((rc != 0)); then
    show "[$((i + 1))/$count] $name FAILED (exit $rc) after ${wall}s; last lines of $out/$name.err:"
    ((interactive)) && echo >&2
    tail -5 "$out/$name.err" >&2
  else
    show "$(printf '[%d/%d] %-30s done in %ss (cpu %ss, load %s)' $((i + 1)) "$count" "$name" "$wall" "${cpu:-?}" "$load")"
    ((interactive)) && echo >&2
  fi
  return 0
}

finish_display() { :; }
