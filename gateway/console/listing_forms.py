"""Listing and enterprise forms ↔ the listings API's JSON, in plain Python.

Every input is named with the API's own dotted field name (`heat.temperature_c`,
`material.properties.0.value`, `location.lat`), so an error the API names lands beside the
input of the same name. The console checks nothing itself: it turns what was typed into the
JSON the API expects (numbers as numbers, empty optional fields left out) and lets the API
judge. What cannot be read as a number is sent as typed, so the API names the field.

No strings for people live here: labels and help texts are in the templates.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

TEXT, NUMBER, INTEGER, DATE, CHOICE, CODES = "text", "number", "integer", "date", "choice", "codes"

# The API's enumerations (services/listings: specs.py, water_reuse.py), in the order the forms offer them.
SIDES = ("offer", "want")
KINDS = ("material", "heat", "water")
QUANTITY_UNITS = ("t", "kg", "m3")
RECURRENCES = ("per_month", "per_year", "one_off")
HEAT_MEDIA = ("steam", "hot_water", "flue_gas", "thermal_oil")
REUSE_CATEGORIES = ("washing", "direct_cooling", "circulating_cooling", "boiler_makeup", "process")

_CODE_SEPARATORS = re.compile(r"[\s,，;；、]+")
_GROUPED = re.compile(r"^-?\d{1,3}(,\d{3})+(\.\d+)?$")
_INTEGER = re.compile(r"^-?\d+$")


@dataclass(frozen=True)
class Field:
    """One input. `clear` says what an emptied field sends on an edit (PATCH): `null` clears an
    optional value (and gets "may not be null" for a required one); `omit` sends nothing, which
    keeps a stored value that has a default (the start of availability) or, inside an object the
    API replaces whole (a contact), removes it."""

    name: str
    type: str = TEXT
    clear: str = "null"


@dataclass(frozen=True)
class Rows:
    """A list of objects, one row of inputs each: `material.properties.0.name`, `.0.value`…"""

    name: str
    columns: tuple[Field, ...]

    def cell(self, index: int, column: str) -> str:
        return f"{self.name}.{index}.{column}"


@dataclass(frozen=True)
class FormSpec:
    fields: tuple[Field, ...]
    rows: tuple[Rows, ...] = ()
    groups: tuple[str, ...] = ()  # names whose own errors show on the form (a fieldset, a row pair)
    location: str | None = "location"  # a lat/lon pair, sent together or not at all
    whole: tuple[str, ...] = ()  # objects an edit replaces whole: sent even when every member is empty

    def field_names(self) -> list[str]:
        names = [f.name for f in self.fields]
        if self.location:
            names += [f"{self.location}.lat", f"{self.location}.lon"]
        return names


MEASURE = (Field("name"), Field("value", NUMBER), Field("unit"))
BOUND = (Field("name"), Field("unit"), Field("min", NUMBER), Field("max", NUMBER))
_TERMS = (
    Field("title"),
    Field("max_distance_km", NUMBER),
    Field("available_from", DATE, clear="omit"),
    Field("available_until", DATE),
)
_QUANTITY = (
    Field("material.quantity.amount", NUMBER),
    Field("material.quantity.unit", CHOICE),
    Field("material.quantity.recurrence", CHOICE),
    Field("material.price_cny_per_t", NUMBER),
)
_HEAT = tuple(
    Field(f"heat.{name}", kind)
    for name, kind in (
        ("medium", CHOICE),
        ("temperature_c", NUMBER),
        ("pressure_mpa", NUMBER),
        ("thermal_power_mw", NUMBER),
        ("hours_per_day", NUMBER),
        ("days_per_year", INTEGER),
        ("price_cny_per_gj", NUMBER),
    )
)
_WATER = (
    Field("water.reuse_category", CHOICE),
    Field("water.flow_m3_per_day", NUMBER),
    Field("water.price_cny_per_m3", NUMBER),
)

LISTING_FORMS = {
    ("offer", "material"): FormSpec(
        _TERMS + (Field("material.waste_code"),) + _QUANTITY,
        (Rows("material.properties", MEASURE),),
        ("material", "material.quantity"),
    ),
    ("want", "material"): FormSpec(
        _TERMS + (Field("material.waste_codes", CODES),) + _QUANTITY,
        (Rows("material.property_bounds", BOUND),),
        ("material", "material.quantity"),
    ),
    ("offer", "heat"): FormSpec(_TERMS + _HEAT, (), ("heat",)),
    ("want", "heat"): FormSpec(_TERMS + _HEAT, (), ("heat",)),
    ("offer", "water"): FormSpec(_TERMS + _WATER, (Rows("water.parameters", MEASURE),), ("water",)),
    ("want", "water"): FormSpec(_TERMS + _WATER, (Rows("water.parameter_bounds", BOUND),), ("water",)),
}

ENTERPRISE_FORM = FormSpec(
    (
        Field("name"),
        Field("credit_code"),
        Field("industry_code"),
        Field("contact.name", clear="omit"),
        Field("contact.phone", clear="omit"),
        Field("contact.email", clear="omit"),
    ),
    (
        Rows(
            "licences",
            (
                Field("number"),
                Field("codes", CODES),
                Field("capacity_t_per_year", NUMBER),
                Field("valid_from", DATE),
                Field("valid_until", DATE),
            ),
        ),
    ),
    groups=("contact",),
    whole=("contact",),
)

# What a new listing form starts with (the selects' first choice would do, but say it once).
LISTING_DEFAULTS = {
    "material.quantity.unit": "t",
    "material.quantity.recurrence": "per_month",
    "heat.medium": "steam",
    "water.reuse_category": "circulating_cooling",
}


def listing_form(side: str, kind: str) -> FormSpec:
    try:
        return LISTING_FORMS[(side, kind)]
    except KeyError:
        raise ValueError(f"no {side} form for kind {kind!r}") from None


# --- what was typed ------------------------------------------------------------------------


def read_form(form, spec: FormSpec) -> dict[str, str]:
    """The typed values, flat by dotted name and stripped. Empty rows are dropped and the others
    renumbered from 0, as the API will number them, so its errors name the rows shown again."""
    values = {name: str(form.get(name) or "").strip() for name in spec.field_names()}
    for rows in spec.rows:
        indices = sorted(
            {int(m.group(1)) for key in form.keys() if (m := re.match(rf"^{re.escape(rows.name)}\.(\d+)\.", key))}
        )
        kept = 0
        for index in indices:
            cells = {c.name: str(form.get(rows.cell(index, c.name)) or "").strip() for c in rows.columns}
            if any(cells.values()):
                values.update({rows.cell(kept, column): text for column, text in cells.items()})
                kept += 1
    return values


def row_count(values: dict[str, str], rows: Rows) -> int:
    """How many rows `values` holds for this list."""
    count = 0
    while any(rows.cell(count, c.name) in values for c in rows.columns):
        count += 1
    return count


def parse_number(text: str):
    """`"1,250.5"` → 1250.5, `"３３０"` → 330; what does not read as a finite number stays text."""
    cleaned = unicodedata.normalize("NFKC", text).strip().replace(" ", "")
    if _GROUPED.match(cleaned):
        cleaned = cleaned.replace(",", "")
    if _INTEGER.match(cleaned):
        return int(cleaned)
    try:
        number = float(cleaned)
    except ValueError:
        return text
    return number if math.isfinite(number) else text


def split_codes(text: str) -> list[str]:
    return [code for code in _CODE_SEPARATORS.split(unicodedata.normalize("NFKC", text)) if code]


def _value(field: Field, text: str):
    if field.type == NUMBER:
        return parse_number(text)
    if field.type == INTEGER:
        number = parse_number(text)
        if isinstance(number, float) and number.is_integer():
            return int(number)
        return number if isinstance(number, int) else text
    if field.type == CODES:
        return split_codes(text)
    return text


def _put(body: dict, dotted: str, value) -> None:
    *parents, last = dotted.split(".")
    for part in parents:
        body = body.setdefault(part, {})
    body[last] = value


def to_api(values: dict[str, str], spec: FormSpec, partial: bool = False) -> dict:
    """The JSON body for POST (`partial=False`: empty fields left out, so the API says which
    required ones are missing) or PATCH (`partial=True`: see Field.clear)."""
    body: dict = {}
    for field in spec.fields:
        text = values.get(field.name, "")
        if text:
            _put(body, field.name, _value(field, text))
        elif partial and field.clear == "null":
            _put(body, field.name, None)
    if spec.location:
        pair = {axis: values.get(f"{spec.location}.{axis}", "") for axis in ("lat", "lon")}
        if any(pair.values()):  # one of the two left out: the API names the missing one
            _put(body, spec.location, {axis: parse_number(text) for axis, text in pair.items() if text})
    for rows in spec.rows:
        items = []
        for index in range(row_count(values, rows)):
            item = {}
            for column in rows.columns:
                text = values.get(rows.cell(index, column.name), "")
                if text:
                    item[column.name] = _value(column, text)
            items.append(item)
        if items or partial:
            _put(body, rows.name, items)
    for name in spec.whole if partial else ():
        parent = body
        for part in name.split("."):
            parent = parent.setdefault(part, {})
    return body


# --- what the API holds ----------------------------------------------------------------------


def number_text(value) -> str:
    """A number as a person would type it: `18000.0` → `18000`, `1e-07` → `0.0000001`."""
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        return str(value)
    try:
        number = Decimal(repr(value) if isinstance(value, float) else str(value))
    except InvalidOperation:
        return str(value)
    if not number.is_finite():
        return str(value)
    text = format(number.normalize(), "f")
    return "0" if text in ("-0", "") else text


def _flatten(data, prefix: str, out: dict) -> None:
    if isinstance(data, dict):
        for key, value in data.items():
            _flatten(value, f"{prefix}.{key}" if prefix else str(key), out)
    elif isinstance(data, list) and all(isinstance(item, dict) for item in data):
        for index, item in enumerate(data):
            _flatten(item, f"{prefix}.{index}", out)
    elif isinstance(data, list):
        out[prefix] = ", ".join(str(item) for item in data)
    elif isinstance(data, (int, float)) and not isinstance(data, bool):
        out[prefix] = number_text(data)
    else:
        out[prefix] = "" if data is None else str(data)


def from_api(data: dict, spec: FormSpec) -> dict[str, str]:
    """A listing or enterprise as the API returns it → the form's values (for editing)."""
    flat: dict[str, str] = {}
    _flatten(data, "", flat)
    names = set(spec.field_names())
    row_prefixes = tuple(f"{rows.name}." for rows in spec.rows)
    return {k: v for k, v in flat.items() if k in names or k.startswith(row_prefixes)}


# --- the API's errors on the form -------------------------------------------------------------


def shown_names(spec: FormSpec, values: dict[str, str], rows_shown: dict[str, int]) -> set[str]:
    """Every name the form shows errors beside: its inputs, each row, each list and group."""
    names = set(spec.field_names()) | set(spec.groups)
    if spec.location:
        names.add(spec.location)
    for rows in spec.rows:
        names.add(rows.name)
        for index in range(rows_shown.get(rows.name, row_count(values, rows))):
            names.add(f"{rows.name}.{index}")
            names.update(rows.cell(index, c.name) for c in rows.columns)
    return names


def place_errors(errors: dict[str, list[str]], shown: set[str]) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """Split the API's errors into those shown beside an input (the name itself, or the nearest
    enclosing name the form shows: `material.waste_codes.1` → the codes input) and the rest."""
    beside: dict[str, list[str]] = {}
    elsewhere: dict[str, list[str]] = {}
    for name, messages in errors.items():
        target = name
        while target and target not in shown:
            target = target.rpartition(".")[0]
        (beside.setdefault(target, []) if target else elsewhere.setdefault(name, [])).extend(messages)
    return beside, elsewhere


# --- filters on the matches page ----------------------------------------------------------------


def match_query(args) -> tuple[dict[str, str], dict]:
    """The matches page's filters as typed, and the API query they make (min_score, max_distance_km, page)."""
    typed = {name: str(args.get(name) or "").strip() for name in ("min_score", "max_distance_km")}
    query = {name: parse_number(text) for name, text in typed.items() if text}
    page = parse_number(str(args.get("page") or "1"))
    query["page"] = page if isinstance(page, int) and page >= 1 else 1
    return typed, query
