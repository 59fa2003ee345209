#!/usr/bin/env bash
# TAP 13 tests for log-summary. Run from the plugin root: test/run.sh
set -uo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
entry=bin/run.sh
n=0
failed=0

echo "TAP version 13"

# check NAME REQUEST JQ-ASSERTION: runs the entry and checks its stdout with jq -e.
check() {
  local name="$1" request="$2" assertion="$3" out
  n=$((n + 1))
  if out="$("$entry" <<<"$request" 2>/dev/null)" && jq -e "$assertion" <<<"$out" >/dev/null 2>&1; then
    echo "ok $n - $name"
  else
    echo "not ok $n - $name"
    echo "  # output: ${out:-<none>}"
    failed=$((failed + 1))
  fi
}

# check_error NAME REQUEST TYPE: the entry must exit non-zero with an error line of TYPE last on stderr.
check_error() {
  local name="$1" request="$2" type="$3" err
  n=$((n + 1))
  if err="$("$entry" <<<"$request" 2>&1 >/dev/null)"; then
    echo "not ok $n - $name"
    echo "  # exited 0"
    failed=$((failed + 1))
  elif tail -n 1 <<<"$err" | jq -e --arg type "$type" '.error.type == $type' >/dev/null 2>&1; then
    echo "ok $n - $name"
  else
    echo "not ok $n - $name"
    echo "  # stderr: $err"
    failed=$((failed + 1))
  fi
}

# execute TEXT [TOP]: builds an execute request around multi-line log text.
execute() {
  jq -cn --arg text "$1" --argjson top "${2:-5}" '{op: "execute", input: {text: $text, top: $top}}'
}

pino_logs="$(cat <<'LOGS'
{"level":30,"time":1718000000000,"pid":41,"msg":"server started"}
{"level":30,"time":1718000001000,"pid":41,"msg":"GET /orders 200"}
{"level":40,"time":1718000002000,"pid":41,"msg":"slow query"}
{"level":50,"time":1718000003000,"pid":41,"msg":"db timeout"}
{"level":30,"time":1718000004000,"pid":41,"msg":"GET /orders 200"}
LOGS
)"

mixed_logs="$(cat <<'LOGS'
{"level":"INFO","timestamp":"2024-06-10T06:00:00Z","message":"job queued"}
{"severity":"warning","timestamp":"2024-06-10T06:00:05Z","message":"retrying"}
Traceback (most recent call last):
  File "worker.py", line 12, in run
{"lvl":"err","timestamp":"2024-06-10T06:00:09Z","message":"job failed"}
{"level":"critical","timestamp":"2024-06-10T06:00:10Z","message":"worker exited"}
LOGS
)"

check "counts pino numeric levels" "$(execute "$pino_logs")" \
  '.levels == {"info": 3, "warn": 1, "error": 1} and .parsed == 5 and .invalid == 0'
check "computes the error rate" "$(execute "$pino_logs")" '.errorRate == 0.2'
check "ranks the most frequent messages first" "$(execute "$pino_logs" 2)" \
  '.topMessages == [{"message": "GET /orders 200", "count": 2}, {"message": "db timeout", "count": 1}]'
check "converts epoch milliseconds to ISO timestamps" "$(execute "$pino_logs")" \
  '.firstAt == "2024-06-10T06:13:20Z" and .lastAt == "2024-06-10T06:13:24Z"'
check "normalises level names from other loggers" "$(execute "$mixed_logs")" \
  '.levels == {"info": 1, "warn": 1, "error": 1, "fatal": 1}'
check "counts non-JSON lines as invalid" "$(execute "$mixed_logs")" '.total == 6 and .invalid == 2 and .errorRate == 0.5'
check "handles CRLF and blank lines" "$(execute $'{"level":"info","msg":"a"}\r\n\r\n{"level":"info","msg":"a"}\r\n')" \
  '.total == 2 and .topMessages == [{"message": "a", "count": 2}]'
check "summarises empty input without dividing by zero" "$(execute "")" \
  '. == {"total": 0, "parsed": 0, "invalid": 0, "levels": {}, "errorRate": 0, "topMessages": [], "firstAt": null, "lastAt": null}'
check "help returns a string" '{"op":"help"}' 'type == "string" and test("log-summary")'
check "validate reports the jq version" '{"op":"validate"}' '.ok == true and (.jq | startswith("jq-"))'
check_error "rejects a request that is not JSON" 'not json' ProtocolError
check_error "rejects an unknown op" '{"op":"explode"}' ProtocolError
check_error "rejects input without text" '{"op":"execute","input":{"top":3}}' InputError

echo "1..$n"
if [ "$failed" -gt 0 ]; then
  echo "# $failed of $n tests failed"
  exit 1
fi
