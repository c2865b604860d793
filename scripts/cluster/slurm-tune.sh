#!/usr/bin/env bash
# Runs `shrink tune` as shards on a Slurm cluster, one round per generation of the search.
#
#   scripts/cluster/slurm-tune.sh --shards N --rounds R --work DIR [--shrink PATH] [options]
#       -- MODEL.shrink [shrink tune options...]
#
# Each round is a job array of N tasks (sbatch --array=1-N): task I copies DIR/merged.db to
# DIR/shard-I.db when merged.db exists, then runs
#     shrink tune MODEL --shard I/N --database DIR/shard-I.db [tune options]
# which evaluates its share of the first generation not yet complete in the database and exits.
# A merge job that waits for the whole array (--dependency=afterok) then runs
#     shrink results merge DIR/merged.db DIR/shard-1.db ... DIR/shard-N.db
# Round R+1's array waits for round R's merge, so all 2R jobs are submitted at once; a job that
# fails cancels every job after it (--kill-on-invalid-dep=yes). Each round evaluates one
# generation: the seeds first (one per accuracy budget), then --generation-size G children
# (default 4) each. Rounds past the end of the search find nothing to do, so with
# --budget-evaluations B, 1 + ceil(B/G) rounds are always enough; more than G shards leave
# tasks idle after round 1. Running the driver again on the same DIR continues from merged.db.
#
# DIR must be on a file system that every node sees (shard databases, merged.db, logs/), and so
# must MODEL, the shrink binary and the data set; relative paths are made absolute. Jobs run in
# the current directory (so `--dataset mnist` finds Data/mnist from the repository root; or give
# --data-dir). When the tune options hold no --threads, a task passes
# --threads $SLURM_CPUS_PER_TASK if Slurm sets it (give --sbatch '--cpus-per-task=C').
#
# The result, once the last merge job has finished (it evaluates nothing new when the budget is
# used up):
#     shrink tune MODEL [the same tune options] --database DIR/merged.db --resume \
#         [--json] [--output-recipe tuned.json] [--output tuned.shrink]
#
# Options:
#   --shards N            shards per round (array tasks 1..N)
#   --rounds R            rounds (generations) to submit
#   --work DIR            shared folder for the databases, job scripts and logs (created)
#   --shrink PATH         the shrink executable (default: `shrink` on the nodes' PATH)
#   --sbatch 'OPTIONS'    options for every sbatch call, split on spaces, e.g.
#                         --sbatch '--partition=short --time=01:00:00 --cpus-per-task=4'
#                         (may be repeated)
#   --merge-sbatch 'OPTIONS'  options added for the merge jobs only, after --sbatch
#   --name NAME           job name prefix (default shrink-tune)
#   --wait                block until the last job has finished; exit 1 if any job failed
#   --poll SECONDS        how often --wait asks Slurm (default 30)
#   --dry-run             print the job scripts and sbatch commands, submit nothing
#   -h, --help            this text
set -euo pipefail

program=$(basename "$0")
usage() {
    sed -n '2,/^set -euo pipefail/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'
}
die() { echo "$program: error: $*" >&2; exit 1; }
bad_usage() {
    echo "$program: $*" >&2
    echo "usage: $program --shards N --rounds R --work DIR [--shrink PATH] [--sbatch 'OPTIONS'] [--wait] -- MODEL [tune options...]" >&2
    echo "       ($program --help for more)" >&2
    exit 2
}

shards=""
rounds=""
work=""
shrink="shrink"
name="shrink-tune"
wait_for_jobs=0
poll=30
dry_run=0
sbatch_options=()
merge_options=()
while [[ $# -gt 0 ]]; do
    case "$1" in
        -h|--help) usage; exit 0 ;;
        --shards|--rounds|--work|--shrink|--sbatch|--merge-sbatch|--name|--poll)
            [[ $# -ge 2 ]] || bad_usage "$1 needs a value"
            case "$1" in
                --shards) shards="$2" ;;
                --rounds) rounds="$2" ;;
                --work) work="$2" ;;
                --shrink) shrink="$2" ;;
                --sbatch) read -r -a words <<< "$2"; sbatch_options+=("${words[@]}") ;;
                --merge-sbatch) read -r -a words <<< "$2"; merge_options+=("${words[@]}") ;;
                --name) name="$2" ;;
                --poll) poll="$2" ;;
            esac
            shift 2 ;;
        --wait) wait_for_jobs=1; shift ;;
        --dry-run) dry_run=1; shift ;;
        --) shift; break ;;
        *) bad_usage "unknown option '$1' (tune options go after --)" ;;
    esac
done

[[ -n "$shards" ]] || bad_usage "missing --shards N"
[[ "$shards" =~ ^[1-9][0-9]*$ ]] || bad_usage "--shards must be a positive integer, not '$shards'"
[[ -n "$rounds" ]] || bad_usage "missing --rounds R"
[[ "$rounds" =~ ^[1-9][0-9]*$ ]] || bad_usage "--rounds must be a positive integer, not '$rounds'"
[[ -n "$work" ]] || bad_usage "missing --work DIR"
[[ "$poll" =~ ^[1-9][0-9]*$ ]] || bad_usage "--poll must be a positive number of seconds, not '$poll'"
[[ "$name" =~ ^[A-Za-z0-9._-]+$ ]] || bad_usage "--name may hold letters, digits, '.', '_' and '-' only"
[[ $# -ge 1 ]] || bad_usage "missing the model file after --"
model="$1"
shift
tune_options=("$@")
[[ "$model" != -* ]] || bad_usage "the first argument after -- must be the model file, not '$model'"

# Options the driver sets per shard, or that would make the shards write the same file.
give_threads=1
for option in "${tune_options[@]+"${tune_options[@]}"}"; do
    case "$option" in
        --database|--database=*|--shard|--shard=*|--no-record|--resume)
            die "tune option '$option' is set by $program (each shard gets --shard I/N --database DIR/shard-I.db)" ;;
        --output|--output=*|--output-recipe|--output-recipe=*)
            die "tune option '$option' would make every shard write the same file; run the final \`shrink tune ... --database DIR/merged.db --resume $option ...\` after the last round instead" ;;
        --threads|--threads=*) give_threads=0 ;;
    esac
done

absolute() {
    case "$1" in
        /*) printf '%s\n' "$1" ;;
        *) printf '%s/%s\n' "$PWD" "$1" ;;
    esac
}
[[ -f "$model" ]] || die "model file '$model' does not exist"
model=$(absolute "$model")
if [[ "$shrink" == */* ]]; then
    [[ -x "$shrink" ]] || die "--shrink '$shrink' is not an executable file"
    shrink=$(absolute "$shrink")
fi
if [[ "$dry_run" == 0 ]]; then
    command -v sbatch >/dev/null 2>&1 || die "sbatch not found: run this on a Slurm login node (or use --dry-run)"
fi
mkdir -p "$work/jobs" "$work/logs" || die "cannot create the work folder '$work'"
work=$(cd "$work" && pwd)
[[ -w "$work" ]] || die "the work folder '$work' is not writable"

# The job scripts: plain files in DIR/jobs, every value quoted with printf %q.
quoted_tune_options=""
for option in "${tune_options[@]+"${tune_options[@]}"}"; do
    quoted_tune_options+=" $(printf '%q' "$option")"
done
shard_script="$work/jobs/$name-shard.sh"
merge_script="$work/jobs/$name-merge.sh"
cat > "$shard_script" <<EOF
#!/bin/bash
# One shard of one round, written by $program: array task I of 1..$shards.
set -euo pipefail
work=$(printf '%q' "$work")
i=\${SLURM_ARRAY_TASK_ID:?not running as a Slurm array task}
shard_db="\$work/shard-\$i.db"
# Start from everything the earlier rounds evaluated.
if [[ -f "\$work/merged.db" ]]; then
    cp "\$work/merged.db" "\$shard_db.partial"
    mv "\$shard_db.partial" "\$shard_db"
fi
threads=()
$(if [[ $give_threads == 1 ]]; then
    # shellcheck disable=SC2016 # (written into the job script as it is)
    echo 'if [[ -n "${SLURM_CPUS_PER_TASK:-}" ]]; then threads=(--threads "$SLURM_CPUS_PER_TASK"); fi'
else
    echo '# (the tune options give --threads)'
fi)
command=($(printf '%q' "$shrink") tune $(printf '%q' "$model") --shard "\$i/$shards" --database "\$shard_db"
    \${threads[@]+"\${threads[@]}"}$quoted_tune_options)
echo "shard \$i/$shards on \$(hostname), job \${SLURM_ARRAY_JOB_ID:-?}_\$i, \$(date -u +%Y-%m-%dT%H:%M:%SZ)"
echo "+ \${command[*]}"
exec "\${command[@]}"
EOF
merge_inputs=""
for ((i = 1; i <= shards; i++)); do merge_inputs+=" \"\$work/shard-$i.db\""; done
cat > "$merge_script" <<EOF
#!/bin/bash
# Merges one round's $shards shard databases into merged.db, written by $program.
set -euo pipefail
work=$(printf '%q' "$work")
inputs=($merge_inputs)
for input in "\${inputs[@]}"; do
    [[ -f "\$input" ]] || { echo "missing shard database \$input" >&2; exit 1; }
done
command=($(printf '%q' "$shrink") results merge "\$work/merged.db" "\${inputs[@]}")
echo "merge on \$(hostname), job \${SLURM_JOB_ID:-?}, \$(date -u +%Y-%m-%dT%H:%M:%SZ)"
echo "+ \${command[*]}"
exec "\${command[@]}"
EOF
chmod +x "$shard_script" "$merge_script"

# Submits one job and prints its id (sbatch --parsable prints "id" or "id;cluster").
submit() {
    local output
    if [[ "$dry_run" == 1 ]]; then
        printf '%q ' sbatch "$@" >&3
        echo >&3
        echo "$((1001 + ${#jobs_submitted[@]}))"
        return
    fi
    if ! output=$(sbatch --parsable "$@" 2>&1); then
        echo "$program: error: sbatch $* failed:" >&2
        echo "$output" >&2
        return 1
    fi
    output=$(printf '%s\n' "$output" | tail -n 1)
    output=${output%%;*}
    [[ "$output" =~ ^[0-9]+$ ]] || { echo "$program: error: sbatch printed no job id: $output" >&2; return 1; }
    echo "$output"
}

exec 3>&1
if [[ "$dry_run" == 1 ]]; then
    echo "== $shard_script"; cat "$shard_script"
    echo "== $merge_script"; cat "$merge_script"
    echo "== sbatch commands (dry run: job ids are made up)"
fi
[[ -f "$work/merged.db" ]] && echo "continuing from $work/merged.db"
jobs_submitted=()
previous=""
for ((round = 1; round <= rounds; round++)); do
    dependency=()
    [[ -n "$previous" ]] && dependency=(--dependency="afterok:$previous" --kill-on-invalid-dep=yes)
    array_id=$(submit "${sbatch_options[@]+"${sbatch_options[@]}"}" "${dependency[@]+"${dependency[@]}"}" \
        --array="1-$shards" --job-name="$name-r$round" --output="$work/logs/$name-r$round-shard-%a-%A.out" \
        "$shard_script") || die "could not submit round $round's shards (jobs already submitted: ${jobs_submitted[*]:-none})"
    jobs_submitted+=("$array_id")
    merge_id=$(submit "${sbatch_options[@]+"${sbatch_options[@]}"}" "${merge_options[@]+"${merge_options[@]}"}" \
        --dependency="afterok:$array_id" --kill-on-invalid-dep=yes \
        --job-name="$name-r$round-merge" --output="$work/logs/$name-r$round-merge-%j.out" \
        "$merge_script") || die "could not submit round $round's merge (jobs already submitted: ${jobs_submitted[*]})"
    jobs_submitted+=("$merge_id")
    echo "round $round/$rounds: shards job $array_id (array 1-$shards), merge job $merge_id"
    previous=$merge_id
done
echo "last job: $previous; logs in $work/logs; the result: $work/merged.db"
[[ "$dry_run" == 1 ]] && exit 0
[[ "$wait_for_jobs" == 1 ]] || exit 0

# --wait: ask Slurm until every job (every array task) has ended. sacct when accounting is
# enabled, else scontrol, which knows finished jobs for MinJobAge (300 s by default).
states_of() {  # prints "ID STATE" per job or array task (ID like 123 or 123_4)
    local id=$1 output
    if output=$(sacct -n -X -P -j "$id" -o JobID,State 2>/dev/null) && [[ -n "$output" ]]; then
        printf '%s\n' "$output" | awk -F'|' '{ split($2, words, " "); print $1, words[1] }'
        return 0
    fi
    if output=$(scontrol show job -o "$id" 2>/dev/null) && [[ -n "$output" ]]; then
        printf '%s\n' "$output" | awk '{
            job = ""; array = ""; task = ""; state = ""
            for (i = 1; i <= NF; i++) {
                split($i, kv, "=")
                if (kv[1] == "JobId") job = kv[2]
                else if (kv[1] == "ArrayJobId") array = kv[2]
                else if (kv[1] == "ArrayTaskId") task = kv[2]
                else if (kv[1] == "JobState") state = kv[2]
            }
            if (array != "" && task != "") job = array "_" task
            print job, state
        }'
        return 0
    fi
    return 1
}
echo "waiting for jobs ${jobs_submitted[*]} (every ${poll}s; an interrupt stops the waiting, not the jobs: scancel ${jobs_submitted[*]})"
unknown_since=""
progress=""
while true; do
    pending=0
    failed=()
    unknown=0
    finished=0
    for id in "${jobs_submitted[@]}"; do
        if ! states=$(states_of "$id"); then unknown=1; continue; fi
        while read -r task state; do
            case "$state" in
                COMPLETED) finished=$((finished + 1)) ;;
                PENDING|RUNNING|CONFIGURING|COMPLETING|REQUEUED|REQUEUE_FED|REQUEUE_HOLD|RESIZING|SUSPENDED|STAGE_OUT|SIGNALING|RESV_DEL_HOLD|"") pending=1 ;;
                *) failed+=("$task:$state") ;;
            esac
        done <<< "$states"
    done
    if [[ "$unknown" == 1 ]]; then
        # A job Slurm no longer knows (and no accounting): give up after a few polls.
        unknown_since=${unknown_since:-$SECONDS}
        if (( SECONDS - unknown_since > 3 * poll + 60 )); then
            die "Slurm does not know some of the jobs ${jobs_submitted[*]} any more (no accounting?); see $work/logs"
        fi
        pending=1
    else
        unknown_since=""
    fi
    if [[ ${#failed[@]} -gt 0 ]]; then
        # The jobs after a failed one can never start: Slurm cancels them (--kill-on-invalid-dep).
        echo "$program: error: jobs that did not complete: ${failed[*]}; logs in $work/logs" >&2
        exit 1
    fi
    if [[ "$pending" == 0 ]]; then break; fi
    if [[ "$unknown" == 0 && "$progress" != "$finished" ]]; then
        progress=$finished
        echo "$(date +%H:%M:%S) $finished of $((rounds * (shards + 1))) jobs (array tasks counted one by one) completed"
    fi
    sleep "$poll"
done
echo "all ${#jobs_submitted[@]} jobs completed; the result: $work/merged.db"
