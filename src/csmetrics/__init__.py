"""csm: customer-success metrics (churn, NRR, expansion, NPS, support KPIs) from the exports you have."""

__version__ = "0.1.0"
