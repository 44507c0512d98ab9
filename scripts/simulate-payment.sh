#!/usr/bin/env bash
# Sends a payment webhook to hookline the way the payment service does, and prints the reply.
#
#   scripts/simulate-payment.sh [lead_id] [event_id]
#
# Both arguments are optional (random when left out: lead_<random>, evt_<random>).
# HOOKLINE_URL      where hookline listens (default http://127.0.0.1:8080)
# WEBHOOK_SECRET    the shared secret; when unset it is read from the data folder
# HOOKLINE_DATA_DIR the data folder (default ./data)
# Exits non-zero when the reply is not 2xx.
set -euo pipefail

rand() { od -An -N6 -tx1 /dev/urandom | tr -d ' \n'; }

lead_id="${1:-lead_$(rand)}"
event_id="${2:-evt_$(rand)}"
url="${HOOKLINE_URL:-http://127.0.0.1:8080}/api/webhook/payment"
secret="${WEBHOOK_SECRET:-}"
if [[ -z "$secret" ]]; then
  secret_file="${HOOKLINE_DATA_DIR:-./data}/webhook_secret"
  if [[ ! -r "$secret_file" ]]; then
    echo "simulate-payment: set WEBHOOK_SECRET, or run from the folder whose data/ holds webhook_secret" >&2
    exit 2
  fi
  secret="$(tr -d '\r\n' < "$secret_file")"
fi

# lead_id stays a number in the JSON when it is one, as a payment service would send it.
if [[ "$lead_id" =~ ^[0-9]+$ ]]; then lead_json="$lead_id"; else
  lead_json="\"$(printf '%s' "$lead_id" | sed 's/[\\"]/\\&/g')\""; fi
event_json="$(printf '%s' "$event_id" | sed 's/[\\"]/\\&/g')"
amount=$(( (RANDOM % 90 + 10) * 100 ))
body=$(cat <<JSON
{"event_id":"$event_json","event_type":"payment.succeeded","source":"payment_service","data":{"lead_id":$lead_json,"amount":$amount,"currency":"EUR","payment_id":"pay_$(rand)","paid_at":"$(date -u +%Y-%m-%dT%H:%M:%SZ)"}}
JSON
)

echo "POST $url  event_id=$event_id lead_id=$lead_id"
reply_file="$(mktemp)"
trap 'rm -f "$reply_file"' EXIT
# The secret goes through a header file on stdin, not the command line (no `ps` leak).
status=$(printf 'X-Webhook-Secret: %s\n' "$secret" | curl -sS -o "$reply_file" -w '%{http_code}' \
  -X POST "$url" -H 'Content-Type: application/json' -H @- --data-binary "$body") || {
  echo "simulate-payment: cannot reach $url (is hookline running? make run)" >&2; exit 1; }
echo "HTTP $status $(cat "$reply_file")"
[[ "$status" =~ ^2 ]]
