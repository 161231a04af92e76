"""Which header of a file is which canonical column: mapping, preset, exact name, built-in alias.

Headers are compared case-insensitively after trimming (a UTF-8 BOM is gone by then). For each
canonical column the first rule that finds a header wins:

1. ``mapping``: ``[kind.columns]`` in csm.toml or ``--map canonical=Header``, always;
2. ``preset``: the preset's headers for that column, first match wins (``--preset stripe``);
3. ``exact``: a header that *is* the canonical name (``customer_id``, ``Customer_ID``);
4. ``alias``: one of the column's built-in aliases (``schemas.Column.aliases``), only without a
   preset; two headers that are both aliases of one column are an error, never a guess.

A header is used for one column at most; every header not used for a canonical column stays in
the frame as an attribute (for segments).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, BinaryIO, Literal

from csmetrics.errors import ConfigError, DataError, UsageError
from csmetrics.io.source import ROW, RawTable, ReadOptions, read_raw
from csmetrics.schemas import SCHEMAS, Schema

if TYPE_CHECKING:
    from csmetrics.io.presets import Preset

How = Literal["exact", "alias", "mapping", "preset", "unused"]


@dataclass(frozen=True)
class Matching:
    """How the headers of one file were matched.

    ``matched``: canonical column → header; ``fields``: a preset's own field (``status``,
    ``quantity``, …) → header; ``fills``: canonical column → further headers that fill its empty
    cells, row by row (Freshdesk ``Closed time`` after ``Resolved time``); ``how`` and ``target``:
    per header, how it was matched and to which name.
    """

    headers: tuple[str, ...]
    matched: dict[str, str] = field(default_factory=dict)
    fields: dict[str, str] = field(default_factory=dict)
    fills: dict[str, tuple[str, ...]] = field(default_factory=dict)
    how: dict[str, How] = field(default_factory=dict)
    target: dict[str, str] = field(default_factory=dict)

    def header(self, name: str) -> str | None:
        """The header read as canonical column or preset field ``name``, if any."""
        return self.matched.get(name) or self.fields.get(name)

    def _take(
        self, name: str, header: str, how: How, *, fill: bool = False, preset_field: bool = False
    ) -> None:
        if preset_field:
            self.fields[name] = header
        elif fill:
            self.fills[name] = (*self.fills.get(name, ()), header)
        else:
            self.matched[name] = header
        self.how[header] = how
        self.target[header] = name


def _list(names: list[str] | tuple[str, ...], limit: int = 12) -> str:
    shown = ", ".join(names[:limit])
    return shown + (f", … ({len(names)} in all)" if len(names) > limit else "")


def match_columns(
    table: RawTable, schema: Schema, mapping: dict[str, str], preset: Preset | None = None
) -> Matching:
    """Match the headers of ``table`` to the canonical columns of ``schema`` (rules above)."""
    headers = tuple(name for name in table.frame.columns if name != ROW)
    folded = {name.casefold(): name for name in headers}
    result = Matching(headers)

    def free(name: str) -> str | None:
        header = folded.get(name.strip().casefold())
        return header if header is not None and header not in result.how else None

    for canonical, header in mapping.items():
        if canonical not in schema.names:
            raise ConfigError(
                f"[{schema.name}.columns] maps '{canonical}', which is not a {schema.name} column "
                f"(use one of {', '.join(schema.names)})"
            )
        if header in [mapping[other] for other in mapping if other != canonical]:
            raise ConfigError(f"[{schema.name}.columns] maps '{header}' to more than one column")
        found = folded.get(header.strip().casefold())
        if found is None:
            raise DataError(
                table.path,
                f"has no column '{header}' (mapped to {canonical}); the header has: {_list(headers)}",
                line=table.header_line,
            )
        result._take(canonical, found, "mapping")
    if preset is not None:
        for canonical in schema.names:
            if canonical in result.matched:
                continue
            hits = list(dict.fromkeys(h for alias in preset.aliases.get(canonical, ()) if (h := free(alias))))
            if hits:
                result._take(canonical, hits[0], "preset")
                if canonical in preset.coalesce:
                    for extra in hits[1:]:
                        result._take(canonical, extra, "preset", fill=True)
    for canonical in schema.names:
        if canonical not in result.matched and (exact := free(canonical)) is not None:
            result._take(canonical, exact, "exact")
    if preset is None:
        for column in schema.columns:
            if column.name in result.matched:
                continue
            candidates = [h for h in headers if h not in result.how and h.casefold() in column.aliases]
            if len(candidates) > 1:
                names = " and ".join(f"'{h}'" for h in candidates)
                raise DataError(
                    table.path,
                    f"has columns {names} that could each be {column.name}: choose one with "
                    f'--map {column.name}="…" or [{schema.name}.columns] in csm.toml',
                    line=table.header_line,
                )
            if candidates:
                result._take(column.name, candidates[0], "alias")
    else:
        for preset_field in preset.fields:
            own = next((h for alias in preset_field.headers if (h := free(alias))), None)
            if own is not None:
                result._take(preset_field.name, own, "preset", preset_field=True)
    return result


@dataclass(frozen=True)
class ColumnMatch:
    """One header of a file: the canonical column (or preset field) it feeds, how, and a sample."""

    header: str
    canonical: str | None
    how: How
    sample: str | None


@dataclass(frozen=True)
class ColumnReport:
    """What ``csm columns FILE`` shows: every header in file order, and what is still missing."""

    kind: str
    path: str
    preset: str | None
    columns: tuple[ColumnMatch, ...]
    missing: tuple[str, ...]


def missing_columns(schema: Schema, matching: Matching, preset: Preset | None) -> tuple[str, ...]:
    """The required canonical columns (and preset fields) no header feeds."""
    optional = preset.optional if preset is not None else frozenset()
    missing = [name for name in schema.required if name not in matching.matched and name not in optional]
    priced = "mrr" in matching.matched or {"amount", "billing_period"} <= set(matching.matched)
    if schema.name == "subscriptions" and not priced:
        missing.append("mrr (or amount + billing_period)")
    if preset is not None:
        missing += [f.name for f in preset.fields if f.required and f.name not in matching.fields]
    return tuple(missing)


def describe_columns(kind: str, options: ReadOptions, tz: str, stdin: BinaryIO | None = None) -> ColumnReport:
    """How each header of the file would be read as ``kind``, without validating any value.

    Raises DataError when the file cannot be read or a mapping names a header it does not have,
    and UsageError for an unknown preset; ``tz`` is accepted for symmetry with the readers.
    """
    from csmetrics.io.presets import attribute_renames, get_preset

    schema = _schema(kind)
    preset = get_preset(options.preset, kind)
    table = read_raw(options, stdin)
    matching = match_columns(table, schema, options.columns, preset)
    frame = table.frame
    renames = attribute_renames(preset, matching.headers, matching)
    columns = []
    for header in matching.headers:
        values = frame[header].drop_nulls()
        sample = str(values[0]) if len(values) else None
        canonical = matching.target.get(header) or renames.get(header)
        how = "preset" if header in renames else matching.how.get(header, "unused")
        columns.append(ColumnMatch(header, canonical, how, sample))
    name = preset.name if preset is not None else None
    return ColumnReport(kind, table.path, name, tuple(columns), missing_columns(schema, matching, preset))


def _schema(kind: str) -> Schema:
    if kind not in SCHEMAS:
        raise UsageError(f"unknown input kind '{kind}' (use {', '.join(SCHEMAS)})")
    return SCHEMAS[kind]


def parse_map_option(values: list[str], kind: str | None = None) -> dict[str, str]:
    """``--map canonical=Header`` values as a mapping; with ``kind``, canonical names are checked.

    Only the first ``=`` splits, so a header may hold one (``--map mrr="MRR = net"``).
    """
    mapping: dict[str, str] = {}
    for value in values:
        canonical, equals, header = value.partition("=")
        canonical, header = canonical.strip(), header.strip()
        if not equals or not canonical or not header:
            raise UsageError(
                f"--map expects canonical=Header (e.g. --map customer_id=\"Customer ID\"), got '{value}'"
            )
        if kind is not None and canonical not in _schema(kind).names:
            names = ", ".join(_schema(kind).names)
            raise UsageError(f"--map {canonical}=…: not a {kind} column (use one of {names})")
        if canonical in mapping and mapping[canonical] != header:
            raise UsageError(f"--map names {canonical} twice ('{mapping[canonical]}' and '{header}')")
        mapping[canonical] = header
    headers = [header.casefold() for header in mapping.values()]
    for header in mapping.values():
        if headers.count(header.casefold()) > 1:
            raise UsageError(f"--map gives the header '{header}' to more than one column")
    return mapping
