"""Which metric names exist and which input each one is computed from (for ``csm check``).

Kept free of polars so that naming the metrics costs nothing.
"""

from __future__ import annotations

REVENUE = (
    "customers_start",
    "customers_end",
    "new_customers",
    "reactivated_customers",
    "churned_customers",
    "expanded_customers",
    "contracted_customers",
    "mrr_start",
    "mrr_end",
    "new_mrr",
    "reactivation_mrr",
    "expansion_mrr",
    "contraction_mrr",
    "churned_mrr",
    "net_new_mrr",
    "logo_churn_rate",
    "revenue_churn_rate",
    "gross_mrr_churn_rate",
    "net_mrr_churn_rate",
    "nrr",
    "grr",
    "expansion_rate",
    "expansion_share_of_new_mrr",
    "quick_ratio",
    "arpa",
)
SUPPORT = (
    "tickets",
    "solved_tickets",
    "unanswered_tickets",
    "resolution_rate",
    "replies_per_solved_ticket",
    "one_touch_rate",
    "first_response_seconds_median",
    "first_response_seconds_mean",
    "first_response_seconds_p90",
    "resolution_seconds_median",
    "resolution_seconds_mean",
    "resolution_seconds_p90",
    "csat_responses",
    "csat_score",
    "csat_average",
)
NPS = ("responses", "promoters", "passives", "detractors", "nps", "margin_of_error_95")

FAMILIES: dict[str, tuple[str, ...]] = {"revenue": REVENUE, "support": SUPPORT, "nps": NPS}
INPUT_OF = {"revenue": "subscriptions", "support": "tickets", "nps": "surveys"}


def family_of(metric: str) -> str:
    """The family (revenue, support, nps) that computes ``metric``; KeyError if none does."""
    for family, names in FAMILIES.items():
        if metric in names:
            return family
    raise KeyError(metric)


def all_metrics() -> frozenset[str]:
    """Every metric name a check can use."""
    return frozenset(name for names in FAMILIES.values() for name in names)
