#!/usr/bin/env bash
# Static checks of the deployment files (make check-deploy-files; .ci/run):
#   docker-compose.yml  `docker-compose config -q` (Debian's docker-compose,
#                       no container engine needed) against app.env.example
#                       and placeholder secret files, in a scratch copy
#   Dockerfile          hadolint (pinned in requirements/dev.txt)
set -euo pipefail
cd "$(dirname "$0")/.."
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
cp docker-compose.yml "$scratch/"
mkdir -p "$scratch/deploy/secrets" "$scratch/deploy/postgres"
cp deploy/app.env.example "$scratch/deploy/app.env"
cp deploy/postgres/init-roles.sh "$scratch/deploy/postgres/"
for secret in $(sed -n 's/^  \([a-z_]*\): {file: deploy\/secrets\/.*/\1/p' docker-compose.yml); do
  echo placeholder > "$scratch/deploy/secrets/$secret"
done
(cd "$scratch" && docker-compose config -q)
echo "docker-compose.yml: valid"
.venv/bin/hadolint Dockerfile
echo "Dockerfile: hadolint clean"
