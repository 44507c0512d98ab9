#!/usr/bin/env bash
# Regenerates signatures.json: X-Webhook-Signature test vectors computed by OpenSSL, an
# implementation independent of hookline's (tests/unit/signature_vectors_test.cc checks ours
# against them). The command for each vector is
#     printf '%s' "$BODY" | openssl dgst -sha256 -hmac "$SECRET"
# (printf '%s' adds no newline; a body that ends in a newline has it written explicitly).
# Usage: tests/testdata/make_signatures.sh > tests/testdata/signatures.json
set -euo pipefail
sig() { printf '%s' "$2" | openssl dgst -sha256 -hmac "$1" | sed 's/^.*= //'; }
long_key=$(printf 'k%.0s' $(seq 1 100))  # longer than the SHA-256 block: HMAC hashes the key
vectors=(
  "7791df29d560268b7c2057128b6735b12e5441a35a4552a91ab4c0288f55482c"
  '{"event":"render.completed","assessment_id":"FR-20260109-123456","status":"completed","timestamp":"2026-01-09T05:38:01.449Z"}'
  "whsec_test" ""
  "key" "The quick brown fox jumps over the lazy dog"
  "секрет" '{"company":"Ромашка"}'
  "$long_key" '{"event":"render.completed"}'
  "s" $'{"a":1}\n'
)
echo '{"generated_by": "openssl dgst -sha256 -hmac (tests/testdata/make_signatures.sh)", "vectors": ['
for ((i = 0; i < ${#vectors[@]}; i += 2)); do
  secret=${vectors[i]}
  body=${vectors[i + 1]}
  python3 -c 'import json,sys; print(("  " if sys.argv[4] == "0" else "  ,") + json.dumps({"secret": sys.argv[1], "body": sys.argv[2], "signature": sys.argv[3]}, ensure_ascii=False))' \
    "$secret" "$body" "$(sig "$secret" "$body")" "$i"
done
echo ']}'
