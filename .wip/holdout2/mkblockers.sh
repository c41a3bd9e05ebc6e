#!/usr/bin/env bash
# BLOCKERS.md = BLOCKERS.head.md (judgements, hand-written) + classify.py's tables
H=$(cd "$(dirname "$0")" && pwd); cd "$H" || exit 1
{ cat BLOCKERS.head.md; python3 classify.py mend-v.log "${1:-}"; } >BLOCKERS.md
