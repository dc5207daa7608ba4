#!/usr/bin/env bash
# migrate.sh: guard the image-definitions writers of every buildspec in one repository (or in
# the paths given), and succeed only when every file was handled.
#
# Usage
#   migrate.sh [PATH...]          PATHs are files or folders; default: the current folder
#
# It runs `rewrite-buildspec` in rewrite mode with `--report json`, prints one line per file
# that changed or failed, and exits:
#   0  every buildspec was handled: rewritten, already guarded, or writing no image definitions
#      (also when there is no buildspec at all: then nothing changed and no PR is opened)
#   2  at least one file could not be handled (invalid YAML, a push ECR cannot be asked about,
#      an unreadable file, ...); the files that could be rewritten were, the others are unchanged
#   64 usage error; 127 rewrite-buildspec not found
#
# As a multi-gitter script (multi-gitter runs it in the root of each cloned repository and
# opens a pull request only when it exits 0 and the working tree changed):
#
#   multi-gitter run /abs/path/to/Samples/batch/migrate.sh \
#       --org my-org --branch guard-first-deploy --concurrent 4 \
#       --commit-message "Guard imagedefinitions.json so the first pipeline run deploys nothing"
#
# Over many files with find and xargs (each call gets its own report; --jobs 1 because xargs
# already runs four at once; xargs exits 123 when any call failed):
#
#   find . \( -name .git -o -name node_modules \) -prune -o \
#       \( -iname 'buildspec*.yml' -o -iname 'buildspec*.yaml' \) -type f -print0 |
#     MIGRATE_REPORT_DIR=/tmp/reports REWRITE_BUILDSPEC_ARGS='--jobs 1' \
#       xargs -0 -P4 -n 64 Samples/batch/migrate.sh
#
# or the tool itself, without this script:
#
#   find . -name 'buildspec*.yml' -print0 | xargs -0 -P4 -n 64 rewrite-buildspec --jobs 1 --quiet
#
# or one process over the whole list, with one report:
#
#   find . -name 'buildspec*.yml' -print0 | rewrite-buildspec --files-from - --report json
#
# Environment
#   REWRITE_BUILDSPEC        the tool (default: rewrite-buildspec on PATH)
#   REWRITE_BUILDSPEC_ARGS   more options, split on spaces (e.g. "--repository-name \$IMAGE_REPO_NAME")
#   MIGRATE_REPORT           write the JSON report here (default: a temporary file, removed)
#   MIGRATE_REPORT_DIR       or into this folder as migrate-<pid>.json (for parallel calls)
#
# The report's schema (schemaVersion 1) is in Samples/batch/README.md.
set -uo pipefail

tool=${REWRITE_BUILDSPEC:-rewrite-buildspec}
if ! command -v "$tool" >/dev/null 2>&1; then
    echo "migrate.sh: $tool not found (set REWRITE_BUILDSPEC)" >&2
    exit 127
fi
read -r -a extra <<< "${REWRITE_BUILDSPEC_ARGS:-}"

remove_report=0
if [ -n "${MIGRATE_REPORT:-}" ]; then
    report=$MIGRATE_REPORT
elif [ -n "${MIGRATE_REPORT_DIR:-}" ]; then
    mkdir -p "$MIGRATE_REPORT_DIR" || exit 2
    report=$MIGRATE_REPORT_DIR/migrate-$$.json
else
    report=$(mktemp "${TMPDIR:-/tmp}/migrate-report.XXXXXX") || exit 2
    remove_report=1
fi
[ "$remove_report" = 1 ] && trap 'rm -f "$report"' EXIT

[ $# -gt 0 ] || set -- .
"$tool" --quiet "${extra[@]}" --report json --report-file "$report" -- "$@"
status=$?
if [ "$status" = 64 ]; then exit 64; fi

if [ ! -s "$report" ]; then
    echo "migrate.sh: rewrite-buildspec wrote no report (exit $status)" >&2
    exit 2
fi

# One line per file that changed or failed, then the summary; the error count decides.
summarize() {
    if command -v jq >/dev/null 2>&1; then
        jq -r '
          (.files[] | select(.outcome == "rewritten" or .outcome == "error") |
            "\(.outcome)\t\(.path)" + (
              [.diagnostics[] | select(.severity == "error") | "\t\(.message)"] | join(""))),
          "summary\t\(.summary.files) files, \(.summary.rewritten) rewritten, \(.summary.alreadyGuarded) already guarded, \(.summary.noDefinitionsWriter) without definitions, \(.summary.errors) errors",
          "errors=\(.summary.errors)"' "$report"
    elif command -v python3 >/dev/null 2>&1; then
        python3 - "$report" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
for f in r["files"]:
    if f["outcome"] in ("rewritten", "error"):
        print("\t".join([f["outcome"], f["path"]] + [d["message"] for d in f["diagnostics"] if d["severity"] == "error"]))
s = r["summary"]
print(f"summary\t{s['files']} files, {s['rewritten']} rewritten, {s['alreadyGuarded']} already guarded, "
      f"{s['noDefinitionsWriter']} without definitions, {s['errors']} errors")
print(f"errors={s['errors']}")
PY
    else
        # Neither jq nor python3: the exit status alone decides.
        echo "errors=$([ "$status" = 0 ] && echo 0 || echo unknown)"
    fi
}
lines=$(summarize) || { echo "migrate.sh: cannot read the report $report" >&2; exit 2; }
grep -v '^errors=' <<< "$lines" >&2
errors=$(grep '^errors=' <<< "$lines" | cut -d= -f2)

if [ "$status" != 0 ] || [ "$errors" != 0 ]; then
    echo "migrate.sh: not every buildspec could be handled (exit $status, $errors errors); fix them or pass --repository-name, then run again" >&2
    exit 2
fi
exit 0
