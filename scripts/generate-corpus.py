#!/usr/bin/env python3
"""Writes a synthetic corpus of realistic CodeBuild buildspecs for benchmarks.

    scripts/generate-corpus.py OUT_DIR COUNT [--seed N] [--writer-share S]

Files go to OUT_DIR/team-XX/service-NNNNN/buildspec.yml (a few are named
buildspec-ecs.yml / buildspec.yaml), so folder discovery is exercised too. The mix follows
what real buildspecs look like: comments and blank lines, `- |` blocks, quoted items,
10-40 commands, a share S (default 0.40) pushing to ECR and writing imagedefinitions.json
(printf, echo, tee or a here-document), a quarter of those already guarded, some
`version: 0.1`. Every file is valid YAML, so a parse-only baseline and the tool read the same
bytes. The output depends on COUNT, S and the seed only.
"""
import argparse
import os
import random

TOOLS = ["npm ci", "npm run lint", "npm test -- --ci", "npm run build", "yarn install --frozen-lockfile",
         "pip install -r requirements.txt", "python -m pytest -q tests/", "./gradlew build -x test",
         "./mvnw -B -q package -DskipTests", "go test ./...", "go build -o bin/app ./cmd/app",
         "make test", "make lint", "dotnet restore", "dotnet publish -c Release -o out",
         "cargo build --release", "bundle install --deployment", "composer install --no-dev",
         "aws s3 cp s3://$ARTIFACT_BUCKET/config/$CODEBUILD_BUILD_NUMBER/settings.json ./config/settings.json",
         "aws ssm get-parameter --name /ci/shared/npmrc --with-decryption --query Parameter.Value --output text > .npmrc",
         "docker run --rm -v $(pwd):/src -w /src node:20-alpine sh -c 'npm ci && npm run test:unit'",
         "curl -sSfL https://raw.githubusercontent.com/example/tools/main/install.sh | sh -s -- -b /usr/local/bin",
         "export BUILD_VERSION=$(date +%Y%m%d%H%M%S)-${CODEBUILD_RESOLVED_SOURCE_VERSION:0:7}",
         "find . -name '*.pyc' -delete && rm -rf .pytest_cache build dist"]
ECHOES = ["echo Build started on `date`", "echo Building the Docker image...", "echo Build completed on `date`",
          "echo Logging in to Amazon ECR...", "echo Running unit tests", "echo Pushing the Docker images...",
          "echo Writing image definitions file...", "aws --version", "docker version", "env | sort",
          "ls -la", "pwd", "uname -a", "df -h"]
COMMENTS = ["# Keep this in sync with the pipeline template", "# TODO: cache dependencies",
            "#- $(aws ecr get-login --no-include-email --region $AWS_DEFAULT_REGION)",
            "# see https://docs.aws.amazon.com/codebuild/latest/userguide/", "# tests run in the build phase",
            "# the tag is the short commit hash", "# do not remove: used by the deploy stage"]
REGIONS = ["us-east-1", "us-west-2", "eu-west-1", "eu-central-1", "ap-southeast-2", "ap-northeast-1"]
RUNTIMES = [("nodejs", ["18", "20"]), ("python", ["3.11", "3.12"]), ("java", ["corretto17", "corretto21"]),
            ("golang", ["1.21", "1.22"]), ("dotnet", ["8.0"])]
WORDS = ["orders", "billing", "catalog", "auth", "search", "ledger", "portal", "gateway", "inventory",
         "notify", "reports", "profile", "checkout", "media", "admin", "metrics"]


def quoted(rng, text):
    """Sometimes single- or double-quote a whole command, as people do."""
    if "'" not in text and '"' not in text and rng.random() < 0.12:
        return rng.choice(["'%s'", '"%s"']) % text
    return text


def filler(rng, n):
    out = []
    for _ in range(n):
        r = rng.random()
        if r < 0.45:
            out.append(("cmd", quoted(rng, rng.choice(TOOLS))))
        elif r < 0.85:
            out.append(("cmd", quoted(rng, rng.choice(ECHOES))))
        elif r < 0.90:
            out.append(("comment", rng.choice(COMMENTS)))
        else:
            out.append(("block", ["set -e", rng.choice(TOOLS), "echo \"step done: $CODEBUILD_BUILD_NUMBER\"",
                                  rng.choice(TOOLS), "", "# block-local comment", rng.choice(TOOLS)]))
    return out


def writer_item(rng, guarded, v01):
    """(items) writing imagedefinitions.json, unguarded or already guarded."""
    style = rng.random()
    printf = "printf '[{\"name\":\"%s\",\"imageUri\":\"%s\"}]' $CONTAINER_NAME $REPOSITORY_URI:$IMAGE_TAG > imagedefinitions.json"
    if guarded:
        if v01:
            return [("cmd", "aws ecr list-images --repository-name $IMAGE_REPO_NAME --max-items 1 > \"${CODEBUILD_SRC_DIR:-.}/.repository-images\""),
                    ("cmd", "docker push $REPOSITORY_URI:$IMAGE_TAG"),
                    ("block", ["if grep -q \"imageDigest\" \"${CODEBUILD_SRC_DIR:-.}/.repository-images\"; then",
                               "  " + printf, "else", "  echo \"first image; no image definitions\"", "fi"])]
        return [("cmd", "REPOSITORY_IMAGES=$(aws ecr list-images --repository-name \"$IMAGE_REPO_NAME\" --max-items 1)"),
                ("cmd", "docker push $REPOSITORY_URI:$IMAGE_TAG"),
                ("block", ["if echo \"$REPOSITORY_IMAGES\" | grep -q \"imageDigest\"; then",
                           "  " + printf, "else",
                           "  echo \"ECR repository had no image before this build; skipping\"", "fi"])]
    items = [("cmd", "docker push $REPOSITORY_URI:latest"), ("cmd", "docker push $REPOSITORY_URI:$IMAGE_TAG")]
    if rng.random() < 0.3:
        items.append(("comment", "# the deploy action reads this file"))
    if style < 0.6:
        items.append(("cmd", printf))
    elif style < 0.75:
        items.append(("cmd", "echo '[{\"name\":\"'$CONTAINER_NAME'\",\"imageUri\":\"'$REPOSITORY_URI:$IMAGE_TAG'\"}]' > imagedefinitions.json"))
    elif style < 0.85:
        items.append(("cmd", "printf '[{\"name\":\"%s\",\"imageUri\":\"%s\"}]' $CONTAINER_NAME $REPOSITORY_URI:$IMAGE_TAG | tee imagedefinitions.json"))
    elif v01:
        items.append(("cmd", printf + " # artifact for ECS"))
    else:
        items.append(("block", ["cat > imagedefinitions.json <<EOF", "[", "  {",
                                "    \"name\": \"$CONTAINER_NAME\",", "    \"imageUri\": \"$REPOSITORY_URI:$IMAGE_TAG\"",
                                "  }", "]", "EOF"]))
    items.append(("cmd", "cat imagedefinitions.json"))
    return items


def render_items(items, indent, eol):
    lines = []
    pad = " " * indent
    for kind, value in items:
        if kind == "cmd":
            lines.append(f"{pad}- {value}")
        elif kind == "comment":
            lines.append(f"{pad}{value}")
        else:
            lines.append(f"{pad}- |")
            lines.extend(f"{pad}  {line}" if line else "" for line in value)
    return lines


def buildspec(rng, index, writer_share):
    ecs = rng.random() < writer_share
    v01 = rng.random() < 0.08
    guarded = ecs and rng.random() < 0.25
    word = rng.choice(WORDS)
    service = f"{word}-{index:05d}"
    account = f"{rng.randrange(10**11, 10**12):012d}"
    region = rng.choice(REGIONS)
    step = rng.choice([2, 2, 2, 4])
    total = rng.randint(10, 40)
    eol = "\n"
    out = [f"version: {'0.1' if v01 else '0.2'}", ""]
    if rng.random() < 0.3:
        out.insert(0, f"# Build for {service}")
    s = " " * step
    if v01:
        out += ["environment_variables:", f"{s}plaintext:"]
    else:
        out += ["env:", f"{s}variables:"]
    out += [f"{s}{s}AWS_ACCOUNT_ID: \"{account}\"", f"{s}{s}IMAGE_REPO_NAME: \"{service}\"",
            f"{s}{s}CONTAINER_NAME: \"{word}\"", f"{s}{s}AWS_REGION_NAME: {region}"]
    if not v01 and rng.random() < 0.3:
        out += [f"{s}parameter-store:", f"{s}{s}DOCKERHUB_USER: /ci/{word}/dockerhub-user"]
    out.append("")
    out.append("phases:")
    phases = []
    if not v01 and rng.random() < 0.6:
        runtime, versions = rng.choice(RUNTIMES)
        phases.append(("install", None, [f"{s}{s}runtime-versions:", f"{s}{s}{s}{runtime}: {rng.choice(versions)}"]))
    budget = total
    pre = []
    if ecs:
        pre = [("cmd", "echo Logging in to Amazon ECR..."),
               ("cmd", f"aws ecr get-login-password --region $AWS_REGION_NAME | docker login --username AWS --password-stdin $AWS_ACCOUNT_ID.dkr.ecr.$AWS_REGION_NAME.amazonaws.com"),
               ("cmd", "REPOSITORY_URI=$AWS_ACCOUNT_ID.dkr.ecr.$AWS_REGION_NAME.amazonaws.com/$IMAGE_REPO_NAME"),
               ("cmd", "IMAGE_TAG=$(echo $CODEBUILD_RESOLVED_SOURCE_VERSION | cut -c 1-7)")]
    n_pre = max(1, budget // 4)
    pre += filler(rng, n_pre)
    build = filler(rng, max(2, budget // 2))
    if ecs:
        build += [("cmd", "docker build -t $REPOSITORY_URI:latest ."),
                  ("cmd", "docker tag $REPOSITORY_URI:latest $REPOSITORY_URI:$IMAGE_TAG")]
    post = filler(rng, max(1, budget - n_pre - budget // 2 - 4))
    if ecs:
        post += writer_item(rng, guarded, v01)
    phases.append(("pre_build", pre, None))
    phases.append(("build", build, None))
    phases.append(("post_build", post, None))
    for name, items, raw in phases:
        out.append(f"{s}{name}:")
        if raw:
            out += raw
        if items:
            out.append(f"{s}{s}commands:")
            out += render_items(items, 2 * step + (0 if rng.random() < 0.7 else step), eol)
        if rng.random() < 0.25:
            out.append("")
    out.append("")
    if ecs:
        out += ["artifacts:", f"{s}files:", f"{s}{s}- imagedefinitions.json"]
    else:
        out += ["artifacts:", f"{s}files:", f"{s}{s}- '**/*'", f"{s}base-directory: dist"]
    if rng.random() < 0.3:
        out += ["cache:", f"{s}paths:", f"{s}{s}- '/root/.npm/**/*'"]
    text = eol.join(out) + eol
    if rng.random() < 0.05:
        text = text.replace("\n", "\r\n")
    if rng.random() < 0.03:
        text = text.rstrip("\r\n")
    return text


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out")
    parser.add_argument("count", type=int)
    parser.add_argument("--seed", type=int, default=20240601)
    parser.add_argument("--writer-share", type=float, default=0.40,
                        help="share of the files that write image definitions (default 0.40)")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    names = ["buildspec.yml"] * 17 + ["buildspec-ecs.yml", "buildspec.yaml", "buildspec-prod.yml"]
    for index in range(args.count):
        folder = os.path.join(args.out, f"team-{index % 40:02d}", f"service-{index:05d}")
        os.makedirs(folder, exist_ok=True)
        with open(os.path.join(folder, rng.choice(names)), "w", newline="") as handle:
            handle.write(buildspec(rng, index, args.writer_share))


if __name__ == "__main__":
    main()
