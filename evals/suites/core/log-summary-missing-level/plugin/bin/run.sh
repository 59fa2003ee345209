#!/usr/bin/env bash
# log-summary entry point. Speaks the plugin process protocol: one JSON request on
# stdin, one JSON value on stdout. The summary itself lives in lib/summary.jq.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
program="$root/lib/summary.jq"

# Failures end with one JSON line on stderr so the host can show type and message.
fail() {
  jq -cn --arg type "$1" --arg message "$2" '{error: {type: $type, message: $message, stack: ""}}' >&2
  exit "${3:-1}"
}

request="$(cat)"
if ! op="$(jq -r '.op // empty' <<<"$request" 2>/dev/null)"; then
  fail ProtocolError "request is not valid JSON"
fi

case "$op" in
  help)
    jq -n '"log-summary: summarise JSON-lines logs.\ninput:  {\"text\": \"<one JSON object per line>\", \"top\": 5}\noutput: {total, parsed, invalid, levels, errorRate, topMessages, firstAt, lastAt}"'
    ;;
  validate)
    # Running the program once catches a broken deploy or an old jq before the first real request.
    if ! jq -c -f "$program" <<<'{"input": {"text": ""}}' >/dev/null; then
      fail ValidationError "lib/summary.jq does not run on this jq ($(jq --version))"
    fi
    jq -cn --arg jq "$(jq --version)" '{ok: true, jq: $jq}'
    ;;
  execute)
    if ! jq -e '.input.text | type == "string"' <<<"$request" >/dev/null; then
      fail InputError 'input.text must be a string'
    fi
    errors="$(mktemp)"
    trap 'rm -f "$errors"' EXIT
    if ! jq -c -f "$program" <<<"$request" 2>"$errors"; then
      fail JqError "$(tail -n 1 "$errors")"
    fi
    ;;
  *)
    fail ProtocolError "unknown op \"$op\""
    ;;
esac
