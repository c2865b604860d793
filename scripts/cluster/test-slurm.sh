#!/usr/bin/env bash
# Tests scripts/cluster/slurm-tune.sh on a real, single-node Slurm cluster started here.
#
#   scripts/cluster/test-slurm.sh [--shrink PATH] [--machinery-only] [--keep]
#
# Installs Debian's slurm-wlm and munge when missing (apt-get, as root), starts munged,
# slurmctld and slurmd as plain background processes (no systemd, no cgroups; configuration,
# state, spool, logs and the munge key and socket in a temporary folder, ports 16817/16818 or
# the next free pair) and stops them at exit, also on failure. Then:
#  1. the machinery, with a stand-in for shrink (a shell script whose "database" is a text
#     file): 2 shards x 2 rounds must give the 8 expected candidates in merged.db (so every
#     round-2 shard started from the merged round 1), tasks get --threads from
#     --cpus-per-task, and a failing shard makes --wait fail and cancels the jobs after it;
#  2. unless --machinery-only, the real search: a 1-epoch LeNet-300-100, then
#     `shrink tune --budget-evaluations 8` as 2 shards x 3 rounds through Slurm and once in
#     one process; the merged front, choice and measurements must equal the single run's.
# Without --shrink the release binary is built. Run from anywhere; works from the repository
# root (the data set is Data/mnist). Exits non-zero, loudly, when Slurm cannot be installed
# or started: this test never skips.
set -euo pipefail
cd "$(dirname "$0")/../.."
repo=$PWD

shrink=""
machinery_only=0
keep=0
while [[ $# -gt 0 ]]; do
    case "$1" in
        --shrink) [[ $# -ge 2 ]] || { echo "test-slurm.sh: --shrink needs a path" >&2; exit 2; }
                  shrink="$2"; shift 2 ;;
        --machinery-only) machinery_only=1; shift ;;
        --keep) keep=1; shift ;;
        -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "test-slurm.sh: unknown option $1" >&2
           echo "usage: scripts/cluster/test-slurm.sh [--shrink PATH] [--machinery-only] [--keep]" >&2; exit 2 ;;
    esac
done

fail() { echo "test-slurm.sh: FAIL: $*" >&2; exit 1; }
[[ "$(id -u)" == 0 ]] || fail "needs root (apt-get, and slurmd starts jobs as their users)"
started=$SECONDS
step() { echo "== slurm ($((SECONDS - started)) s): $*"; }

if [[ "$machinery_only" == 0 ]]; then
    if [[ -z "$shrink" ]]; then
        step "build (release): shrink"
        swift build -c release --product shrink >/dev/null
        shrink="$(swift build -c release --show-bin-path)/shrink"
    fi
    [[ -x "$shrink" ]] || fail "--shrink '$shrink' is not an executable file"
    case "$shrink" in /*) ;; *) shrink="$repo/$shrink" ;; esac
fi

# --- Slurm and munge from Debian's packages -------------------------------------------------
if ! command -v slurmctld >/dev/null 2>&1 || ! command -v slurmd >/dev/null 2>&1 \
        || ! command -v sbatch >/dev/null 2>&1 || ! command -v munged >/dev/null 2>&1 \
        || ! command -v mungekey >/dev/null 2>&1; then
    step "install: slurm-wlm, munge"
    if ! { apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
            slurm-wlm munge >/dev/null; }; then
        fail "could not install slurm-wlm and munge with apt-get (needs root and Debian package sources)"
    fi
fi
for tool in slurmctld slurmd sbatch squeue sinfo scontrol scancel munged mungekey; do
    command -v "$tool" >/dev/null 2>&1 || fail "$tool is missing after installing slurm-wlm and munge"
done

# --- a private single-node cluster -----------------------------------------------------------
tmp=$(mktemp -d /tmp/shrink-slurm.XXXXXX)
chmod 755 "$tmp" # munged wants every directory above its socket searchable by all
mkdir -p "$tmp/state" "$tmp/spool" "$tmp/log"
daemon_pids=()
cleanup() {
    local status=$?
    set +e
    if [[ -f "$tmp/slurm.conf" ]] && [[ ${#daemon_pids[@]} -ge 2 ]]; then
        # Jobs first, so that no job step outlives its slurmd.
        scancel --user="$(id -un)" >/dev/null 2>&1
        for _ in $(seq 20); do
            [[ -z "$(squeue -h -o %i 2>/dev/null)" ]] && break
            sleep 0.5
        done
    fi
    local index pid
    for ((index = ${#daemon_pids[@]} - 1; index >= 0; index--)); do
        pid=${daemon_pids[$index]}
        kill "$pid" 2>/dev/null
        for _ in $(seq 20); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
        kill -9 "$pid" 2>/dev/null
        wait "$pid" 2>/dev/null
    done
    if [[ "$status" != 0 ]]; then
        echo "---- test-slurm.sh failed (exit $status); the last lines of the daemons' and jobs' logs:" >&2
        for log in "$tmp"/log/*.log "$tmp"/run-*/logs/*.out; do
            [[ -f "$log" ]] || continue
            echo "-- $log" >&2
            tail -n 15 "$log" >&2
        done
    fi
    if [[ "$keep" == 1 ]]; then echo "kept $tmp" >&2; else rm -rf "$tmp"; fi
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
controller_port=""
for base in 16817 26817 36817 46817; do
    if port_free "$base" && port_free $((base + 1)); then controller_port=$base; break; fi
done
[[ -n "$controller_port" ]] || fail "no free port pair for slurmctld and slurmd (tried 16817, 26817, 36817, 46817)"

step "start munged"
mungekey --create --keyfile="$tmp/munge.key" || fail "mungekey could not create a key"
chmod 600 "$tmp/munge.key"
munged --foreground --socket="$tmp/munge.socket" --key-file="$tmp/munge.key" \
    --pid-file="$tmp/munged.pid" --seed-file="$tmp/munged.seed" > "$tmp/log/munged.log" 2>&1 &
daemon_pids+=($!)
for _ in $(seq 40); do [[ -S "$tmp/munge.socket" ]] && break; sleep 0.25; done
[[ -S "$tmp/munge.socket" ]] || fail "munged did not start: $(tail -n 3 "$tmp/log/munged.log")"
munge -S "$tmp/munge.socket" -n | unmunge -S "$tmp/munge.socket" >/dev/null || fail "munge cannot decode its own credential"

# The node as slurmd sees it (CPUs, RealMemory), so that it is never drained as too small.
hardware=$(slurmd -C | head -n 1)
cpus=$(grep -o 'CPUs=[0-9]*' <<< "$hardware" | cut -d= -f2)
memory=$(grep -o 'RealMemory=[0-9]*' <<< "$hardware" | cut -d= -f2)
[[ -n "$cpus" && -n "$memory" ]] || fail "slurmd -C printed no CPUs/RealMemory: $hardware"
cat > "$tmp/slurm.conf" <<EOF
# Written by scripts/cluster/test-slurm.sh: one node (this machine), no cgroups, no accounting.
ClusterName=shrinktest
SlurmctldHost=localhost(127.0.0.1)
SlurmctldPort=$controller_port
SlurmdPort=$((controller_port + 1))
SlurmUser=$(id -un)
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$tmp/munge.socket
StateSaveLocation=$tmp/state
SlurmdSpoolDir=$tmp/spool
SlurmctldPidFile=$tmp/slurmctld.pid
SlurmdPidFile=$tmp/slurmd.pid
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
SwitchType=switch/none
SchedulerType=sched/builtin
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
ReturnToService=2
MinJobAge=3600
InactiveLimit=0
KillWait=5
NodeName=localhost NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$memory State=UNKNOWN
PartitionName=test Nodes=localhost Default=YES MaxTime=INFINITE State=UP
EOF
export SLURM_CONF="$tmp/slurm.conf"

step "start slurmctld and slurmd (ports $controller_port, $((controller_port + 1)); $cpus CPUs)"
# In the foreground (-D) they log to standard error: their logs are files in $tmp/log.
slurmctld -D -c -f "$SLURM_CONF" > "$tmp/log/slurmctld.log" 2>&1 &
daemon_pids+=($!)
for _ in $(seq 60); do scontrol ping 2>/dev/null | grep -q 'is UP' && break; sleep 0.5; done
scontrol ping 2>/dev/null | grep -q 'is UP' || fail "slurmctld did not come up: $(tail -n 5 "$tmp/log/slurmctld.log")"
slurmd -D -N localhost -f "$SLURM_CONF" > "$tmp/log/slurmd.log" 2>&1 &
daemon_pids+=($!)
state=""
for _ in $(seq 120); do
    state=$(sinfo -h -n localhost -o %T 2>/dev/null || true)
    [[ "$state" == idle ]] && break
    sleep 0.5
done
[[ "$state" == idle ]] || fail "the node is not idle after 60 s (sinfo says '$state'): $(tail -n 5 "$tmp/log/slurmd.log")"
for pid in "${daemon_pids[@]}"; do kill -0 "$pid" 2>/dev/null || fail "a daemon (pid $pid) exited"; done
sinfo

# --- 1. the machinery, with a stand-in for shrink ---------------------------------------------
# The stand-in's database is a text file of "generation G candidate K" lines (4 per generation):
# shard I/N adds the candidates K = I, I+N, ... of the first generation its database lacks, and
# `results merge OUT IN...` keeps the sorted union. It logs each call to calls.txt.
step "machinery: 2 shards x 2 rounds with a stand-in for shrink"
mkdir -p "$tmp/standin"
cat > "$tmp/standin/shrink" <<'EOF'
#!/bin/bash
set -euo pipefail
case "${1:-}" in
tune)
    model=$2; shift 2
    shard="" database="" threads=none
    while [[ $# -gt 0 ]]; do
        case "$1" in
            --shard) shard=$2; shift 2 ;;
            --database) database=$2; shift 2 ;;
            --threads) threads=$2; shift 2 ;;
            *) shift ;;
        esac
    done
    [[ -f "$model" ]] || { echo "stand-in: no model $model" >&2; exit 2; }
    i=${shard%/*} n=${shard#*/}
    if [[ "${STANDIN_FAIL:-}" == "$i" ]]; then echo "stand-in: shard $i fails as asked" >&2; exit 3; fi
    touch "$database"
    generation=$(( $(sort -u "$database" | grep -c '^generation' || true) / 4 ))
    for ((k = i; k <= 4; k += n)); do echo "generation $generation candidate $k" >> "$database"; done
    echo "tune shard $i/$n threads $threads generation $generation" >> "$(dirname "$database")/calls.txt" ;;
results)
    [[ "${2:-}" == merge ]] || exit 2
    out=$3; shift 3
    if [[ -f "$out" ]]; then set -- "$@" "$out"; fi
    sort -u "$@" > "$out.partial"
    mv "$out.partial" "$out" ;;
*) echo "stand-in: unexpected arguments: $*" >&2; exit 2 ;;
esac
EOF
chmod +x "$tmp/standin/shrink"
touch "$tmp/model.shrink"
scripts/cluster/slurm-tune.sh --shards 2 --rounds 2 --work "$tmp/run-standin" --shrink "$tmp/standin/shrink" \
    --sbatch '--cpus-per-task=1' --name standin --wait --poll 1 -- "$tmp/model.shrink" --dataset mnist \
    || fail "slurm-tune.sh --wait failed with the stand-in"
expected=$(for g in 0 1; do for k in 1 2 3 4; do echo "generation $g candidate $k"; done; done)
[[ "$(cat "$tmp/run-standin/merged.db")" == "$expected" ]] \
    || fail "merged.db of the stand-in holds $(tr '\n' ';' < "$tmp/run-standin/merged.db"), expected generations 0 and 1 complete"
calls=$(sort "$tmp/run-standin/calls.txt" | tr '\n' ';')
[[ "$calls" == "tune shard 1/2 threads 1 generation 0;tune shard 1/2 threads 1 generation 1;tune shard 2/2 threads 1 generation 0;tune shard 2/2 threads 1 generation 1;" ]] \
    || fail "unexpected stand-in calls: $calls"
echo "machinery: merged.db holds generations 0 and 1, each shard ran once per round with --threads 1"

step "machinery: a failing shard fails --wait and cancels the later jobs"
if STANDIN_FAIL=2 scripts/cluster/slurm-tune.sh --shards 2 --rounds 2 --work "$tmp/run-failing" \
        --shrink "$tmp/standin/shrink" --name failing --wait --poll 1 -- "$tmp/model.shrink" \
        > "$tmp/failing.out" 2>&1; then
    cat "$tmp/failing.out"
    fail "slurm-tune.sh --wait succeeded although shard 2 failed"
fi
sed 's/^/  (expected) /' "$tmp/failing.out"
grep -q '_2:FAILED' "$tmp/failing.out" || fail "slurm-tune.sh did not name the failed array task"
[[ ! -e "$tmp/run-failing/merged.db" ]] || fail "a merge ran although a shard failed"
later_jobs=$(sed -nE 's/^round 1\/2: .* merge job ([0-9]+)$/\1/p; s/^round 2\/2: shards job ([0-9]+) .* merge job ([0-9]+)$/\1 \2/p' \
    "$tmp/failing.out" | tr "\n" " ")
[[ $(wc -w <<< "$later_jobs") == 3 ]] || fail "could not read the job ids from slurm-tune.sh's output"
for id in $later_jobs; do
    state=""
    for _ in $(seq 30); do
        state=$(scontrol show job -o "$id" | grep -o 'JobState=[A-Z_]*' | cut -d= -f2 | sort -u | tr '\n' ' ')
        [[ "$state" == "CANCELLED " ]] && break
        sleep 1
    done
    [[ "$state" == "CANCELLED " ]] || fail "job $id after the failed shard is '$state', not CANCELLED"
done
echo "machinery: --wait failed naming the task, no merge ran, jobs $later_jobs were cancelled"

if [[ "$machinery_only" == 1 ]]; then
    step "PASS (machinery only)"
    exit 0
fi

# --- 2. the real search: 2 shards x 3 rounds through Slurm against one process ------------------
work="$tmp/run-tune"
mkdir -p "$work"
step "train a small LeNet-300-100 ($shrink)"
"$shrink" train --model lenet-300-100 --dataset mnist --epochs 1 --train-limit 2000 --seed 1 \
    --output "$work/model.shrink" > "$work/train.log" 2>&1 || { cat "$work/train.log"; fail "shrink train failed"; }
# A 3-point drop: some candidates of this 1-epoch model meet it, so the choice is compared too
# (at 1 point none does, and both runs choose nothing).
tune_options=(--dataset mnist --train-limit 1000 --validation-size 500 --fine-tune-epochs 1
    --budget-evaluations 8 --max-accuracy-drop 3 --seed 1 --threads 1)

step "tune: 2 shards x 3 rounds through Slurm"
# 1 + ceil(8 / 4) rounds always suffice (docs); with as many distinct seeds as the
# sensitivity analysis gives, the last round may find nothing left.
scripts/cluster/slurm-tune.sh --shards 2 --rounds 3 --work "$work" --shrink "$shrink" --wait --poll 2 \
    -- "$work/model.shrink" "${tune_options[@]}" || fail "the sharded tune failed"
for log in "$work"/logs/*.out; do echo "-- $(basename "$log")"; tail -n 4 "$log"; done

step "tune: the same search in one process"
"$shrink" tune "$work/model.shrink" "${tune_options[@]}" --database "$work/single.db" --json \
    > "$work/single.json" 2> "$work/single.log" || { tail -n 20 "$work/single.log"; fail "the single-process tune failed"; }

step "tune: the merged database's front (--resume)"
"$shrink" tune "$work/model.shrink" "${tune_options[@]}" --database "$work/merged.db" --resume --json \
    > "$work/merged.json" 2> "$work/merged.log" || { tail -n 20 "$work/merged.log"; fail "shrink tune --resume on merged.db failed"; }

step "compare the sharded search with the single process"
python3 - "$work/single.json" "$work/merged.json" <<'EOF' || fail "the sharded search differs from the single process (above)"
import json
import sys

single_path, merged_path = sys.argv[1:]
single = json.load(open(single_path))
merged = json.load(open(merged_path))
problems = []


def evaluations_by_signature(result, name):
    table = {}
    for evaluation in result.get("evaluations", []):
        signature = evaluation.get("signature")
        if signature is None:
            problems.append(f"{name}: an evaluation has no 'signature' field: {json.dumps(evaluation)[:200]}")
            continue
        if signature in table:
            problems.append(f"{name}: signature {signature!r} is evaluated twice")
        table[signature] = evaluation
    return table


single_evaluations = evaluations_by_signature(single, "single")
merged_evaluations = evaluations_by_signature(merged, "merged")
print(f"single: {len(single_evaluations)} evaluations, front {single.get('front')}, chosen {single.get('chosen')!r}")
print(f"merged: {len(merged_evaluations)} evaluations, front {merged.get('front')}, chosen {merged.get('chosen')!r}")
if len(merged.get("evaluations", [])) != 8:
    problems.append(f"merged.json has {len(merged.get('evaluations', []))} evaluations, expected 8")
if single.get("front") != merged.get("front"):
    problems.append(f"fronts differ:\n  single {single.get('front')}\n  merged {merged.get('front')}")
if not single.get("front"):
    problems.append("the single run's front is empty")
if single.get("stop") != merged.get("stop"):
    problems.append(f"the searches stopped differently: single {single.get('stop')!r}, merged {merged.get('stop')!r}")
if single.get("chosen") is None:
    problems.append("the single run chose nothing, so the choice is not compared: loosen --max-accuracy-drop")
if single.get("chosen") != merged.get("chosen"):
    problems.append(f"chosen differs: single {single.get('chosen')!r}, merged {merged.get('chosen')!r}")
if set(single_evaluations) != set(merged_evaluations):
    problems.append("evaluated candidates differ:\n"
                    f"  only single: {sorted(set(single_evaluations) - set(merged_evaluations))}\n"
                    f"  only merged: {sorted(set(merged_evaluations) - set(single_evaluations))}")
# Every front entry, then every other candidate both evaluated: the same size and accuracy
# (compression_seconds is timing, left out).
front = single.get("front") or []
for signature in front + sorted((set(single_evaluations) & set(merged_evaluations)) - set(front)):
    a, b = single_evaluations.get(signature), merged_evaluations.get(signature)
    if a is None or b is None:
        problems.append(f"front entry {signature!r} has no evaluation in {'single' if a is None else 'merged'}")
        continue
    for field in ("file_bytes", "validation_top1_accuracy"):
        x, y = a["measurement"].get(field), b["measurement"].get(field)
        if x is None or x != y:
            where = "front entry" if signature in front else "candidate"
            problems.append(f"{where} {signature!r}: measurement.{field} single {x!r}, merged {y!r}")
if problems:
    print("FAIL: sharded (Slurm, 2 shards x 3 rounds) and single-process tune differ:")
    for problem in problems:
        print("  - " + problem)
    sys.exit(1)
print(f"PASS: the same front ({len(front)} candidates), choice, and sizes and accuracies of all "
      f"{len(single_evaluations)} candidates")
EOF
step "PASS"
