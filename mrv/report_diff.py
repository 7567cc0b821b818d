"""What changed between two versions of an emission report, and by how much.

Compares the frozen engine inputs (activity data and the parameters actually used, per source
stream and month, and the counterparty or approval a line names), each line's tCO2e, its biomass CO2, the totals per stream and the reported total. Values in
convertible units are compared in the later version's unit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from mrv import calculation
from mrv.calculation import Quantity, UnitError

FIELDS = (
    "activity",
    "ncv",
    "carbon_content",
    "oxidation_rate",
    "emission_factor",
    "biomass_fraction",
    "flow_rate",
    "concentration",
)
TEXT_FIELDS = ("counterparty", "approval_reference")  # named in the plan; a new counterparty is a change too


@dataclass(frozen=True)
class Change:
    stream: str
    month: int | None
    field: str
    before: str | None  # "value unit", None when absent
    after: str | None
    delta: Decimal | None  # after − before in the after unit; None when a side is absent or not comparable


@dataclass
class ReportDiff:
    before_number: int
    after_number: int
    changes: list[Change] = field(default_factory=list)
    streams: dict[str, tuple[Decimal, Decimal, Decimal]] = field(default_factory=dict)  # before, after, delta
    total_before_tco2e: Decimal = Decimal(0)
    total_after_tco2e: Decimal = Decimal(0)
    plan_before: int | None = None
    plan_after: int | None = None

    @property
    def total_delta_tco2e(self) -> Decimal:
        return self.total_after_tco2e - self.total_before_tco2e

    @property
    def total_delta_pct(self) -> Decimal | None:
        if not self.total_before_tco2e:
            return None
        return (self.total_delta_tco2e / self.total_before_tco2e * 100).quantize(Decimal("0.01"))


def _text(entry: dict | None) -> str | None:
    return f"{entry['value']} {entry['unit']}" if entry else None


def _delta(before: dict | None, after: dict | None) -> Decimal | None:
    if not before or not after:
        return None
    try:
        old = calculation.convert(Quantity(Decimal(before["value"]), before["unit"]), after["unit"]).value
    except UnitError:
        return None
    return Decimal(after["value"]) - old


def _split(key: str) -> tuple[str, int | None]:
    stream, _sep, month = key.rpartition(":")
    return (stream, int(month)) if month.isdigit() else (key, None)


def _line_changes(before: dict, after: dict) -> list[Change]:
    changes = []
    for key in sorted(set(before) | set(after)):
        stream, month = _split(key)
        old, new = before.get(key, {}), after.get(key, {})
        for name in FIELDS:
            if old.get(name) != new.get(name):
                changes.append(
                    Change(
                        stream,
                        month,
                        name,
                        _text(old.get(name)),
                        _text(new.get(name)),
                        _delta(old.get(name), new.get(name)),
                    )
                )
        for name in TEXT_FIELDS:
            if old.get(name) != new.get(name):
                changes.append(Change(stream, month, name, old.get(name), new.get(name), None))
    return changes


def _tco2e_changes(before: dict, after: dict) -> list[Change]:
    changes = []
    for key in sorted(set(before) | set(after)):
        old, new = before.get(key), after.get(key)
        if old != new:
            stream, month = _split(key)
            delta = Decimal(new or 0) - Decimal(old or 0)
            changes.append(
                Change(stream, month, "tco2e", f"{old} tCO2e" if old else None, f"{new} tCO2e" if new else None, delta)
            )
    return changes


def _biomass_changes(result_a, result_b) -> list[Change]:
    """Biomass CO2 per line (not counted, but reported): absent on one side is not the same as zero."""
    before = {line.key: line.biomass_co2_t for line in result_a.lines if line.biomass_co2_t is not None}
    after = {line.key: line.biomass_co2_t for line in result_b.lines if line.biomass_co2_t is not None}
    changes = []
    for key in sorted(set(before) | set(after)):
        old, new = before.get(key), after.get(key)
        if old != new:
            stream, month = _split(key)
            delta = None if old is None or new is None else new - old
            text = [None if value is None else f"{value} tCO2" for value in (old, new)]
            changes.append(Change(stream, month, "biomass_co2_t", text[0], text[1], delta))
    return changes


def report_diff(version_a, version_b) -> ReportDiff:
    """Changes from version_a to version_b (ReportVersion objects), per stream, month and field, and totals."""
    inputs_a = {entry["key"]: entry for entry in version_a.data.get("inputs", [])}
    inputs_b = {entry["key"]: entry for entry in version_b.data.get("inputs", [])}
    result_a, result_b = version_a.emission_result(), version_b.emission_result()
    tco2e_a = {line.key: str(line.tco2e) for line in result_a.lines}
    tco2e_b = {line.key: str(line.tco2e) for line in result_b.lines}
    by_stream_a, by_stream_b = result_a.by_stream, result_b.by_stream
    zero = Decimal("0.000")
    streams = {
        name: (
            by_stream_a.get(name, zero),
            by_stream_b.get(name, zero),
            by_stream_b.get(name, zero) - by_stream_a.get(name, zero),
        )
        for name in sorted(set(by_stream_a) | set(by_stream_b))
    }
    return ReportDiff(
        before_number=version_a.number,
        after_number=version_b.number,
        changes=_line_changes(inputs_a, inputs_b)
        + _tco2e_changes(tco2e_a, tco2e_b)
        + _biomass_changes(result_a, result_b),
        streams={k: v for k, v in streams.items() if v[2] != 0},
        total_before_tco2e=result_a.reported_tco2e,
        total_after_tco2e=result_b.reported_tco2e,
        plan_before=version_a.data.get("plan", {}).get("version"),
        plan_after=version_b.data.get("plan", {}).get("version"),
    )
