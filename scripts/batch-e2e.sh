#!/usr/bin/env bash
# End-to-end check of the batch behaviour of rewrite-buildspec on a folder tree built in a temp
# folder: several roots, recursive discovery, --exclude, --follow-symlinks, --jobs, sorted
# output, per-file errors without stopping (exit 2), --report json / --report-file, the summary
# line, the progress line on a terminal, and unreadable files (a folder named buildspec.yml, a
# dangling link, a chmod 000 file read as `nobody`).
#
#   scripts/batch-e2e.sh [path/to/rewrite-buildspec]      (default: .build-bench/release/...)
#
# Prints one line per check; exits 1 if any failed.
set -uo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
tool=$(realpath "${1:-$here/.build-bench/release/rewrite-buildspec}")
work=$(mktemp -d /tmp/batch-e2e.XXXXXX)
chmod 755 "$work"
trap 'chmod -R u+rwX "$work" 2>/dev/null; rm -rf "$work"' EXIT
failures=0
pass() { printf 'ok    %s\n' "$1"; }
fail() { printf 'FAIL  %s\n' "$1"; failures=$((failures + 1)); }
check() { local name=$1; shift; if "$@"; then pass "$name"; else fail "$name"; fi; }

unguarded='version: 0.2
phases:
  post_build:
    commands:
      - docker push 123456789012.dkr.ecr.us-east-1.amazonaws.com/web:$TAG
      - printf '"'"'[{"name":"web","imageUri":"%s"}]'"'"' 123456789012.dkr.ecr.us-east-1.amazonaws.com/web:$TAG > imagedefinitions.json
artifacts:
  files: imagedefinitions.json
'
guarded='version: 0.2
phases:
  post_build:
    commands:
      - REPOSITORY_IMAGES=$(aws ecr list-images --repository-name web --max-items 1)
      - docker push 123456789012.dkr.ecr.us-east-1.amazonaws.com/web:$TAG
      - |
        if echo "$REPOSITORY_IMAGES" | grep -q "imageDigest"; then
          printf '"'"'[{"name":"web","imageUri":"%s"}]'"'"' 123456789012.dkr.ecr.us-east-1.amazonaws.com/web:$TAG > imagedefinitions.json
        fi
'
nowriter='version: 0.2
phases:
  build:
    commands:
      - npm ci
      - npm test
'
invalid=$'version: 0.2\nphases:\n\tbuild:\n\t\tcommands:\n\t\t\t- make\n'

make_tree() {
    local root=$1
    rm -rf "$root"
    mkdir -p "$root"/repos/{alpha,beta/svc,gamma,delta,epsilon,zeta,eta/node_modules/x,theta/.git} "$root"/other "$root"/linked-target/deep
    printf '%s' "$unguarded" > "$root/repos/alpha/buildspec.yml"
    printf '%s' "$unguarded" > "$root/repos/beta/svc/buildspec-prod.yaml"
    printf '%s' "$guarded" > "$root/repos/gamma/buildspec.yml"
    printf '%s' "$nowriter" > "$root/repos/delta/buildspec.yml"
    printf '%s' "$invalid" > "$root/repos/epsilon/buildspec.yml"
    mkdir "$root/repos/zeta/buildspec.yml"                                 # a folder named like a buildspec
    printf '%s' "$unguarded" > "$root/repos/eta/node_modules/x/buildspec.yml"   # skipped folder
    printf '%s' "$unguarded" > "$root/repos/theta/.git/buildspec.yml"           # skipped folder
    printf '%s' "$unguarded" > "$root/repos/alpha/app.yml"                      # not a buildspec name
    printf '%s' "$unguarded" > "$root/other/buildspec.yml"
    printf '%s' "$unguarded" > "$root/linked-target/deep/buildspec.yml"
    ln -s ../linked-target "$root/repos/link-to-folder"                         # followed only with --follow-symlinks
    ln -s ../repos "$root/repos/gamma/loop"                                     # a cycle when followed
    ln -s nowhere.yml "$root/repos/delta/buildspec-dangling.yml"                # dangling link
}

run() { # run ARGS...: sets out, err, rc
    local o e
    o=$(mktemp) e=$(mktemp)
    "$tool" "$@" >"$o" 2>"$e"
    rc=$?
    out=$(cat "$o") err=$(cat "$e")
    rm -f "$o" "$e"
}

T=$work/t
make_tree "$T"
cd "$T"

# --check over two roots: discovery, exit code 2 (errors win over 1), sorted, summary on stderr.
run --check repos other
check "check: exit 2 when a file has an error" test "$rc" = 2
check "check: names the unguarded writers" grep -q 'repos/alpha/buildspec.yml:6:9: error: `imagedefinitions.json` is written' <<<"$err"
check "check: beta found recursively (.yaml)" grep -q 'repos/beta/svc/buildspec-prod.yaml:6:9' <<<"$err"
check "check: the second root is searched" grep -q '^other/buildspec.yml:6:9' <<<"$err"
check "check: invalid YAML reported with position" grep -q '^repos/epsilon/buildspec.yml:3:1: error: invalid YAML' <<<"$err"
check "check: a folder named buildspec.yml is an error" grep -q '^repos/zeta/buildspec.yml: error: is a folder' <<<"$err"
check "check: node_modules and .git skipped" bash -c '! grep -q "node_modules\|\.git/" <<<"$1"' _ "$err"
check "check: links not followed by default" bash -c '! grep -q "link-to-folder\|gamma/loop" <<<"$1"' _ "$err"
check "check: summary line" grep -q '^7 files: 3 need the guard, 1 without definitions, 1 already guarded, 2 errors$' <<<"$err"
check "check: nothing written" cmp -s <(printf '%s' "$unguarded") repos/alpha/buildspec.yml
check "check: stdout empty" test -z "$out"
sorted=$(grep -o '^[^:]*' <<<"$err" | grep -v '^7 files' | uniq)
check "check: output sorted by path" test "$sorted" = "$(sort <<<"$sorted")"

# The same with --jobs 1 and --jobs 8: same bytes.
run --check --jobs 1 repos other; one="$out$err$rc"
run --check --jobs 8 repos other; eight="$out$err$rc"
check "jobs: --jobs 1 and --jobs 8 print the same" test "$one" = "$eight"
run --check --jobs 0 repos
check "jobs: --jobs 0 is a usage error (64)" test "$rc" = 64

# --exclude: a glob on the path or on a name.
run --check --exclude 'repos/epsilon' --exclude 'zeta' repos
check "exclude: excluded error files are gone, exit 1" test "$rc" = 1
check "exclude: epsilon and zeta not mentioned" bash -c '! grep -q "epsilon\|zeta" <<<"$1"' _ "$err"
run --check --exclude '*/beta/*' repos
check "exclude: */beta/* drops beta" bash -c '! grep -q "beta" <<<"$1"' _ "$err"
run --check --exclude 'buildspec-prod.yaml' repos
check "exclude: a file name glob" bash -c '! grep -q "buildspec-prod" <<<"$1"' _ "$err"

# --follow-symlinks: the linked folder is searched once, the loop ends, the dangling link is named.
run --check --follow-symlinks repos
check "follow: linked folder searched" grep -q '^repos/link-to-folder/deep/buildspec.yml:6:9' <<<"$err"
check "follow: the loop through gamma/loop is not searched twice" test "$(grep -c 'alpha/buildspec.yml:6:9' <<<"$err")" = 1
check "follow: dangling link reported" grep -q 'repos/delta/buildspec-dangling.yml: error' <<<"$err"

# The same file through two roots counts once.
run --check repos/alpha repos/alpha/buildspec.yml ./repos/alpha
check "dedupe: one file named three ways is handled once" test "$(grep -c 'buildspec.yml:6:9' <<<"$err")" = 1

# --report json to stdout and to a file.
run --check --report json repos other
check "report: exit 2" test "$rc" = 2
check "report: valid JSON, schema 1, 7 records, summary" python3 - "$out" <<'PY'
import json, sys
r = json.loads(sys.argv[1])
assert r["schemaVersion"] == 1, r
files = r["files"]
assert [f["path"] for f in files] == sorted(f["path"] for f in files)
kinds = {f["path"]: f["outcome"] for f in files}
assert kinds == {
    "other/buildspec.yml": "would-rewrite", "repos/alpha/buildspec.yml": "would-rewrite",
    "repos/beta/svc/buildspec-prod.yaml": "would-rewrite", "repos/delta/buildspec.yml": "no-definitions-writer",
    "repos/epsilon/buildspec.yml": "error", "repos/gamma/buildspec.yml": "already-guarded",
    "repos/zeta/buildspec.yml": "error"}, kinds
for f in files:
    assert set(f) >= {"path", "outcome", "editedLines", "diagnostics"}, f
    for d in f["diagnostics"]:
        assert d["severity"] in ("error", "warning", "note"), d
        assert isinstance(d["message"], str)
assert r["summary"] == {"files": 7, "rewritten": 0, "wouldRewrite": 3, "alreadyGuarded": 1,
                        "noDefinitionsWriter": 1, "errors": 2}, r["summary"]
PY
check "report: no summary line mixed into stdout" bash -c 'python3 -c "import json,sys; json.loads(sys.argv[1])" "$1"' _ "$out"
run --report json --report-file "$work/report.json" repos other
check "report-file: exit 2 (rewrite mode with errors)" test "$rc" = 2
check "report-file: rewritten paths on stdout" test "$out" = $'other/buildspec.yml\nrepos/alpha/buildspec.yml\nrepos/beta/svc/buildspec-prod.yaml'
check "report-file: outcomes rewritten" python3 -c '
import json,sys; r=json.load(open(sys.argv[1]))
assert r["summary"]["rewritten"] == 3 and r["summary"]["errors"] == 2, r["summary"]
alpha = [f for f in r["files"] if f["path"] == "repos/alpha/buildspec.yml"][0]
assert alpha["outcome"] == "rewritten" and alpha["editedLines"] == [5, 6], alpha' "$work/report.json"
check "rewrite: the file is guarded now" grep -q 'aws ecr list-images --repository-name web' repos/alpha/buildspec.yml
check "rewrite: the invalid file is untouched" cmp -s <(printf '%s' "$invalid") repos/epsilon/buildspec.yml
run --check repos/alpha repos/beta other
check "rewrite: a second --check finds nothing (exit 0)" test "$rc" = 0
run --report json --report-file /nonexistent/dir/r.json repos/alpha
check "report-file: an unwritable report file is an error (exit 2)" test "$rc" = 2

# Unreadable file: chmod 000, run as nobody.
make_tree "$T"
cd "$T"
chmod 755 "$T" "$T/repos" "$T/repos/alpha"; chmod 644 "$T/repos/alpha/buildspec.yml"
cp "$T/repos/alpha/buildspec.yml" "$T/repos/alpha/buildspec-locked.yml"; chmod 000 "$T/repos/alpha/buildspec-locked.yml"
chmod -R o+rX "$T"; chmod 000 "$T/repos/alpha/buildspec-locked.yml"
if command -v setpriv >/dev/null && [ "$(id -u)" = 0 ]; then
    o=$(setpriv --reuid=65534 --regid=65534 --clear-groups "$tool" --check repos/alpha 2>&1); rc=$?
    check "unreadable: exit 2 as nobody" test "$rc" = 2
    check "unreadable: named with the reason" grep -q 'buildspec-locked.yml: error: cannot read the file' <<<"$o"
    check "unreadable: the other file still checked" grep -q 'repos/alpha/buildspec.yml:6:9' <<<"$o"
    chmod 700 "$T/repos/zeta" 2>/dev/null; chmod 711 "$T/repos/gamma"; chmod 000 "$T/repos/gamma"
    o=$(setpriv --reuid=65534 --regid=65534 --clear-groups "$tool" --check repos 2>&1); rc=$?
    check "unreadable folder: reported, exit 2" bash -c '[ "$1" = 2 ] && grep -q "repos/gamma: error: cannot read this folder" <<<"$2"' _ "$rc" "$o"
    chmod 755 "$T/repos/gamma"
else
    echo "skip  unreadable file checks (need root and setpriv)"
fi

# The progress line: only on a terminal, only for long runs (>= 200 files, > 1 s).
if command -v script >/dev/null && [ -n "${BATCH_E2E_CORPUS:-}" ]; then
    script -qfec "$tool --check --jobs 1 $BATCH_E2E_CORPUS" /dev/null > "$work/tty.txt" 2>&1
    # `N/TOTAL files` when the files are known up front, `N files` while a folder is searched.
    check "progress: shown on a terminal" grep -qaE $'\rrewrite-buildspec: [0-9]+(/[0-9]+)? files' "$work/tty.txt"
    "$tool" --check --jobs 1 "$BATCH_E2E_CORPUS" > /dev/null 2> "$work/notty.txt"
    check "progress: not shown when stderr is a file" bash -c '! grep -qa $'"'"'\r'"'"' "$1"' _ "$work/notty.txt"
else
    echo "skip  progress line (set BATCH_E2E_CORPUS to a folder of >= 200 buildspecs that takes > 1 s)"
fi

# Standard input.
o=$(printf '%s' "$unguarded" | "$tool" -); rc=$?
check "stdin: rewritten to stdout" bash -c '[ "$1" = 0 ] && grep -q "aws ecr list-images" <<<"$2"' _ "$rc" "$o"

echo "$failures failed"
[ "$failures" = 0 ]
