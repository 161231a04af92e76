#!/usr/bin/env bash
# Monthly customer-success report for cron.
#   - keeps a history: one dated JSON per metric family (revenue, support, nps) for last month,
#     written atomically into $REPORT_DIR/history (rerunning a month replaces its files);
#   - prints NRR and the churned customers on stdout, which cron mails to MAILTO.
# Inputs come from CSM_SUBSCRIPTIONS, CSM_TICKETS and CSM_SURVEYS (or csm.toml); see crontab.
#
# Try it on the demo data: CSM_DEMO=1 examples/cron/monthly-report.sh
set -euo pipefail

REPORT_DIR=${REPORT_DIR:-reports}
read -r -a csm <<< "${CSM:-csm}"
source_flags=()
if [[ -n "${CSM_DEMO:-}" ]]; then
  source_flags=(--demo)
fi
mkdir -p "$REPORT_DIR/history"

"${csm[@]}" snapshot "${source_flags[@]}" --period last-month --output-dir "$REPORT_DIR/history" --quiet >&2
"${csm[@]}" nrr "${source_flags[@]}" --period last-month --quiet
"${csm[@]}" churn "${source_flags[@]}" --period last-month --list --quiet
