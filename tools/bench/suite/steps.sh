# The suite's steps for tools/bench/run (sourced). Each step is a function
# step_<name> that runs one benchmark program and writes <name>.json to $out;
# its stdout and stderr go to <name>.log / <name>.err, which the progress
# display reads. Sizes per mode: quick = a few minutes on 2 cores, full < 30.

ring_bin() { echo "$build/tools/bench/ring/weft_ring_bench"; }
actor_bin() { echo "$build/tools/bench/actor/actor_bench"; }
pipeline_bin() { echo "$build/tools/bench/pipeline/pipeline_bench"; }

# SCHED_FIFO needs CAP_SYS_NICE; without it the ring runs as SCHED_OTHER.
fifo_prefix() {
  if ((fifo)) && chrt -f 1 true 2>/dev/null; then echo "chrt -f 1"; fi
}

step_ring() {
  $(fifo_prefix) "$(ring_bin)" "$ring_scale" --sizes "$ring_sizes" --json "$out/ring.json"
}
step_actor() { "$(actor_bin)" $actor_args --json "$out/actor.json"; }
pipeline_step() {  # name recorder runners n stages...
  local name=$1 recorder=$2 runners=$3 n=$4
  shift 4
  "$(pipeline_bin)" -n "$n" -r "$recorder" --stages "$@" --runners ${runners//,/ } --progress \
    --json "$out/$name.json" \
    -d "${TMPDIR:-/tmp}/weft-bench-suite-$$"
}

# select_steps MODE ONLY: fills step_names, step_kinds, step_commands, targets.
select_steps() {
  local mode=$1 only=$2
  step_names=() step_kinds=() step_commands=() targets=()
  add() { step_names+=("$1"); step_kinds+=("$2"); step_commands+=("$3"); }
  if [[ $mode == quick ]]; then
    ring_scale=0.5 ring_sizes=64,512,4096,16384
    actor_args="--messages 2000000 --actors 100000 --repeat 1"
    pipe_mem=200000 pipe_normal=40000 pipe_full=2000 pipe_full_hosted=20000
    stages_mem="3 4 6" stages_sql="3 4 6" stages_full="3"
  else
    ring_scale=1 ring_sizes=16,64,256,512,1024,4096,16384
    actor_args="--messages 2000000 --actors 200000 --repeat 3"
    pipe_mem=500000 pipe_normal=100000 pipe_full=5000 pipe_full_hosted=100000
    stages_mem="3 4 6 8" stages_sql="3 4 6 8" stages_full="3 4"
  fi
  if [[ ,$only, == *,ring,* ]]; then
    add ring ring step_ring
    targets+=(weft_ring_bench)
  fi
  if [[ ,$only, == *,actor,* ]]; then
    add actor actor step_actor
    targets+=(actor_bench)
  fi
  if [[ ,$only, == *,pipeline,* ]]; then
    # single = es::single_threaded_runner; threads, processes = a node::worker
    # per application on a shared-memory segment, started by the benchmark;
    # weft-run-* = `weft run --runner process|threads|single` with the bench
    # plugin (see tools/bench/pipeline/hosted_pipeline.hpp).
    local all=single,threads,processes,weft-run-process,weft-run-threads,weft-run-single
    add pipeline-memory pipeline "pipeline_step pipeline-memory memory $all $pipe_mem $stages_mem"
    add pipeline-sqlite-normal pipeline \
      "pipeline_step pipeline-sqlite-normal sqlite-normal $all $pipe_normal $stages_sql"
    # One fsync per transaction: the single runner's three per source event
    # get a smaller N than the group-committing hosted runners.
    add pipeline-sqlite-full pipeline \
      "pipeline_step pipeline-sqlite-full sqlite-full single $pipe_full $stages_full"
    add pipeline-sqlite-full-hosted pipeline \
      "pipeline_step pipeline-sqlite-full-hosted sqlite-full threads,processes,weft-run-process,weft-run-threads,weft-run-single $pipe_full_hosted $stages_full"
    if [[ $mode == full ]]; then
      add pipeline-sqlite-normal-shared pipeline \
        "pipeline_step pipeline-sqlite-normal-shared sqlite-normal-shared single,threads,processes $((pipe_normal / 2)) 3"
    fi
    targets+=(pipeline_bench)
  fi
  if ((${#step_names[@]} == 0)); then
    echo "tools/bench/run: --only '$only' names no step (ring, actor, pipeline)" >&2
    exit 2
  fi
}
