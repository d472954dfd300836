#!/usr/bin/env bash
# Runs the ATLAS standardization study as a SLURM job array: one task per shard of the scans, then one
# merge job. Waits for both and exits 0 only when every task and the merge succeeded.
#
#   bash docs/examples/slurm/submit.sh --root <native dataset> --out <folder> --template <template> \
#        --template-mask <brain> [--shards N] [--metadata <sheet>] [--partition P] [--time T] [--mem M]
#
# Run again, it resubmits only the shards whose outputs are missing or stale (the module's regeneration
# rule, decided by plan.ps1) and the merge only when a shard changed or a merged file is missing; over
# finished outputs it submits nothing and rewrites nothing.
#
# Environment: ATLAS_PWSH, the command that starts PowerShell 7 (default: pwsh); ATLAS_PSM_MODULE, the
# module to import (default: Atlas.Psm, found on PSModulePath). docs/scale.md explains the sizes.
set -euo pipefail

usage() { sed -n '5,6p' "$0" | sed 's/^# *//' >&2; exit 2; }
die() { echo "submit.sh: $*" >&2; exit 2; }

shards=4 metadata="" partition="" time_limit="01:00:00" mem="4G" root="" out="" template="" template_mask=""
while [ $# -gt 0 ]; do
  case "$1" in
    --root) root="${2:-}"; shift 2 ;;
    --out) out="${2:-}"; shift 2 ;;
    --template) template="${2:-}"; shift 2 ;;
    --template-mask) template_mask="${2:-}"; shift 2 ;;
    --shards) shards="${2:-}"; shift 2 ;;
    --metadata) metadata="${2:-}"; shift 2 ;;
    --partition) partition="${2:-}"; shift 2 ;;
    --time) time_limit="${2:-}"; shift 2 ;;
    --mem) mem="${2:-}"; shift 2 ;;
    -h|--help) usage ;;
    *) die "unknown argument '$1'" ;;
  esac
done
[ -n "$root" ] && [ -n "$out" ] && [ -n "$template" ] && [ -n "$template_mask" ] || usage
[[ "$shards" =~ ^[1-9][0-9]*$ ]] || die "--shards must be a whole number of at least 1, not '$shards'"
[ -d "$root" ] || die "--root '$root' is not a folder"
[ -f "$template" ] || die "--template '$template' is not a file"
[ -f "$template_mask" ] || die "--template-mask '$template_mask' is not a file"
[ -z "$metadata" ] || [ -f "$metadata" ] || die "--metadata '$metadata' is not a file"
command -v sbatch >/dev/null || die "sbatch is not on PATH: this script needs a SLURM cluster"

abs() { (cd "$(dirname "$1")" && printf '%s/%s\n' "$(pwd -P)" "$(basename "$1")"); }
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
mkdir -p "$out/logs"
export ATLAS_SLURM_DIR="$here"
export ATLAS_ROOT="$(abs "$root")" ATLAS_OUT="$(cd "$out" && pwd -P)" ATLAS_TEMPLATE="$(abs "$template")"
export ATLAS_TEMPLATE_MASK="$(abs "$template_mask")" ATLAS_SHARDS="$shards"
export ATLAS_METADATA="${metadata:+$(abs "$metadata")}"
export ATLAS_PWSH="${ATLAS_PWSH:-pwsh}" ATLAS_PSM_MODULE="${ATLAS_PSM_MODULE:-Atlas.Psm}"
read -r -a pwsh <<<"$ATLAS_PWSH"
logs="$ATLAS_OUT/logs"

common=(--parsable --time="$time_limit" --mem="$mem")
[ -z "$partition" ] || common+=(--partition="$partition")

# Which shards need work: plan.ps1 prints their indices, one per line, and "merge" when the merge must run.
plan="$("${pwsh[@]}" -NoProfile -NonInteractive -File "$here/plan.ps1")" || die "planning failed (see the message above)"
todo="$(printf '%s\n' "$plan" | grep -E '^[0-9]+$' | paste -sd, - || true)"
need_merge=no; printf '%s\n' "$plan" | grep -qx merge && need_merge=yes

# Every shard to run: the range 0-(N-1), so each task's SLURM_ARRAY_TASK_COUNT is the shard count;
# only some (a resubmission): the list of their indices.
array_id="" spec="$todo"
[ "$todo" != "$(seq -s, 0 $((shards - 1)))" ] || spec="0-$((shards - 1))"
if [ -n "$todo" ]; then
  array_id="$(sbatch "${common[@]}" --job-name=atlas-shard --array="$spec" \
    --output="$logs/shard_%a.log" "$here/shard.sbatch")"
  array_id="${array_id%%;*}"
  echo "Submitted shard tasks $spec of $shards as job array $array_id"
  need_merge=yes
else
  echo "All $shards shards are up to date"
fi

merge_id=""
if [ "$need_merge" = yes ]; then
  dep=(); [ -z "$array_id" ] || dep=(--dependency="afterok:$array_id" --kill-on-invalid-dep=yes)
  merge_id="$(sbatch "${common[@]}" "${dep[@]}" --job-name=atlas-merge --output="$logs/merge.log" "$here/merge.sbatch")"
  merge_id="${merge_id%%;*}"
  echo "Submitted merge job $merge_id"
else
  echo "The merged results are up to date"
fi

# Wait for both: poll squeue until neither job is pending or running.
while [ -n "$array_id$merge_id" ]; do
  left="$(squeue -h -j "$(echo "$array_id,$merge_id" | sed 's/^,//;s/,$//')" -o %i 2>/dev/null || true)"
  [ -z "$left" ] && break
  sleep 2
done

# Each task and the merge leave a status file (<out>/logs/*.status: "0" on success); a task killed or
# failed leaves none or a non-zero one.
failed=0
if [ -n "$array_id" ]; then
  for i in ${todo//,/ }; do
    status="$(cat "$logs/shard_$i.status" 2>/dev/null || echo 'none: killed, cancelled or never started')"
    if [ "$status" != 0 ] || [ "$(cat "$logs/shard_$i.job" 2>/dev/null)" != "$array_id" ]; then
      echo "submit.sh: shard task $i of job $array_id failed (status: $status); log: $logs/shard_$i.log" >&2
      failed=1
    fi
  done
fi
if [ -n "$merge_id" ]; then
  status="$(cat "$logs/merge.status" 2>/dev/null || echo missing)"
  if [ "$status" != 0 ] || [ "$(cat "$logs/merge.job" 2>/dev/null)" != "$merge_id" ]; then
    echo "submit.sh: merge job $merge_id failed or did not run (status: $status); log: $logs/merge.log" >&2
    failed=1
  fi
fi
if [ "$failed" != 0 ]; then
  # None of these jobs runs any more: clear what a killed task may have left half-made (its shard's
  # staging folder, the module's hidden temporaries named .<file>.<8 hex>.tmp) so that only finished
  # files remain; the next submit.sh remakes exactly the shards without a shard_NNNN/done.json.
  for i in ${todo//,/ }; do rm -rf "$ATLAS_OUT/shards/.shard_$(printf %04d "$i").partial"; done
  find "$ATLAS_OUT/standard" "$ATLAS_OUT/shards" -type f -regextype posix-extended \
    -regex '.*/\.[^/]+\.[0-9a-f]{8}\.tmp' -print -delete 2>/dev/null | sed 's/^/submit.sh: removed the temporary /' >&2 || true
  exit 1
fi
echo "Done: $ATLAS_OUT/lesion_report.csv, $ATLAS_OUT/overlap_count.nii.gz, $ATLAS_OUT/overlap_proportion.nii.gz, $ATLAS_OUT/registration_qc.tsv"
