#!/usr/bin/env bash
# What the end-to-end tests (Tests/BuildspecRewritingTests/EndToEnd*.swift) need: the real AWS CLI
# and moto's local AWS API, both from pip.
#
#   bash Tests/Integration/moto.sh check    exit 1, naming the pip command, when one is missing
#   bash Tests/Integration/moto.sh install  pip install 'moto[server]' awscli when one is missing
#   bash Tests/Integration/moto.sh serve    moto_server on a free 127.0.0.1 port, in the foreground,
#                                           after printing the variables that point the CLI at it
#
# The tests start and stop their own moto_server. `serve` is for replaying a sample by hand: copy
# the printed export lines into another shell, then run the sample's commands there.
set -euo pipefail

PACKAGES=("moto[server]" awscli)

missing() {
    local name
    for name in aws moto_server; do
        command -v "$name" >/dev/null 2>&1 || echo "$name"
    done
}

case "${1:-check}" in
check)
    gone=$(missing)
    if [[ -n "$gone" ]]; then
        echo "missing: $(echo $gone); install with: pip install 'moto[server]' awscli" >&2
        exit 1
    fi
    aws --version
    python3 -c 'import moto; print("moto", moto.__version__)' 2>/dev/null || moto_server --help | head -n 1
    ;;
install)
    if [[ -n "$(missing)" ]]; then
        if command -v pip >/dev/null 2>&1; then pip install -q "${PACKAGES[@]}"; else python3 -m pip install -q "${PACKAGES[@]}"; fi
    fi
    bash "$0" check
    ;;
serve)
    port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    cat <<EOF
export AWS_ENDPOINT_URL=http://127.0.0.1:$port
export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing
export AWS_DEFAULT_REGION=us-east-1
# reset:        curl -X POST http://127.0.0.1:$port/moto-api/reset
# IAM checks:   curl -X POST -H 'Content-Type: text/plain' --data-binary 0 http://127.0.0.1:$port/moto-api/reset-auth
#               (inf turns them off again)
EOF
    exec moto_server -H 127.0.0.1 -p "$port"
    ;;
*)
    echo "usage: $0 check|install|serve" >&2
    exit 64
    ;;
esac
