#!/usr/bin/env bash
# Deploy checks, offline: lint + render the Helm chart (default and helm/docingest/ci/*.yaml values),
# validate every manifest against Kubernetes schemas, check KEDA/ServiceMonitor fields and the
# wiring between objects, and check deploy/docker-compose.yml, deploy/Dockerfile and
# config/production.example.toml against config/default.toml. See .ci/deploy_check.py.
#
# Needs python3 (>= 3.11, for tomllib) and PyPI once: a venv in .ci-state/venv-deploy holds
# helm-python-sdk (Helm's Go SDK as a shared library: no helm binary, no cluster), kubernetes-validate
# (bundled Kubernetes JSON schemas) and PyYAML. Idempotent: the venv is reused while the pins match.
set -euo pipefail
cd "$(dirname "$0")/../.."

VENV=.ci-state/venv-deploy
REQS="helm-python-sdk==0.2.2 kubernetes-validate==1.37.0 PyYAML==6.0.3"
STAMP="$VENV/.docingest-reqs"

python3 -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "python3 >= 3.11 needed (tomllib)")'
if [ ! -x "$VENV/bin/python" ] || [ "$(cat "$STAMP" 2>/dev/null)" != "$REQS" ]; then
  mkdir -p .ci-state
  python3 -m venv "$VENV"
  # shellcheck disable=SC2086 # word splitting of the pin list is intended
  "$VENV/bin/pip" install --quiet --disable-pip-version-check $REQS
  echo "$REQS" > "$STAMP"
fi

"$VENV/bin/python" .ci/deploy_check.py
