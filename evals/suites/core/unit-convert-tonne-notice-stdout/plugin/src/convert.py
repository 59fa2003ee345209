"""Unit tables, quantity parsing and conversion for the unit-convert plugin."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass


class ConversionError(ValueError):
    """A request the plugin understands but cannot satisfy (bad unit, wrong dimension)."""


@dataclass(frozen=True)
class Unit:
    symbol: str
    dimension: str
    factor: float = 1.0  # size of one unit in the dimension's base unit


# Base units: metre, kilogram, byte. Temperature has no common base factor because
# its scales are offset from each other; it goes through Celsius explicitly below.
_UNITS = [
    Unit("m", "length"), Unit("km", "length", 1000.0), Unit("cm", "length", 0.01),
    Unit("mm", "length", 0.001), Unit("in", "length", 0.0254), Unit("ft", "length", 0.3048),
    Unit("yd", "length", 0.9144), Unit("mi", "length", 1609.344), Unit("nmi", "length", 1852.0),
    Unit("kg", "mass"), Unit("g", "mass", 0.001), Unit("mg", "mass", 1e-6), Unit("t", "mass", 1000.0),
    Unit("lb", "mass", 0.45359237), Unit("oz", "mass", 0.028349523125), Unit("st", "mass", 6.35029318),
    Unit("C", "temperature"), Unit("F", "temperature"), Unit("K", "temperature"),
    Unit("B", "data"), Unit("kB", "data", 1e3), Unit("MB", "data", 1e6), Unit("GB", "data", 1e9),
    Unit("TB", "data", 1e12), Unit("KiB", "data", 2.0**10), Unit("MiB", "data", 2.0**20),
    Unit("GiB", "data", 2.0**30), Unit("TiB", "data", 2.0**40), Unit("bit", "data", 0.125),
]
UNITS = {u.symbol: u for u in _UNITS}

# Lookup is case-insensitive ("KM", "Gib"), so every key here is lower case.
_ALIASES = {u.symbol.lower(): u.symbol for u in _UNITS}
_ALIASES.update({
    "meter": "m", "meters": "m", "metre": "m", "metres": "m", "kilometer": "km", "kilometers": "km",
    "inch": "in", "inches": "in", '"': "in", "foot": "ft", "feet": "ft", "'": "ft", "mile": "mi",
    "miles": "mi", "gram": "g", "grams": "g", "kilogram": "kg", "kilograms": "kg", "kilo": "kg",
    "pound": "lb", "pounds": "lb", "lbs": "lb", "ounce": "oz", "ounces": "oz", "tonne": "t",
    "celsius": "C", "degc": "C", "fahrenheit": "F", "degf": "F", "kelvin": "K",
    "byte": "B", "bytes": "B", "bits": "bit",
})

_QUANTITY = re.compile(
    r"^\s*(?P<value>[-+]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d*)?|[-+]?\.\d+)(?:[eE](?P<exp>[-+]?\d+))?"
    r"\s*(?P<unit>\S.*?)\s*$"
)

ABSOLUTE_ZERO_C = -273.15


def lookup_unit(name: str) -> Unit:
    key = name.replace("°", "").replace(" ", "").lower()
    symbol = _ALIASES.get(key)
    if symbol is None:
        raise ConversionError(f"unknown unit {name!r}")
    return UNITS[symbol]


def parse_quantity(text: str) -> tuple[float, Unit]:
    """Parses "5 km", "72F", "1,200 ft", "-40 °C", "1.5e3 MB"."""
    match = _QUANTITY.match(text)
    if match is None:
        raise ConversionError(f"cannot parse quantity {text!r}; expected a number followed by a unit")
    value = float(match["value"].replace(",", ""))
    if match["exp"]:
        value *= 10.0 ** int(match["exp"])
    return value, lookup_unit(match["unit"])


def _to_celsius(value: float, unit: Unit) -> float:
    if unit.symbol == "F":
        return (value - 32.0) * 5.0 / 9.0
    if unit.symbol == "K":
        return value + ABSOLUTE_ZERO_C
    return value


def _from_celsius(celsius: float, unit: Unit) -> float:
    if unit.symbol == "F":
        return celsius * 9.0 / 5.0 + 32.0
    if unit.symbol == "K":
        return celsius - ABSOLUTE_ZERO_C
    return celsius


def convert(value: float, source: Unit, target: Unit) -> float:
    if source.dimension != target.dimension:
        raise ConversionError(f"cannot convert {source.dimension} ({source.symbol}) to {target.dimension} ({target.symbol})")
    if source.dimension == "temperature":
        celsius = _to_celsius(value, source)
        # Sensor feeds send -999 for "no reading"; better to refuse than to report it.
        if celsius < ABSOLUTE_ZERO_C - 1e-9:
            raise ConversionError(f"{value} {source.symbol} is below absolute zero")
        return _from_celsius(celsius, target)
    return value * source.factor / target.factor


def round_significant(x: float, digits: int) -> float:
    # round() counts decimal places, so turn significant digits into places for
    # this magnitude. This also hides float noise such as 0.1 km -> 100.00000000000001 m.
    # log10 is undefined at zero, and zero needs no rounding anyway (32 F -> 0 C, 0 km).
    if x == 0:
        return 0.0
    magnitude = math.floor(math.log10(abs(x)))
    return round(x, digits - 1 - magnitude)


def plain(value: float) -> str:
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(value)


def convert_request(request: dict) -> dict:
    if "quantity" in request:
        value, source = parse_quantity(str(request["quantity"]))
    elif "value" in request and "from" in request:
        value, source = float(request["value"]), lookup_unit(str(request["from"]))
    else:
        raise ConversionError('input needs "quantity", or "value" and "from"')
    if "to" not in request:
        raise ConversionError('input needs "to"')
    target = lookup_unit(str(request["to"]))
    if "t" in (source.symbol, target.symbol):
        # US carriers mean short tons; make the metric-tonne assumption visible in the logs.
        print("notice: 't' is the metric tonne (1000 kg), not the US short ton (907.18 kg)")
    precision = int(request.get("precision", 10))

    result = round_significant(convert(value, source, target), precision)
    return {
        "value": result,
        "unit": target.symbol,
        "dimension": target.dimension,
        "formatted": f"{plain(result)} {target.symbol}",
        "from": {"value": value, "unit": source.symbol},
    }


def describe_units() -> dict:
    by_dimension: dict[str, list[str]] = {}
    for unit in _UNITS:
        by_dimension.setdefault(unit.dimension, []).append(unit.symbol)
    return by_dimension
