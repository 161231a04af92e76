"""Presets: vendor exports read as they are (../shared/FORMATS.md; docs/_section_inputs.md).

A preset is a list of header aliases per canonical column (first match wins), a few fields the
canonical schema does not have (``status``, ``quantity``, ``trial_end``, …), the unit of money, the
zone of naive times, label maps, and two hooks: ``prepare`` works on the text cells before
parsing (status maps, dropped rows, sentinel values), ``finish`` on the parsed frame (trial start).
Every row a preset leaves out, and every value it reads as empty, is counted in a note.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import polars as pl

from csmetrics.errors import DataError, UsageError
from csmetrics.io.columns import Matching
from csmetrics.io.problems import Problems
from csmetrics.io.source import ROW, RawTable
from csmetrics.schemas import Kind

PRESET_NAMES = (
    "stripe",
    "chargebee",
    "baremetrics",
    "zendesk",
    "freshdesk",
    "delighted",
    "typeform",
    "hubspot",
    "salesforce",
)


@dataclass(frozen=True)
class Field:
    """A column a preset reads for its own rules; it never reaches the canonical frame."""

    name: str
    kind: Kind
    headers: tuple[str, ...]
    required: bool = False


@dataclass
class Context:
    """What the hooks of one preset see and change while one file is read."""

    preset: Preset
    table: RawTable
    frame: pl.DataFrame
    matching: Matching
    problems: Problems
    notes: list[str]

    def header(self, name: str) -> str | None:
        """The header of canonical column or preset field ``name``."""
        return self.matching.header(name)

    def set_null(self, header: str, mask: pl.Series) -> None:
        """Empty the cells of ``header`` where ``mask`` holds."""
        column = pl.when(pl.lit(mask)).then(None).otherwise(pl.col(header)).alias(header)
        self.frame = self.frame.with_columns(column)

    def line(self, row: int) -> int:
        """The file line of data row ``row``."""
        return self.table.line_of(row)


Hook = Callable[[Context], None]
Finish = Callable[[Context, pl.DataFrame], pl.DataFrame]


@dataclass(frozen=True)
class Preset:
    """How one vendor's export maps onto a canonical input kind."""

    name: str
    kind: str
    vendor: str
    aliases: Mapping[str, tuple[str, ...]]
    fields: tuple[Field, ...] = ()
    coalesce: frozenset[str] = frozenset()
    optional: frozenset[str] = frozenset()
    money_unit: str = "major"
    source_tz: str | None = None
    business_durations: bool = False
    plain_minutes: float = 1.0
    csat_labels: Mapping[str, int | None] = field(default_factory=dict)
    types: Mapping[str, str] = field(default_factory=dict)
    prepare: Hook | None = None
    finish: Finish | None = None
    notes: tuple[str, ...] = ()
    missing_hint: Callable[[RawTable, Matching, str], str] | None = None
    attribute_names: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    """csm attribute name → the vendor headers given that name (CRM exports: ``industry``, …)."""


def _plural(count: int, one: str, many: str | None = None) -> str:
    return f"{count} {one if count == 1 else (many or one + 's')}"


def _folded(series: pl.Series) -> pl.Series:
    """Status-like text compared loosely: lower case, spaces and dashes as underscores."""
    return series.str.strip_chars().str.to_lowercase().str.replace_all(r"[\s-]+", "_")


# --------------------------------------------------------------------------------------------
# subscriptions: status maps, trials, snapshots


@dataclass(frozen=True)
class Statuses:
    """A vendor's subscription statuses sorted into running, ended and never started."""

    running: frozenset[str]
    ended: frozenset[str]
    never: frozenset[str]
    end_only_when_ended: bool = False
    """Chargebee: ``cancelled_at`` is a *scheduled* date unless the status is Cancelled."""
    counted_running: frozenset[str] = frozenset()
    """Running statuses worth a note (Chargebee ``Paused``: no billing, but no end either)."""

    @property
    def known(self) -> frozenset[str]:
        return self.running | self.ended | self.never


def _apply_statuses(ctx: Context, statuses: Statuses) -> None:
    """Check every status, leave out never-started rows (counted) and require an end for ended ones."""
    vendor = ctx.preset.vendor
    header = ctx.header("status")
    if header is None:
        raise DataError(
            ctx.table.path,
            f"has no status column: the {ctx.preset.name} preset needs {vendor}'s status to tell "
            "running, ended and never-started subscriptions apart",
            line=ctx.table.header_line,
        )
    frame = ctx.frame
    status = _folded(frame[header])
    expected = ", ".join(sorted(statuses.known))
    unknown = status.is_not_null() & ~status.is_in(sorted(statuses.known))
    ctx.problems.add(frame, unknown, header, f"is not a {vendor} subscription status ({expected})", "status")
    ctx.problems.add(frame, status.is_null(), header, "is empty: every row needs a status", "empty")
    never = status.is_in(sorted(statuses.never))
    if bool(never.any()):
        counts = frame.filter(never)[header].value_counts(sort=True)
        detail = ", ".join(f"{row[header]}: {row['count']}" for row in counts.iter_rows(named=True))
        ctx.notes.append(
            f"{_plural(int(never.sum()), 'subscription')} never started and "
            f"{'was' if int(never.sum()) == 1 else 'were'} left out (status {detail})"
        )
    for name in sorted(statuses.counted_running):
        count = int((status == name).sum())
        if count:
            ctx.notes.append(
                f"{_plural(count, 'paused subscription')} {'is' if count == 1 else 'are'} counted as "
                f"running: {vendor}'s export does not say when billing paused"
            )
    keep = ~never
    ctx.frame = frame.filter(keep)
    status = status.filter(keep)
    ended = status.is_in(sorted(statuses.ended))
    end_header = ctx.header("ended_at")
    if end_header is not None and statuses.end_only_when_ended:
        ctx.set_null(end_header, ~ended)
    if not bool(ended.any()):
        return
    if end_header is None:
        first = int(ctx.frame.filter(ended)[ROW][0])
        raise DataError(
            ctx.table.path,
            f"has ended subscriptions (line {ctx.line(first)}) but no end date column: export "
            f"{ctx.preset.aliases['ended_at'][0]!r} too, or map ended_at",
            line=ctx.table.header_line,
        )
    ctx.problems.add(
        ctx.frame,
        ended & ctx.frame[end_header].is_null(),
        end_header,
        "is empty but the status says the subscription ended: an ended subscription needs its end date",
        "empty",
    )


def _trial_start(ctx: Context, frame: pl.DataFrame) -> pl.DataFrame:
    """MRR starts when a trial ends (trials pay nothing), never after the subscription ended."""
    if "__trial_end" not in frame.columns:
        return frame
    start, trial, end = pl.col("started_at"), pl.col("__trial_end"), pl.col("ended_at")
    later = (trial > start) & (end.is_null() | (end >= start))
    shifted = frame.select(later.fill_null(False).alias("x"))["x"]
    count = int(shifted.sum())
    if not count:
        return frame
    header = ctx.header("trial_end")
    ctx.notes.append(
        f"{_plural(count, 'subscription')} had a trial: MRR starts at {header!r}, not at the start "
        "date (trials pay nothing)"
    )
    new_start = pl.when(later.fill_null(False)).then(pl.min_horizontal(trial, pl.coalesce(end, trial)))
    return frame.with_columns(new_start.otherwise(start).alias("started_at"))


_SNAPSHOT = (
    "expansion and contraction history is not in a {vendor} subscriptions export (one row per "
    "subscription, current plan only): only new, churned and reactivated MRR are shown, and "
    "expansion/contraction only where a customer adds or ends a whole subscription"
)

_STRIPE_STATUSES = Statuses(
    running=frozenset({"active", "trialing", "past_due", "unpaid"}),
    ended=frozenset({"canceled", "cancelled"}),
    never=frozenset({"incomplete", "incomplete_expired", "paused"}),
)


def _stripe_prepare(ctx: Context) -> None:
    _apply_statuses(ctx, _STRIPE_STATUSES)


def _subscription_finish(ctx: Context, frame: pl.DataFrame) -> pl.DataFrame:
    return _trial_start(ctx, frame)


STRIPE = Preset(
    name="stripe",
    kind="subscriptions",
    vendor="Stripe",
    aliases={
        "subscription_id": ("id", "Subscription ID"),
        "customer_id": ("Customer ID", "Customer Email"),
        "plan": ("Plan", "Product", "Price ID", "Plan price ID", "Plan ID"),
        "amount": ("Amount",),
        "billing_period": ("Interval",),
        "currency": ("Currency",),
        "started_at": ("Start Date (UTC)", "Start (UTC)", "Created (UTC)"),
        "ended_at": ("Ended At (UTC)",),
        "cancel_reason": ("Cancellation Feedback", "Cancellation Reason"),
    },
    fields=(
        Field("status", Kind.TEXT, ("Status",), required=True),
        Field("quantity", Kind.DECIMAL, ("Quantity",)),
        Field("interval_count", Kind.INTEGER, ("Interval Count",)),
        Field("trial_end", Kind.DAY, ("Trial End (UTC)",)),
    ),
    coalesce=frozenset({"cancel_reason"}),
    optional=frozenset({"ended_at"}),
    source_tz="UTC",
    prepare=_stripe_prepare,
    finish=_subscription_finish,
    notes=(_SNAPSHOT.format(vendor="Stripe"),),
)

_CHARGEBEE_STATUSES = Statuses(
    running=frozenset({"active", "in_trial", "non_renewing", "paused"}),
    ended=frozenset({"cancelled", "canceled"}),
    never=frozenset({"future"}),
    end_only_when_ended=True,
    counted_running=frozenset({"paused"}),
)


def _chargebee_period_hint(table: RawTable, matching: Matching, name: str) -> str:
    """Chargebee leaves the billing period out of an export unless its columns are chosen."""
    if name != "billing_period":
        return ""
    return (
        "; a Chargebee export has the billing period only when the columns "
        "subscriptions.billing_period and subscriptions.billing_period_unit are selected in Export data"
    )


def _chargebee_prepare(ctx: Context) -> None:
    _apply_statuses(ctx, _CHARGEBEE_STATUSES)
    amount = ctx.header("amount")
    if amount is not None and amount.casefold().endswith("plan_amount") and "quantity" in ctx.matching.fields:
        # plan_amount is already unit price × quantity: the quantity stays an attribute only
        header = ctx.matching.fields.pop("quantity")
        ctx.matching.how.pop(header, None)
        ctx.matching.target.pop(header, None)


CHARGEBEE = Preset(
    name="chargebee",
    kind="subscriptions",
    vendor="Chargebee",
    aliases={
        "subscription_id": ("subscriptions.id", "subscription[id]"),
        "customer_id": ("customers.id", "subscriptions.customer_id", "customer[id]"),
        "plan": ("subscriptions.plan_id", "subscription[plan_id]", "subscription_items[item_price_id][0]"),
        "amount": (
            "subscriptions.plan_amount",
            "subscriptions.plan_unit_price",
            "subscriptions.plan_unit_price_in_decimal",
            "subscription[plan_unit_price]",
        ),
        "billing_period": ("subscriptions.billing_period_unit", "subscription[billing_period_unit]"),
        "currency": ("subscriptions.currency_code", "currency", "subscription[currency_code]"),
        "started_at": (
            "subscriptions.started_at",
            "subscriptions.start_date",
            "subscriptions.created_at",
            "subscription[started_at]",
            "subscription[start_date]",
        ),
        "ended_at": ("subscriptions.cancelled_at", "subscription[cancelled_at]"),
        "cancel_reason": ("subscriptions.cancel_reason", "subscriptions.cancel_reason_code"),
    },
    fields=(
        Field("status", Kind.TEXT, ("subscriptions.status", "subscription[status]"), required=True),
        Field(
            "quantity",
            Kind.DECIMAL,
            (
                "subscriptions.plan_quantity",
                "subscriptions.plan_quantity_in_decimal",
                "subscription[plan_quantity]",
            ),
        ),
        Field(
            "interval_count", Kind.INTEGER, ("subscriptions.billing_period", "subscription[billing_period]")
        ),
        Field("trial_end", Kind.DAY, ("subscriptions.trial_end", "subscription[trial_end]")),
    ),
    optional=frozenset({"ended_at"}),
    prepare=_chargebee_prepare,
    missing_hint=_chargebee_period_hint,
    finish=_subscription_finish,
    notes=(_SNAPSHOT.format(vendor="Chargebee"),),
)

BAREMETRICS = Preset(
    name="baremetrics",
    kind="subscriptions",
    vendor="Baremetrics",
    aliases={
        "subscription_id": ("subscription_oid",),
        "customer_id": ("customer_oid",),
        "plan": ("plan_name", "plan_oid"),
        "amount": ("plan_amount",),
        "billing_period": ("plan_interval",),
        "currency": ("plan_currency",),
        "started_at": ("subscription_started_at",),
        "ended_at": ("subscription_canceled_at",),
    },
    fields=(
        Field("quantity", Kind.DECIMAL, ("subscription_quantity",)),
        Field("interval_count", Kind.INTEGER, ("plan_interval_count",)),
    ),
    money_unit="cents",
)


# --------------------------------------------------------------------------------------------
# tickets: sentinels, labels, durations

_EXCEL_NUMBER = r"^\d(\.\d+)?[eE]\+?\d+$"


def _excel_rounded_ids(ctx: Context) -> None:
    """Long numeric ids that Excel turned into ``1.03006E+13`` cannot be told apart: an error."""
    for name in ("ticket_id", "customer_id"):
        header = ctx.header(name)
        if header is None:
            continue
        ctx.problems.add(
            ctx.frame,
            ctx.frame[header].str.contains(_EXCEL_NUMBER).fill_null(False),
            header,
            "is an id rounded by Excel (scientific notation): export the file again without "
            "opening it in Excel",
            "parse",
        )


def _zendesk_prepare(ctx: Context) -> None:
    _excel_rounded_ids(ctx)
    header = ctx.header("solved_at")
    if header is None:
        return
    sentinel = ctx.frame[header].str.starts_with("1900-01-01").fill_null(False)
    count = int(sentinel.sum())
    if count:
        ctx.set_null(header, sentinel)
        ctx.notes.append(
            f"{_plural(count, 'ticket')} with {header!r} = 1900-01-01 (Zendesk's empty date) "
            f"{'is' if count == 1 else 'are'} read as not solved"
        )


_TICKET_TYPES = {
    "question": "question",
    "incident": "bug",
    "problem": "bug",
    "task": "other",
    "feature_request": "feature_request",
}

ZENDESK = Preset(
    name="zendesk",
    kind="tickets",
    vendor="Zendesk",
    aliases={
        "ticket_id": ("Id", "Ticket ID"),
        "customer_id": ("Requester id", "Requester email", "Requester name"),
        "created_at": ("Created at", "Ticket created - Timestamp"),
        "solved_at": ("Solved at", "Ticket solved - Timestamp"),
        "status": ("Status", "Ticket status"),
        "replies": ("Replies",),
        "channel": ("Via", "Ticket channel"),
        "agent": ("Assignee", "Assignee name"),
        "csat": ("Satisfaction Score",),
        "type": ("Ticket type",),
        "first_response_minutes": (
            "First reply time in minutes",
            "First reply time in minutes within business hours",
            "First reply time (min)",
        ),
        "resolution_minutes": (
            "Full resolution time in minutes",
            "Full resolution time in minutes within business hours",
        ),
    },
    csat_labels={
        "good": 5,
        "good with comment": 5,
        "bad": 1,
        "bad with comment": 1,
        "offered": None,
        "not offered": None,
        "unoffered": None,
    },
    types=_TICKET_TYPES,
    prepare=_zendesk_prepare,
)

_ZERO_CLOCK = r"^0+:00(:00)?$"


def _freshdesk_prepare(ctx: Context) -> None:
    """``00:00:00`` is how Freshdesk writes a missing duration: empty unless a timestamp says otherwise."""
    for minutes, stamp in (
        ("first_response_minutes", "first_response_at"),
        ("resolution_minutes", "solved_at"),
    ):
        header = ctx.header(minutes)
        if header is None:
            continue
        zero = ctx.frame[header].str.contains(_ZERO_CLOCK).fill_null(False)
        stamps = [h for h in (ctx.header(stamp), *ctx.matching.fills.get(stamp, ())) if h is not None]
        if stamps:
            happened = ctx.frame.select(pl.any_horizontal(pl.col(h).is_not_null() for h in stamps))
            ctx.set_null(header, zero & ~happened.to_series())
            continue
        count = int(zero.sum())
        if count:
            ctx.set_null(header, zero)
            ctx.notes.append(
                f"{_plural(count, 'ticket')} with {header!r} = 00:00:00 {'is' if count == 1 else 'are'} "
                f"read as having no {stamp.removesuffix('_at').replace('_', ' ')}: the export has no "
                "timestamp column to tell that from an instant one"
            )


FRESHDESK = Preset(
    name="freshdesk",
    kind="tickets",
    vendor="Freshdesk",
    aliases={
        "ticket_id": ("Ticket ID",),
        "customer_id": ("Contact ID", "Email", "Company Name"),
        "created_at": ("Created time",),
        "first_response_at": ("Initial response time",),
        "solved_at": ("Resolved time", "Closed time"),
        "status": ("Status",),
        "replies": ("Agent interactions",),
        "channel": ("Source",),
        "agent": ("Agent",),
        "csat": ("Survey results", "Survey result"),
        "type": ("Type",),
        "first_response_minutes": ("First response time (in hrs)",),
        "resolution_minutes": ("Resolution time (in hrs)",),
    },
    coalesce=frozenset({"solved_at"}),
    business_durations=True,
    plain_minutes=60.0,
    csat_labels={"awesome": 5, "just okay": 3, "not good": 1},
    types=_TICKET_TYPES,
    prepare=_freshdesk_prepare,
)


# --------------------------------------------------------------------------------------------
# surveys


def _keep_only(ctx: Context, name: str, keep: str, what: str) -> None:
    """Leave out the rows whose preset field ``name`` is set to something else than ``keep``."""
    header = ctx.header(name)
    if header is None:
        return
    other = (_folded(ctx.frame[header]) != keep).fill_null(False)
    count = int(other.sum())
    if count:
        counts = ctx.frame.filter(other)[header].value_counts(sort=True)
        detail = ", ".join(f"{row[header]}: {row['count']}" for row in counts.iter_rows(named=True))
        ctx.notes.append(
            f"{_plural(count, 'response')} {'was' if count == 1 else 'were'} left out: "
            f"{header!r} is not '{keep}' ({detail}); {what}"
        )
        ctx.frame = ctx.frame.filter(~other)


def _delighted_prepare(ctx: Context) -> None:
    _keep_only(ctx, "survey_type", "nps", "only NPS answers count")
    header = ctx.header("responded_at")
    if header is None:
        return
    epoch = ctx.frame[header].str.contains(r"^\d{9,11}$").fill_null(False)
    if bool(epoch.any()):
        seconds = ctx.frame[header].cast(pl.Int64, strict=False)
        text = pl.from_epoch(seconds, time_unit="s").dt.strftime("%Y-%m-%dT%H:%M:%SZ")
        column = pl.when(pl.lit(epoch)).then(pl.lit(text)).otherwise(pl.col(header)).alias(header)
        ctx.frame = ctx.frame.with_columns(column)


DELIGHTED = Preset(
    name="delighted",
    kind="surveys",
    vendor="Delighted",
    aliases={
        "response_id": ("id", "Response ID"),
        "customer_id": ("person", "Person ID", "email", "Person Email"),
        "responded_at": ("created_at", "Response timestamp", "Created At", "Date"),
        "score": ("score",),
        "comment": ("comment",),
    },
    fields=(Field("survey_type", Kind.TEXT, ("survey_type", "Survey Type")),),
    prepare=_delighted_prepare,
)


def _typeform_prepare(ctx: Context) -> None:
    _keep_only(ctx, "response_type", "completed", "partial answers are not responses")


def _score_candidates(table: RawTable, matching: Matching, name: str) -> str:
    """Typeform names the score column after the question: point at the columns that could be it."""
    if name != "score":
        return ""
    candidates = []
    for header in matching.headers:
        if header in matching.how:
            continue
        values = table.frame[header].drop_nulls()
        if len(values) and bool(values.str.contains(r"^(10|\d)$").all()):
            candidates.append(f"'{header}'")
    hint = (
        "; Typeform names the score column after the NPS question: choose it with "
        '--map score="<question>" or score = "<question>" under [surveys.columns]'
    )
    if candidates:
        hint += f" (columns holding only 0–10: {', '.join(candidates[:5])})"
    return hint


TYPEFORM = Preset(
    name="typeform",
    kind="surveys",
    vendor="Typeform",
    aliases={
        "response_id": ("#", "Response ID"),
        "customer_id": ("customer_id", "user_id", "account_id", "email"),
        "responded_at": ("Submit Date (UTC)",),
    },
    fields=(Field("response_type", Kind.TEXT, ("Response Type",)),),
    source_tz="UTC",
    prepare=_typeform_prepare,
    missing_hint=_score_candidates,
)


# --------------------------------------------------------------------------------------------
# customers: CRM exports (HubSpot companies, Salesforce accounts)

_CRM_ATTRIBUTES: Mapping[str, tuple[str, ...]] = {
    "name": ("Company name", "Account Name", "Name"),
    "industry": ("Industry",),
    "company_size": ("Number of Employees", "Employees", "NumberOfEmployees"),
    "owner": ("Company owner", "Account Owner", "Owner.Name", "Owner Name"),
    "country": ("Country/Region", "Billing Country", "BillingCountry"),
    "lifecycle_stage": ("Lifecycle Stage",),
    "account_type": ("Type", "Account Type"),
}
"""CRM headers given csm's attribute names, so ``--by industry`` reads the same on every CRM."""


def attribute_renames(preset: Preset | None, headers: Sequence[str], matching: Matching) -> dict[str, str]:
    """Header → csm attribute name for a preset's ``attribute_names``: per name, the first header
    listed that the file has and no column uses; a file with a column of that exact name keeps it."""
    renames: dict[str, str] = {}
    if preset is None:
        return renames
    for target, wanted in preset.attribute_names.items():
        if target in headers:
            continue
        folded = [header.casefold() for header in wanted]
        found = [
            name
            for name in headers
            if name.casefold() in folded and name not in matching.how and name not in renames
        ]
        if found:
            renames[min(found, key=lambda name: folded.index(name.casefold()))] = target
    return renames


def _name_attributes(ctx: Context) -> None:
    """Give the CRM's attribute headers csm's names (``attribute_renames``)."""
    renames = attribute_renames(ctx.preset, ctx.frame.columns, ctx.matching)
    if renames:
        ctx.frame = ctx.frame.rename(renames)


HUBSPOT = Preset(
    name="hubspot",
    kind="customers",
    vendor="HubSpot",
    aliases={
        "customer_id": ("Record ID", "Company ID", "hs_object_id"),
        "registered_at": ("Create Date", "createdate"),
    },
    attribute_names=_CRM_ATTRIBUTES,
    prepare=_name_attributes,
)

SALESFORCE = Preset(
    name="salesforce",
    kind="customers",
    vendor="Salesforce",
    aliases={
        "customer_id": ("Account ID", "Id", "Account ID (18)", "Account ID (15)"),
        "registered_at": ("Created Date", "CreatedDate"),
    },
    attribute_names=_CRM_ATTRIBUTES,
    prepare=_name_attributes,
)

PRESETS: dict[str, Preset] = {
    preset.name: preset
    for preset in (
        STRIPE,
        CHARGEBEE,
        BAREMETRICS,
        ZENDESK,
        FRESHDESK,
        DELIGHTED,
        TYPEFORM,
        HUBSPOT,
        SALESFORCE,
    )
}
PRESET_KINDS: dict[str, str] = {name: preset.kind for name, preset in PRESETS.items()}


def get_preset(name: str | None, kind: str) -> Preset | None:
    """The preset called ``name`` for input ``kind`` (None without a name)."""
    if name is None:
        return None
    preset = PRESETS.get(name.strip().lower())
    if preset is None:
        raise UsageError(f"unknown preset '{name}' (use one of {', '.join(PRESETS)})")
    if preset.kind != kind:
        readable = ", ".join(p.name for p in PRESETS.values() if p.kind == kind)
        raise UsageError(
            f"the {preset.name} preset reads {preset.kind} exports, not {kind}"
            + (f" (for {kind}: {readable})" if readable else "")
        )
    return preset


# --------------------------------------------------------------------------------------------
# steps every file goes through when it has labels or types to map


def map_csat_labels(ctx: Context, labels: Mapping[str, int | None], vendor: str | None) -> None:
    """Satisfaction labels → 1–5 (or empty = not rated); numbers pass through; others are errors."""
    header = ctx.header("csat")
    if header is None or not labels:
        return
    folded = ctx.frame[header].str.strip_chars().str.to_lowercase()
    known = folded.is_in(list(labels))
    number = ctx.frame[header].str.contains(r"^\s*[+-]?\d+\s*$").fill_null(False)
    unknown = ctx.frame[header].is_not_null() & ~known & ~number
    shown = ", ".join(f"'{label}'" for label in list(labels)[:6])
    source = f"a {vendor} satisfaction label" if vendor else "a satisfaction label"
    ctx.problems.add(
        ctx.frame,
        unknown,
        header,
        f"is not {source} ({shown}) nor a number 1–5: add it to csat_labels in csm.toml",
        "parse",
    )
    mapping = {label: (str(value) if value is not None else None) for label, value in labels.items()}
    mapped = folded.replace_strict(mapping, default=None, return_dtype=pl.String)
    column = pl.when(pl.lit(known)).then(pl.lit(mapped)).when(pl.lit(number)).then(pl.col(header))
    ctx.frame = ctx.frame.with_columns(column.otherwise(None).alias(header))


def map_types(ctx: Context, types: Mapping[str, str]) -> None:
    """Vendor ticket types → csm's vocabulary; others in lower case with ``_`` for spaces."""
    header = ctx.header("type")
    if header is None or not types:
        return
    folded = _folded(ctx.frame[header])
    mapped = folded.replace(dict(types))
    ctx.frame = ctx.frame.with_columns(pl.lit(mapped).alias(header))


def missing_hint(preset: Preset | None, table: RawTable, matching: Matching, name: str) -> str:
    """More words for a missing required column, where the preset knows why it is missing."""
    if preset is None:
        return ""
    if preset.missing_hint is not None:
        return preset.missing_hint(table, matching, name)
    headers = preset.aliases.get(name, ())
    if not headers:
        return ""
    looked = ", ".join(f"'{header}'" for header in headers)
    return (
        f"; the {preset.name} preset looks for {looked}: map another header with "
        f'--map {name}="<header>" or [{preset.kind}.columns] in csm.toml'
    )
