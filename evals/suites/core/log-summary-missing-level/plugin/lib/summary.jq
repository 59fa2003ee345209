# Summarises JSON-lines log text (pino, bunyan, structlog, zap, ...).
# Input: the protocol request {"op": "execute", "input": {"text": ..., "top": ...}}.

# pino writes numeric levels; everyone else writes names in assorted spellings.
def pino_levels: {"10": "trace", "20": "debug", "30": "info", "40": "warn", "50": "error", "60": "fatal"};
def synonyms: {"warning": "warn", "err": "error", "critical": "fatal", "crit": "fatal", "panic": "fatal", "dbg": "debug"};

def level_name:
  (.level // .severity // .lvl) as $raw
  | if ($raw | type) == "number" then pino_levels[$raw | tostring] // "unknown"
    else ($raw | ascii_downcase) as $name | synonyms[$name] // $name
    end;

def message: (.msg // .message // "") | tostring;

# ISO strings pass through unchanged; epoch milliseconds (pino) become ISO seconds.
def timestamp:
  (.time // .timestamp // .ts) as $t
  | if ($t | type) == "number" then ($t / 1000 | floor | todate)
    elif ($t | type) == "string" then $t
    else null
    end;

.input as $in
| ($in.top // 5) as $top
| [$in.text | split("\n")[] | rtrimstr("\r") | select(test("\\S"))] as $lines
# A stack trace printed by a crashing process, or a truncated last line, is not
# JSON: count it as invalid instead of failing the whole summary.
| [$lines[] | try fromjson catch null | select(type == "object")] as $entries
| [$entries[] | {level: level_name, message: message, at: timestamp}] as $rows
| ($rows | length) as $parsed
| ([$rows[] | select(.level == "error" or .level == "fatal")] | length) as $errors
| [$rows[].at | select(. != null)] as $times
| {
    total: ($lines | length),
    parsed: $parsed,
    invalid: (($lines | length) - $parsed),
    levels: (reduce $rows[] as $r ({}; .[$r.level] += 1)),
    errorRate: (if $parsed == 0 then 0 else ($errors / $parsed * 10000 | round) / 10000 end),
    topMessages: (
      [$rows[] | select(.message != "")]
      | group_by(.message)
      | map({message: .[0].message, count: length})
      | sort_by(-.count, .message)
      | .[:$top]
    ),
    firstAt: ($times | min),
    lastAt: ($times | max)
  }
