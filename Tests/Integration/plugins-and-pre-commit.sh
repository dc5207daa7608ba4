#!/usr/bin/env bash
# Integration test of the ways rewrite-buildspec is used, with the real programs:
#
#   a. the SwiftPM command plugins (`swift package check-buildspec` and
#      `swift package --allow-writing-to-package-directory rewrite-buildspec`) in a temporary
#      consumer package that depends on this repository by path;
#   b. the pre-commit hooks of .pre-commit-hooks.yaml, through `pre-commit try-repo` and
#      `pre-commit run` with a config naming this repository, in a temporary git repository
#      (pre-commit is installed with pip into a cached venv);
#   c. the command line tool's exit codes, with the debug build of this repository.
#
# Run from anywhere: bash Tests/Integration/plugins-and-pre-commit.sh
# It prints `N passed, M failed` last and exits 1 when anything failed.
#
# Environment:
#   REWRITE_BUILDSPEC_VENV      venv holding pre-commit, kept between runs
#                               (default: ${TMPDIR:-/tmp}/rewrite-buildspec-venv)
#   REWRITE_BUILDSPEC_TRY_REPO  repository the hooks come from (default: this one)
#   REWRITE_BUILDSPEC_KEEP=1    keep the temporary folder (consumer package, git repository,
#                               every command's output in NAME.out / NAME.err) and print it
#
# Needs swift, git, python3 (with venv) and libyaml-dev; pip needs PyPI the first time.
# Slow parts: `swift package` builds the tool in debug in the consumer package, and pre-commit
# builds the package with `swift build -c release` twice: in try-repo's throwaway store, and in
# the one store the config runs share.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
TMPBASE="${TMPDIR:-/tmp}"
VENV="${REWRITE_BUILDSPEC_VENV:-$TMPBASE/rewrite-buildspec-venv}"
# pre-commit clones the hooks' repository at a commit. Uncommitted changes to tracked files
# go into a shadow clone's commit first, as try-repo itself does, so that every run below tests
# the same code; untracked files are left out (a new .pre-commit-hooks.yaml must be added, or
# point this variable at a clone where it is committed).
TRY_REPO="${REWRITE_BUILDSPEC_TRY_REPO:-$ROOT}"

WORK="$(mktemp -d "$TMPBASE/rewrite-buildspec-it.XXXXXX")"
if [[ "${REWRITE_BUILDSPEC_KEEP:-}" == 1 ]]; then
    trap 'echo "kept $WORK"' EXIT
else
    trap 'rm -rf "$WORK"' EXIT
fi
STARTED=$SECONDS
if ! git -C "$TRY_REPO" diff --quiet HEAD; then
    git clone --quiet "$TRY_REPO" "$WORK/shadow"
    git -C "$TRY_REPO" diff --binary HEAD | git -C "$WORK/shadow" apply
    git -C "$WORK/shadow" add -A
    git -C "$WORK/shadow" -c user.name=shadow -c user.email=shadow@example.invalid -c commit.gpgsign=false \
        commit --quiet -m "uncommitted changes of $TRY_REPO"
    TRY_REPO="$WORK/shadow"
fi

passed=0
failed=0
pass() { passed=$((passed + 1)); echo "ok      $1"; }
fail() {
    failed=$((failed + 1))
    echo "FAILED  $1"
    if [[ -n "${2:-}" && -f "$2" ]]; then sed 's/^/        | /' "$2" | tail -n 40; fi
}
section() { echo; echo "== $1 ($((SECONDS - STARTED))s)"; }

# run NAME CMD...: runs CMD with standard output in $WORK/NAME.out, standard error in
# $WORK/NAME.err and both in $WORK/NAME.log; sets RC and LOG.
run() {
    local name=$1
    shift
    if "$@" >"$WORK/$name.out" 2>"$WORK/$name.err"; then RC=0; else RC=$?; fi
    cat "$WORK/$name.out" "$WORK/$name.err" >"$WORK/$name.log"
    LOG="$WORK/$name.log"
}
expect_rc() { # DESCRIPTION EXPECTED
    if [[ "$RC" == "$2" ]]; then pass "$1: exit code $RC"; else fail "$1: exit code $RC, expected $2" "$LOG"; fi
}
expect_output() { # DESCRIPTION EXTENDED-REGEX (in the last run's output or error)
    if grep -Eq -- "$2" "$LOG"; then pass "$1"; else fail "$1: no line matches /$2/" "$LOG"; fi
}
expect_no_output() { # DESCRIPTION EXTENDED-REGEX
    if grep -Eq -- "$2" "$LOG"; then fail "$1: a line matches /$2/" "$LOG"; else pass "$1"; fi
}
expect_contains() { # DESCRIPTION FILE FIXED-STRING
    if grep -Fq -- "$3" "$2"; then pass "$1"; else fail "$1: $2 lacks '$3'" "$2"; fi
}
expect_lacks() { # DESCRIPTION FILE FIXED-STRING
    if grep -Fq -- "$3" "$2"; then fail "$1: $2 holds '$3'" "$2"; else pass "$1"; fi
}
expect_same() { # DESCRIPTION FILE ORIGINAL
    if cmp -s "$2" "$3"; then pass "$1"; else fail "$1: $2 changed" "$2"; fi
}

GUARD='aws ecr list-images'

# A typical unguarded ECS buildspec: the first pipeline run pushes the first image and writes
# imagedefinitions.json, so the deploy stage runs against a service that does not exist yet.
write_buildspec() { # FILE
    mkdir -p "$(dirname "$1")"
    cat >"$1" <<'YAML'
version: 0.2

phases:
  pre_build:
    commands:
      - echo Logging in to Amazon ECR...
      - aws ecr get-login-password --region $AWS_DEFAULT_REGION | docker login --username AWS --password-stdin 123456789012.dkr.ecr.us-east-1.amazonaws.com
      - REPOSITORY_URI=123456789012.dkr.ecr.us-east-1.amazonaws.com/web
      - IMAGE_TAG=$(echo $CODEBUILD_RESOLVED_SOURCE_VERSION | cut -c 1-7)
  build:
    commands:
      - docker build -t $REPOSITORY_URI:$IMAGE_TAG .
  post_build:
    commands:
      - docker push $REPOSITORY_URI:$IMAGE_TAG
      - printf '[{"name":"web","imageUri":"%s"}]' $REPOSITORY_URI:$IMAGE_TAG > imagedefinitions.json
artifacts:
  files:
    - imagedefinitions.json
YAML
}

# The same commands in a YAML file that is not a buildspec: nothing may touch it.
write_other_yaml() { # FILE
    mkdir -p "$(dirname "$1")"
    write_buildspec "$1"
    printf '# Not a buildspec: deployment notes that quote buildspec commands.\n' >>"$1"
}

# A CloudFormation template whose CodeBuild project keeps an unguarded buildspec inline.
write_template() { # FILE
    mkdir -p "$(dirname "$1")"
    cat >"$1" <<'YAML'
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Repository:
    Type: AWS::ECR::Repository
  Build:
    Type: AWS::CodeBuild::Project
    Properties:
      ServiceRole: arn:aws:iam::123456789012:role/codebuild
      Artifacts: {Type: CODEPIPELINE}
      Environment: {Type: LINUX_CONTAINER, ComputeType: BUILD_GENERAL1_SMALL, Image: "aws/codebuild/standard:7.0"}
      Source:
        Type: CODEPIPELINE
        BuildSpec: !Sub |
          version: 0.2
          phases:
            build:
              commands:
                - docker push ${AWS::AccountId}.dkr.ecr.${AWS::Region}.amazonaws.com/${Repository}:latest
                - printf '[{"name":"web","imageUri":"%s"}]' ${AWS::AccountId}.dkr.ecr.${AWS::Region}.amazonaws.com/${Repository}:latest > imagedefinitions.json
          artifacts:
            files: imagedefinitions.json
YAML
}

# YAML and JSON files that are neither buildspecs nor templates.
write_unrelated() { # FOLDER
    mkdir -p "$1"
    printf 'services:\n  web:\n    image: nginx\n' >"$1/docker-compose.yml"
    printf '{"name": "web", "version": "1.0.0"}\n' >"$1/package.json"
}

###############################################################################################
section "a. SwiftPM command plugins in a consumer package"
CONSUMER="$WORK/consumer"
mkdir -p "$CONSUMER/Sources/Consumer"
cat >"$CONSUMER/Package.swift" <<SWIFT
// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "consumer",
    dependencies: [
        .package(path: "$ROOT"),
    ],
    targets: [
        .target(name: "Consumer"),
    ]
)
SWIFT
echo 'public let greeting = "hello"' >"$CONSUMER/Sources/Consumer/Consumer.swift"
write_buildspec "$CONSUMER/buildspec.yml"
write_buildspec "$CONSUMER/services/api/buildspec.yml"
write_other_yaml "$CONSUMER/deploy/pipeline.yml"
write_template "$CONSUMER/infra/stack.yaml"
# A Terraform module: a CodeBuild project with an unguarded heredoc, and a file without one.
cp "$ROOT/Samples/terraform-heredoc/main.tf" "$CONSUMER/infra/main.tf"
printf 'variable "region" {\n  default = "us-east-1"\n}\n' >"$CONSUMER/infra/variables.tf"
write_unrelated "$CONSUMER"
# Buildspecs inside folders the search skips.
write_buildspec "$CONSUMER/.build/decoy/buildspec.yml"
write_buildspec "$CONSUMER/.swiftpm/decoy/buildspec.yml"
mkdir -p "$WORK/originals"
for file in deploy/pipeline.yml .build/decoy/buildspec.yml .swiftpm/decoy/buildspec.yml buildspec.yml docker-compose.yml package.json; do
    mkdir -p "$WORK/originals/$(dirname "$file")"
    cp "$CONSUMER/$file" "$WORK/originals/$file"
done
cd "$CONSUMER"

# The first call resolves the dependency and builds the tool: the slow step of this section.
run check-before swift package check-buildspec
expect_rc "swift package check-buildspec (two unguarded buildspecs, one template)" 1
expect_output "check-buildspec names buildspec.yml" '^buildspec\.yml:[0-9]+:[0-9]+: error'
expect_output "check-buildspec names the template's line" '^infra/stack\.yaml:19:19: error'
expect_output "check-buildspec names the Terraform heredoc's line" '^infra/main\.tf:42:9: error'
expect_output "check-buildspec names services/api/buildspec.yml" '^services/api/buildspec\.yml:[0-9]+:[0-9]+: error'
expect_output "check-buildspec reports the tool's exit code 1 and the fix" 'error: rewrite-buildspec exited with code 1: .*allow-writing-to-package-directory rewrite-buildspec'
expect_no_output "check-buildspec skips deploy/pipeline.yml, .build and .swiftpm" 'pipeline\.yml|decoy'

run check-narrowed swift package check-buildspec services
expect_rc "swift package check-buildspec services" 1
expect_output "check-buildspec services names services/api/buildspec.yml" '^services/api/buildspec\.yml:[0-9]+:[0-9]+: error'
expect_no_output "check-buildspec services leaves out the root buildspec.yml" '^buildspec\.yml:'

run check-github swift package check-buildspec --format github
expect_rc "swift package check-buildspec --format github" 1
expect_output "the plugin passes --format github: an annotation for buildspec.yml" '^::error file=buildspec\.yml,line=[0-9]+,col=[0-9]+,title=RB001 unguarded-definitions-writer::'
expect_output "the plugin passes --format github: an annotation for services/api/buildspec.yml" '^::error file=services/api/buildspec\.yml,line=[0-9]+,col=[0-9]+,title=RB001 '

run check-file swift package check-buildspec buildspec.yml
expect_rc "swift package check-buildspec buildspec.yml" 1
expect_no_output "check-buildspec buildspec.yml leaves out services/" '^services/'

run check-missing swift package check-buildspec no-such-folder
expect_rc "swift package check-buildspec no-such-folder" 1
expect_output "a missing path is the tool's exit code 2" 'no-such-folder: error: no such file or folder'
expect_output "the plugin reports exit code 2" 'error: rewrite-buildspec exited with code 2'

# Options are forwarded: the tool itself rejects this repository name.
run check-bad-option swift package check-buildspec --repository-name 'a;b'
expect_rc "swift package check-buildspec --repository-name 'a;b'" 1
expect_output "the tool rejects --repository-name 'a;b'" "--repository-name 'a;b' is not a valid ECR repository name"
expect_output "the plugin reports exit code 64" 'error: rewrite-buildspec exited with code 64'
run check-bad-registry-id swift package check-buildspec --registry-id 'a;b'
expect_rc "swift package check-buildspec --registry-id 'a;b'" 1
expect_output "the tool rejects --registry-id 'a;b'" "--registry-id 'a;b' is not a 12-digit AWS account id"

# Without the permission option and without a terminal to ask on, SwiftPM refuses.
run rewrite-unpermitted swift package rewrite-buildspec </dev/null
expect_rc "swift package rewrite-buildspec without --allow-writing-to-package-directory" 1
expect_output "SwiftPM names the missing permission" 'allow-writing-to-package-directory'
expect_same "buildspec.yml unchanged without the permission" buildspec.yml "$WORK/originals/buildspec.yml"

run rewrite swift package --allow-writing-to-package-directory rewrite-buildspec
expect_rc "swift package --allow-writing-to-package-directory rewrite-buildspec" 0
expect_contains "buildspec.yml now asks ECR first" buildspec.yml "$GUARD"
expect_contains "services/api/buildspec.yml now asks ECR first" services/api/buildspec.yml "$GUARD"
expect_contains "infra/stack.yaml now asks ECR first, about its own repository" infra/stack.yaml "$GUARD --repository-name \${Repository}"
expect_same "infra/main.tf is the golden sample's output" infra/main.tf "$ROOT/Samples/terraform-heredoc/expected.tf"
expect_output "rewrite-buildspec names buildspec.yml" '^buildspec\.yml$'
expect_output "rewrite-buildspec names services/api/buildspec.yml" '^services/api/buildspec\.yml$'

run check-after swift package check-buildspec
expect_rc "swift package check-buildspec after the rewrite" 0
expect_no_output "check-buildspec after the rewrite reports no error" 'error:'

# SwiftPM also takes its option after the verb (and hands it to the plugin, which drops it).
write_buildspec workers/buildspec.yml
run rewrite-option-after swift package rewrite-buildspec --allow-writing-to-package-directory workers </dev/null
expect_rc "swift package rewrite-buildspec --allow-writing-to-package-directory workers" 0
expect_contains "workers/buildspec.yml now asks ECR first" workers/buildspec.yml "$GUARD"

for file in deploy/pipeline.yml .build/decoy/buildspec.yml .swiftpm/decoy/buildspec.yml docker-compose.yml package.json; do
    expect_same "$file is byte-identical" "$file" "$WORK/originals/$file"
done
cd "$WORK"

###############################################################################################
section "b. pre-commit hooks through pre-commit try-repo and pre-commit run"
PRE_COMMIT=()
if [[ -x "$VENV/bin/pre-commit" ]]; then
    PRE_COMMIT=("$VENV/bin/pre-commit")
elif python3 -m venv "$VENV" >"$WORK/venv.log" 2>&1; then
    if "$VENV/bin/python" -m pip install --quiet pre-commit >>"$WORK/venv.log" 2>&1; then
        PRE_COMMIT=("$VENV/bin/pre-commit")
    else
        fail "pip install pre-commit into $VENV" "$WORK/venv.log"
        rm -rf "$VENV"
    fi
elif python3 -c 'import pre_commit' 2>/dev/null; then
    PRE_COMMIT=(python3 -m pre_commit)
else
    fail "python3 -m venv $VENV (and pre-commit is not importable)" "$WORK/venv.log"
fi

if ((${#PRE_COMMIT[@]})); then
    pass "pre-commit: $("${PRE_COMMIT[@]}" --version)"
    HOOKED="$WORK/hooked"
    mkdir -p "$HOOKED"
    cd "$HOOKED"
    git init --quiet .
    git config user.name "rewrite-buildspec integration test"
    git config user.email "integration-test@example.invalid"
    git config commit.gpgsign false
    write_buildspec buildspec.yml
    write_buildspec services/api/buildspec-prod.yaml
    write_other_yaml deploy/pipeline.yml
    cp deploy/pipeline.yml "$WORK/pipeline.yml.original"
    write_template infra/stack.yaml
    cp "$ROOT/Samples/terraform-heredoc/main.tf" infra/main.tf
    printf 'variable "region" {\n  default = "us-east-1"\n}\n' >infra/variables.tf
    cp infra/variables.tf "$WORK/variables.tf.original"
    write_unrelated .
    cp docker-compose.yml "$WORK/docker-compose.yml.original"
    cp package.json "$WORK/package.json.original"
    git add -A
    git commit --quiet -m "Unguarded buildspecs"
    # try-repo uses a throwaway pre-commit store: every call builds the package in release. It
    # runs once, as a user trying the hooks would; the later runs go through configs that name
    # this repository at HEAD and share one store, so the package is built once more in all.
    export PRE_COMMIT_COLOR=never
    config() { # FILE HOOK [ARGS]: a .pre-commit-config.yaml with one hook of this repository
        { printf 'repos:\n  - repo: %s\n    rev: %s\n    hooks:\n      - id: %s\n' "$TRY_REPO" "$(git -C "$TRY_REPO" rev-parse HEAD)" "$2"
          if [[ -n "${3:-}" ]]; then printf '        args: %s\n' "$3"; fi; } >"$1"
    }
    config "$WORK/check.yaml" check-buildspec
    config "$WORK/check-github.yaml" check-buildspec "[--format, github]"
    config "$WORK/rewrite.yaml" rewrite-buildspec
    hook() { env PRE_COMMIT_HOME="$WORK/pre-commit-home" "${PRE_COMMIT[@]}" run --config "$1" --all-files; }

    run pc-check-before "${PRE_COMMIT[@]}" try-repo "$TRY_REPO" check-buildspec --all-files
    expect_rc "pre-commit try-repo check-buildspec --all-files (unguarded)" 1
    expect_output "check-buildspec hook fails" '^check-buildspec.*Failed'
    expect_output "check-buildspec hook names buildspec.yml" '(^|[^/])buildspec\.yml:[0-9]+:[0-9]+: error'
    expect_output "check-buildspec hook names services/api/buildspec-prod.yaml" 'services/api/buildspec-prod\.yaml:[0-9]+:[0-9]+: error'
    expect_no_output "check-buildspec hook leaves out deploy/pipeline.yml" 'pipeline\.yml'
    expect_output "check-buildspec hook names infra/stack.yaml" 'infra/stack\.yaml:19:19: error'
    expect_output "check-buildspec hook names infra/main.tf" 'infra/main\.tf:42:9: error'
    expect_no_output "check-buildspec hook says nothing of infra/variables.tf" 'variables\.tf'
    expect_no_output "check-buildspec hook says nothing of docker-compose.yml and package.json" 'docker-compose|package\.json'

    # A hook's `args` reach the tool: `--format github` from a real .pre-commit-config.yaml.
    run pc-check-github hook "$WORK/check-github.yaml"
    expect_rc "pre-commit run check-buildspec with args [--format, github]" 1
    expect_output "the hook passes --format github: an annotation for buildspec.yml" '^::error file=buildspec\.yml,line=[0-9]+,col=[0-9]+,title=RB001 '
    expect_output "the hook passes --format github: an annotation for services/api/buildspec-prod.yaml" '^::error file=services/api/buildspec-prod\.yaml,line=[0-9]+,col=[0-9]+,title=RB001 '

    run pc-rewrite hook "$WORK/rewrite.yaml"
    expect_rc "pre-commit run rewrite-buildspec --all-files (changes files)" 1
    expect_output "pre-commit says the hook modified files" 'files were modified by this hook'
    expect_contains "buildspec.yml now asks ECR first" buildspec.yml "$GUARD"
    expect_contains "services/api/buildspec-prod.yaml now asks ECR first" services/api/buildspec-prod.yaml "$GUARD"
    expect_contains "infra/stack.yaml now asks ECR first" infra/stack.yaml "$GUARD"
    expect_same "infra/main.tf is the golden sample's output" infra/main.tf "$ROOT/Samples/terraform-heredoc/expected.tf"

    run pc-check-after hook "$WORK/check.yaml"
    expect_rc "pre-commit run check-buildspec --all-files (after the rewrite)" 0
    expect_output "check-buildspec hook passes" '^check-buildspec.*Passed'
    expect_same "deploy/pipeline.yml is byte-identical" deploy/pipeline.yml "$WORK/pipeline.yml.original"
    expect_same "docker-compose.yml is byte-identical" docker-compose.yml "$WORK/docker-compose.yml.original"
    expect_same "package.json is byte-identical" package.json "$WORK/package.json.original"
    expect_same "infra/variables.tf is byte-identical" infra/variables.tf "$WORK/variables.tf.original"
    cd "$WORK"
fi

###############################################################################################
section "c. the command line tool's exit codes"
TOOL="$ROOT/.build/debug/rewrite-buildspec"
if [[ ! -x "$TOOL" ]]; then
    run build-tool swift build --package-path "$ROOT" --product rewrite-buildspec
    expect_rc "swift build --product rewrite-buildspec" 0
fi
if [[ -x "$TOOL" ]]; then
    CLI="$WORK/cli"
    mkdir -p "$CLI"

    write_buildspec "$CLI/rewritten/buildspec.yml"
    run cli-rewrite "$TOOL" "$CLI/rewritten/buildspec.yml"
    expect_rc "rewrite-buildspec on an unguarded file" 0
    expect_contains "the file now asks ECR first" "$CLI/rewritten/buildspec.yml" "$GUARD"

    cp "$CLI/rewritten/buildspec.yml" "$CLI/guarded.yml"
    run cli-again "$TOOL" "$CLI/rewritten/buildspec.yml"
    expect_rc "rewrite-buildspec on a guarded file (nothing to do)" 0
    expect_same "the guarded file is unchanged" "$CLI/rewritten/buildspec.yml" "$CLI/guarded.yml"
    run cli-check-guarded "$TOOL" --check "$CLI/rewritten/buildspec.yml"
    expect_rc "rewrite-buildspec --check on a guarded file" 0

    write_buildspec "$CLI/unguarded/buildspec.yml"
    cp "$CLI/unguarded/buildspec.yml" "$CLI/unguarded.yml"
    run cli-check "$TOOL" --check "$CLI/unguarded/buildspec.yml"
    expect_rc "rewrite-buildspec --check on an unguarded file" 1
    expect_same "--check changes nothing" "$CLI/unguarded/buildspec.yml" "$CLI/unguarded.yml"

    mkdir -p "$CLI/invalid"
    # A tab where YAML wants spaces: libyaml rejects the file.
    # shellcheck disable=SC2016 # $REPOSITORY_URI is buildspec text, not expanded here
    printf 'version: 0.2\nphases:\n  post_build:\n    commands:\n\t- docker push $REPOSITORY_URI:latest\n' >"$CLI/invalid/buildspec.yml"
    cp "$CLI/invalid/buildspec.yml" "$CLI/invalid.yml"
    run cli-invalid "$TOOL" "$CLI/invalid/buildspec.yml"
    expect_rc "rewrite-buildspec on invalid YAML" 2
    expect_output "the error says invalid YAML" 'invalid YAML'
    expect_same "the invalid file is unchanged" "$CLI/invalid/buildspec.yml" "$CLI/invalid.yml"

    run cli-unknown "$TOOL" --no-such-option "$CLI/unguarded/buildspec.yml"
    expect_rc "rewrite-buildspec --no-such-option" 64
    run cli-bad-name "$TOOL" --repository-name 'a;b' "$CLI/unguarded/buildspec.yml"
    expect_rc "rewrite-buildspec --repository-name 'a;b'" 64
    run cli-bad-registry-id "$TOOL" --registry-id 1234 "$CLI/unguarded/buildspec.yml"
    expect_rc "rewrite-buildspec --registry-id 1234" 64
    expect_same "usage errors change nothing" "$CLI/unguarded/buildspec.yml" "$CLI/unguarded.yml"
    run cli-registry-id "$TOOL" --diff --registry-id 111122223333 "$CLI/unguarded/buildspec.yml"
    expect_rc "rewrite-buildspec --diff --registry-id 111122223333" 0
    expect_output "the query asks the account given" '--registry-id 111122223333'
fi

###############################################################################################
echo
echo "took $((SECONDS - STARTED))s"
echo "$passed passed, $failed failed"
((failed == 0))
