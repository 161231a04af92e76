#!/usr/bin/env bash
# Monthly customer-success report for cron: last month's churn, NRR and MRR bridge as JSON files
# and one readable table, written atomically into REPORT_DIR.
#
# crontab line (08:00 on the 1st of every month):
#   0 8 1 * * CSM_SUBSCRIPTIONS=/data/exports/subscriptions.csv /opt/csm/examples/cron/monthly-report.sh
#
# Try it on the demo data: CSM_DEMO=1 examples/cron/monthly-report.sh
set -euo pipefail

REPORT_DIR=${REPORT_DIR:-reports}
read -r -a csm <<< "${CSM:-csm}"
source_flags=()
if [[ -n "${CSM_DEMO:-}" ]]; then
  source_flags=(--demo)
fi
mkdir -p "$REPORT_DIR"
stamp=$(date +%Y-%m-%d)

for command in churn nrr mrr; do
  "${csm[@]}" "$command" "${source_flags[@]}" --period last-month --format json \
    --output "$REPORT_DIR/$command-$stamp.json"
done
"${csm[@]}" churn "${source_flags[@]}" --period last-month --list --output "$REPORT_DIR/churn-$stamp.txt"
echo "csm: reports written to $REPORT_DIR" >&2
