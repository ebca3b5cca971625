#!/usr/bin/env bash
# The API's contract, checked from outside: schemathesis (from PyPI) generates requests
# from /api/v1/openapi.json for every public route and every route that takes a token
# (an inspector's, made through the browser), and fails on any server error or any
# answer that breaks its described status, content type or schema.
#   e2e/api-contract.sh http://127.0.0.1:8080      (a running demo server)
set -euo pipefail

URL="${1:?the address of a running demo server}"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
VENV="${SCHEMATHESIS_VENV:-$HERE/.schemathesis}"

# Python 3.11's ast module can fail inside Hypothesis ("AST constructor recursion depth
# mismatch", fixed in 3.12): a newer Python is used where one is installed.
PYTHON=python3
for candidate in python3.13 python3.12 "$(pyenv root 2>/dev/null)"/versions/3.1[23].*/bin/python3; do
  if "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then PYTHON="$candidate"; break; fi
done

if [ ! -x "$VENV/bin/schemathesis" ]; then
  "$PYTHON" -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check 'schemathesis>=4,<5'
fi

TOKEN="$(cd "$HERE" && CANDOUR_URL="$URL" node api-token.mjs inspector)"
case "$TOKEN" in
  cand_*) ;;
  *) echo "api-contract: no API token was made" >&2; exit 1 ;;
esac

"$VENV/bin/schemathesis" run "$URL/api/v1/openapi.json" \
  --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance \
  --header "Authorization: Bearer $TOKEN" \
  --phases coverage,fuzzing \
  --max-examples 30 \
  --workers 2 \
  --seed 20261207 \
  --warnings off
