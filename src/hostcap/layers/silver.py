"""Silver: canonical, typed rows per source, and the rows that could not or should not be.

Every bronze row ends in exactly one place: silver, quarantine (it cannot say what it describes:
no ID, a malformed line, an unknown status; kept with its reason) or excluded (a documented rule in
the source config drops it; kept with the rule). A present but unreadable value does not
quarantine its row: it becomes null, its raw text is kept in `unparsed_values`, and the row is
flagged `unparsed_value`.
"""

from __future__ import annotations

from typing import Protocol

import ibis
import ibis.expr.datatypes as dt
import ibis.expr.types as ir

from hostcap.canonical import TECHNOLOGY_FIELDS, UNIT_FACTORS, Kind, canonical_unit, fields_of
from hostcap.config.source import SourceConfig
from hostcap.io.readers import PARSE_ERROR, ROW, match_headers
from hostcap.layers import parse
from hostcap.layers.bronze import FILE, FILE_HASH, RUN_ID, data_columns
from hostcap.layers.plans import OUTCOME, REASON

ROW_HASH = "_row_hash"

_SQL_TYPES = {
    Kind.ID: "string",
    Kind.TEXT: "string",
    Kind.CODE: "string",
    Kind.NUMBER: "float64",
    Kind.DATE: "date",
    Kind.YES_NO: "boolean",
}


def flag_list(flags: dict[str, ir.BooleanValue]) -> ir.StringValue:
    """`a,b` for the flags that hold; empty text when none does."""
    parts = [ibis.ifelse(cond.fill_null(False), name, ibis.null("string")) for name, cond in flags.items()]
    return ibis.literal(",").join(parts) if parts else ibis.literal("")


def row_hash(bronze: ir.Table, headers: list[str], engine_kind: str) -> ir.IntegerValue:
    """A 64-bit hash of a row's values of `headers` (the bronze data columns, in order by name; a
    missing value as the empty text), so identical rows hash alike across files: gold tells the
    rows of a repeated ID apart by it (`duplicate_conflict`).

    It is the engine's own hash function (DuckDB's `hash`, Spark's `xxhash64`) of the values as
    a struct: md5 over the values joined into one text took a fifth of a wide source's silver,
    and a number is cheaper to keep and to compare than 32 hex digits. The two engines' values
    differ, so a source's fingerprint names the engine (hostcap.refresh.plan_source): silver
    made by one engine is never compared with the other's."""
    row = ibis.struct({f"c{i}": bronze[c].fill_null("") for i, c in enumerate(sorted(headers))} or {"c0": ibis.literal("")})
    if engine_kind == "spark":  # Spark's `hash` is 32 bits
        xxhash64 = ibis.udf.scalar.builtin(lambda value: None, name="xxhash64", signature=((row.type(),), dt.int64))
        return xxhash64(row)
    return row.hash()


RAW_PREFIX = "raw__"
_TRIMMED = "_trimmed_"
#: a date as read in one configured format, before its year is checked (typed_stage)
_CANDIDATE = "_date_as_"


def mapped_fields(config: SourceConfig) -> dict[str, Kind]:
    """The canonical fields this source maps, with their kinds."""
    kinds = fields_of(config.dataset)
    return {field: kinds[field] for field in config.columns}


def trimmed_names(config: SourceConfig, headers: list[str]) -> dict[str, str]:
    """Each header a mapped field reads, and the name its trimmed text goes by in the clean stage."""
    used = dict.fromkeys(h for spec in config.columns.values() for h in match_headers(spec.headers, headers))
    return {h: f"{_TRIMMED}{i}" for i, h in enumerate(used)}


def trimmed_bronze(
    config: SourceConfig, bronze: ir.Table, trimmed_given: bool = False
) -> tuple[ir.Table, dict[str, str], list[str]]:
    """`bronze` with the trimmed text of each header a mapped field reads, the name each goes by
    (trimmed_names), and the bronze data columns.

    Each used header is trimmed once, in a projection of its own, so the null-token test refers
    to the trimmed text by name (parse.null_if_token). With `trimmed_given`, `bronze` already
    holds that text under `trimmed_names` (a compiled plan's input: hostcap.layers.plans.with_trimmed)."""
    headers = data_columns([c for c in bronze.columns if not (trimmed_given and c.startswith(_TRIMMED))])
    trimmed_as = trimmed_names(config, headers)
    trimmed = bronze if trimmed_given else bronze.mutate(**{name: parse.trim(bronze[h]) for h, name in trimmed_as.items()})
    return trimmed, trimmed_as, headers


def raw_text(
    config: SourceConfig, trimmed: ir.Table, trimmed_as: dict[str, str], headers: list[str], field: str
) -> ir.StringValue:
    """A mapped field's raw text: its header's trimmed text, null when a null token (of the first
    of its headers that has a value, where a union of files holds it under several)."""
    matched = match_headers(config.columns[field].headers, headers)
    cleaned = [parse.null_if_token(trimmed[trimmed_as[h]], config.null_tokens) for h in matched]
    return ibis.coalesce(*cleaned) if len(cleaned) > 1 else cleaned[0] if cleaned else ibis.null("string")


def clean_stage(
    config: SourceConfig, trimmed: ir.Table, trimmed_as: dict[str, str], headers: list[str], engine_kind: str
) -> ir.Table:
    """Stage 1: each mapped field's raw text (trimmed, null tokens removed), plus lineage, from
    `trimmed_bronze`'s table.

    Silver is built in three stages that the engine materializes in turn (clean → typed →
    classified): each stage refers to the previous one's columns, so no expression is inlined
    into another many times over (a date parser refers to its text a dozen times)."""
    raw = {RAW_PREFIX + field: raw_text(config, trimmed, trimmed_as, headers, field) for field in config.columns}
    return trimmed.select(FILE, ROW, FILE_HASH, RUN_ID, PARSE_ERROR, **raw, **{ROW_HASH: row_hash(trimmed, headers, engine_kind)})


def typed_stage(config: SourceConfig, cleaned: ir.Table) -> ir.Table:
    """Stage 2: every mapped field typed by its kind and converted to its canonical unit.

    A number is read, and a date read in each configured format, in one projection; the next
    checks them (a number's magnitude, a date's year) by the name of what was read. Checked
    where it is read, each reading would be written out twice in the SQL (once in the check,
    once as the value), which is more to plan than a small source costs to run."""
    read, checks, candidates = {}, {}, []
    for field, kind in mapped_fields(config).items():
        raw = cleaned[RAW_PREFIX + field]
        if kind is Kind.ID:
            read[field] = parse.normalize_id(raw)
        elif kind is Kind.CODE:
            read[field] = raw.upper()
        elif kind is Kind.NUMBER:
            target = canonical_unit(field)
            unit = config.columns[field].unit or target
            read[field] = parse.read_number(raw, UNIT_FACTORS[(unit, target)] if target else 1.0)
            checks[field] = lambda table, field=field: parse.within_magnitude(table[field])
        elif kind is Kind.DATE:
            names = [f"{_CANDIDATE}{i}_{field}" for i in range(len(config.date_formats))]
            read.update(zip(names, parse.date_candidates(raw, config.date_formats), strict=True))
            checks[field] = lambda table, names=names: parse.first_plausible([table[name] for name in names])
            candidates += names
        elif kind is Kind.YES_NO:
            read[field] = parse.parse_yes_no(raw)
        else:
            read[field] = raw
    was_read = cleaned.mutate(**read)
    return was_read.mutate(**{field: check(was_read) for field, check in checks.items()}).drop(*candidates)


class _Fields:
    """Typed and raw values of the canonical fields, read from the typed stage."""

    def __init__(self, config: SourceConfig, typed: ir.Table):
        self.config = config
        self.kinds = fields_of(config.dataset)
        self.table = typed

    def raw(self, field: str) -> ir.StringValue:
        return self.table[RAW_PREFIX + field]

    def typed(self, field: str) -> ir.Value:
        """The typed value, or a typed null when the source does not map the field."""
        if field in self.config.columns:
            return self.table[field]
        return ibis.null(_SQL_TYPES[self.kinds[field]])

    def _unparsed(self) -> dict[str, ir.BooleanValue]:
        """Per parsed field: whether its value is present but failed to parse."""
        return {
            f: self.raw(f).notnull() & self.typed(f).isnull()
            for f, kind in mapped_fields(self.config).items()
            if kind in (Kind.NUMBER, Kind.DATE, Kind.YES_NO)
        }

    def unparsed(self) -> ir.StringValue:
        """`field=raw text` for each present value that failed to parse, joined by `; `."""
        parts = [ibis.ifelse(failed, f"{f}=" + self.raw(f), ibis.null("string")) for f, failed in self._unparsed().items()]
        return ibis.literal("; ").join(parts) if parts else ibis.literal("")

    def any_unparsed(self) -> ir.BooleanValue:
        """Whether `unparsed` names any field: the tests alone, a fraction of the text that
        building the list and comparing it with the empty text would repeat."""
        failed = list(self._unparsed().values())
        return ibis.or_(*failed) if failed else ibis.literal(False)

    def is_transmission_feeder(self) -> ir.BooleanValue:
        feeder = self.typed("native_feeder_id")
        return feeder.notnull() & feeder.re_search(self.config.transmission.feeder_id_pattern)


def _quarantine_reason(checks: list[tuple[ir.BooleanValue, ir.StringValue | str]]) -> ir.StringValue:
    return ibis.cases(*checks, else_=ibis.null("string"))


def excluded_by(config: SourceConfig, trimmed: ir.Table, trimmed_as: dict[str, str], headers: list[str]) -> ir.StringValue:
    """The name of the first exclusion rule that drops the row, or null. The rules read a field's
    raw text, so a row is known to be excluded before any of it is cleaned or typed."""
    branches = []
    for rule in config.exclude:
        value = raw_text(config, trimmed, trimmed_as, headers, rule.field)
        if rule.is_missing:
            branches.append((value.isnull(), rule.rule))
        else:
            branches.append((value.upper().isin([v.strip().upper() for v in rule.equals_any or []]), rule.rule))
    return ibis.cases(*branches, else_=ibis.null("string"))


def as_excluded(rows: ir.Table, rule: ir.StringValue, schema: ibis.Schema) -> ir.Table:
    """Excluded rows in the shape of classified rows (`schema`): their lineage, outcome and
    rule, and nulls for the rest, which nothing reads of a row set aside (its values are kept
    as received: silver_plan.rejected_rows)."""
    kept = {FILE: rows[FILE], ROW: rows[ROW], OUTCOME: ibis.literal("excluded"), REASON: rule}
    return rows.select(**{name: kept[name] if name in kept else ibis.null(dtype) for name, dtype in schema.items()})


def classify(config: SourceConfig, typed: ir.Table) -> ir.Table:
    """Stage 3: the canonical columns plus `_outcome` (silver or quarantine) and `_reason`, for
    the rows no exclusion rule drops (build_classified sets those apart first)."""
    fields = _Fields(config, typed)
    builder = _network_columns if config.family == "network" else _der_columns
    columns, flags, id_field, extra_checks = builder(config, fields)
    unparsed = fields.unparsed()
    flags["unparsed_value"] = fields.any_unparsed()
    id_header = config.columns[id_field].name
    reason = _quarantine_reason(
        [
            (typed[PARSE_ERROR].notnull(), "malformed row: " + typed[PARSE_ERROR]),
            (fields.typed(id_field).isnull(), f"missing {id_field.replace('_', ' ')} (column {id_header!r})"),
            *extra_checks,
        ]
    )
    return typed.select(
        utility=ibis.literal(config.utility),
        **columns,
        unparsed_values=unparsed,
        quality_flags=flag_list(flags),
        source=ibis.literal(config.source_id),
        **{
            FILE: typed[FILE],
            ROW: typed[ROW],
            FILE_HASH: typed[FILE_HASH],
            RUN_ID: typed[RUN_ID],
            ROW_HASH: typed[ROW_HASH],
            OUTCOME: ibis.ifelse(reason.notnull(), "quarantine", "silver"),
            REASON: reason,
        },
    )


def _network_columns(config: SourceConfig, fields: _Fields):
    utility = config.utility
    feeder = fields.typed("native_feeder_id")
    segment = fields.typed("native_segment_id")
    is_segment = config.network.grain == "segment"
    columns = {
        "feeder_id": parse.md5_id(utility, feeder),
        "native_feeder_id": feeder,
        "segment_id": parse.md5_id(utility, feeder + "|" + segment) if is_segment else ibis.null("string"),
        "native_segment_id": segment,
        "is_segment": ibis.literal(is_segment),
    }
    for field in fields.kinds:
        if field not in ("native_feeder_id", "native_segment_id"):
            columns[field] = fields.typed(field)
    flags = {"transmission": fields.is_transmission_feeder()}
    return columns, flags, "native_feeder_id", []


def _der_columns(config: SourceConfig, fields: _Fields):
    options = config.der
    utility = config.utility
    techs = {f: fields.typed(f) for f in TECHNOLOGY_FIELDS}
    mapped_techs = [f for f in TECHNOLOGY_FIELDS if f in config.columns]
    breakdown_total = sum((techs[f].fill_null(0.0) for f in mapped_techs), ibis.literal(0.0))
    if options.nameplate == "sum_of_breakdown":
        nameplate = ibis.ifelse(ibis.or_(*[techs[f].notnull() for f in mapped_techs]), breakdown_total, ibis.null("float64"))
    else:
        nameplate = fields.typed("nameplate_kw")
    type_raw = fields.typed("der_type_raw")
    if options.status_map is not None:
        code = fields.typed("status_raw")
        status = code.cases(
            *[(key.strip().upper(), value) for key, value in options.status_map.items()], else_=ibis.null("string")
        )
        status_check = [
            (
                status.isnull(),
                "unknown status " + code.fill_null("(missing)") + f" (column {config.columns['status_raw'].name!r}; "
                f"expected one of {', '.join(options.status_map)})",
            )
        ]
    else:
        status = ibis.literal(options.status)
        status_check = []
    feeder = fields.typed("native_feeder_id")
    transmission = fields.is_transmission_feeder() if "native_feeder_id" in config.columns else ibis.literal(False)
    transmission = transmission | type_raw.upper().isin([t.upper() for t in config.transmission.der_types])
    storage = techs["storage_kw"].fill_null(0.0)
    tolerance = ibis.greatest(nameplate.abs() * 0.01, 1.0)
    mismatch = (
        (breakdown_total > 0)
        & ((nameplate - breakdown_total).abs() > tolerance)
        & ((nameplate - (breakdown_total - storage)).abs() > tolerance)
        if options.nameplate == "column" and mapped_techs
        else ibis.literal(False)
    )
    columns = {
        "der_id": parse.md5_id(utility, fields.typed("native_der_id")),
        "native_der_id": fields.typed("native_der_id"),
        "status": status,
        "feeder_id": parse.md5_id(utility, feeder),
        "native_feeder_id": feeder,
        "der_type": _der_type(options.type_map, type_raw, techs, mapped_techs),
        "der_type_raw": type_raw,
        "nameplate_kw": nameplate,
        **techs,
    }
    for field in fields.kinds:
        if field not in columns and field != "status_raw":
            columns[field] = fields.typed(field)
    columns["status_raw"] = fields.typed("status_raw")
    milestones = [fields.typed(name) for name in options.milestone_fields]
    columns["milestone_date"] = (
        parse.greatest([m.fill_null(_NO_DATE) for m in milestones]).nullif(_NO_DATE) if milestones else ibis.null("date")
    )
    flags = {"transmission": transmission, "no_feeder": feeder.isnull(), "nameplate_mismatch": mismatch}
    return columns, flags, "native_der_id", status_check


#: stands in for a missing milestone date when taking the latest (engines' GREATEST treat nulls differently)
_NO_DATE = ibis.date(1, 1, 1)


def _der_type(type_map: dict[str, str], raw: ir.StringValue, techs: dict[str, ir.Value], mapped: list[str]) -> ir.StringValue:
    """The configured mapping of the raw type; otherwise what the technology breakdown shows:
    PV and storage together are `solar_storage`, one technology is its own type, else `other`.

    The breakdown is read from the list of present technologies' types, which names each
    technology once: counting them per branch would repeat every column in every branch, and
    Spark compiles a whole stage into one Java method capped at 64 KB."""
    # `CASE upper WHEN …`: the upper-cased text is written once, not once per mapped type
    mapped_type = (
        raw.upper().cases(*[(k.strip().upper(), v) for k, v in type_map.items()], else_=ibis.null("string"))
        if type_map
        else ibis.null("string")
    )
    present = (
        ibis.literal("|").join(
            [ibis.ifelse(techs[f].fill_null(0.0) > 0, TECHNOLOGY_FIELDS[f], ibis.null("string")) for f in mapped]
        )
        if mapped
        else ibis.literal("")
    )
    # two anchored replaces name `present` once: a long expression repeated in a CASE's branches
    # is parsed and bound once for each, and an engine may run it once for each (both engines'
    # regexes read these two patterns alike)
    from_breakdown = present.re_replace(r"^solar\|storage$", "solar_storage").re_replace(r"^(|.*\|.*)$", "other")
    return ibis.coalesce(mapped_type, from_breakdown)


class Stages(Protocol):
    """What silver needs from the engine (hostcap.engine.Engine): intermediate and final results,
    and which engine it is (the row hash is its own: see `row_hash`)."""

    kind: str

    def stage(self, hint: str, expr: ir.Table) -> ir.Table: ...

    def materialize(self, hint: str, expr: ir.Table) -> ir.Table: ...


def build_classified(config: SourceConfig, bronze: ir.Table, engine: Stages, trimmed_given: bool = False) -> ir.Table:
    """Run the three silver stages; the engine decides how the two intermediate ones are kept.
    `trimmed_given`: see trimmed_bronze.

    The rows an exclusion rule drops are set apart first, straight from bronze, and only the
    others are cleaned, typed and classified: a rule can drop most of a source (Central Hudson's
    geometry stubs are 45% of its rows), and cleaning and typing every field of a row nobody
    reads was a third of that source's silver. (Split after cleaning instead, the cleaned rows
    are read twice, and DuckDB then keeps them all.)"""
    received, trimmed_as, headers = trimmed_bronze(config, bronze, trimmed_given)
    rule = excluded_by(config, received, trimmed_as, headers) if config.exclude else None
    kept = received.filter(rule.isnull()) if rule is not None else received
    cleaned = engine.stage("clean", clean_stage(config, kept, trimmed_as, headers, engine.kind))
    typed = engine.stage("typed", typed_stage(config, cleaned))
    classified = classify(config, typed)
    if rule is not None:
        classified = classified.union(as_excluded(received.filter(rule.notnull()), rule, classified.schema()))
    return engine.materialize("classified", classified)
