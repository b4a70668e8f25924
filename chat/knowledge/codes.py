"""OBD-II diagnostic trouble codes (DTCs): parsing, structure (SAE J2012) and generic meanings.

A code is five characters: the system letter (P, B, C, U), a digit 0-3 that says who defined it
(SAE or the manufacturer), then three hex digits whose first one names the area. Only generic
meanings are shipped; a manufacturer-specific code means whatever its maker says, so it is never
guessed at.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass
from functools import cache
from pathlib import Path
from typing import Any

DATA_DIR = Path(__file__).parent / "data"
DATA_FILE = DATA_DIR / "dtc_generic.json"
# Generic code numbers that a large maker uses with a meaning of its own (GM's C0035 is a wheel
# speed sensor circuit, not the SAE meaning): the answer names both, and leads with the maker's
# meaning when the vehicle is one of that maker's brands.
MAKER_USAGE_FILE = DATA_DIR / "dtc_maker_usage.json"
# Repair details for the most common generic codes, split over a few files.
DETAILS_GLOB = "dtc_details_*.json"
SEVERITIES = ("low", "moderate", "high", "severe")
DRIVE_VERDICTS = {
    "yes": "Yes, for now: drive normally and fix it when convenient.",
    "caution": "With care: drive gently and short distances, and fix it soon.",
    "no": "No: stop driving and have it towed or repaired where it stands.",
}

_CODE = re.compile(r"[PBCU][0-3][0-9A-F]{3}")
# Letters and digits on either side mean the match is part of a longer word or number
# ("AP04201", "P04200"), not a code.
_CODE_IN_TEXT = re.compile(r"(?<![A-Za-z0-9])[PBCUpbcu][0-3][0-9A-Fa-f]{3}(?![A-Za-z0-9])")
# Model names shaped like codes: Mazda's B-series pickups. One of these numbers right after the
# maker's name, or right before "pickup"/"truck", is the truck; any other number is a code.
_MODEL_NAMES = frozenset({"B1600", "B1800", "B2000", "B2200", "B2300", "B2500", "B2600", "B3000"})
_MODEL_BEFORE = re.compile(r"\bmazda\s*$", re.IGNORECASE)
_MODEL_AFTER = re.compile(r"^\s*(?:pick-?up|truck|ute)s?\b", re.IGNORECASE)

SYSTEMS = {"P": "Powertrain", "B": "Body", "C": "Chassis", "U": "Network"}

GENERIC_SCOPE = "generic (SAE J2012)"
MANUFACTURER_SCOPE = "manufacturer-specific: check the maker's service information"

# Areas named by the third character of a powertrain code. SAE assigns them for P0 and P2, and
# most makers follow the same layout in their P1 codes.
_POWERTRAIN_AREAS = {
    "0": "fuel and air metering and auxiliary emission controls",
    "1": "fuel and air metering",
    "2": "fuel and air metering (injector circuit)",
    "3": "ignition system or misfire",
    "4": "auxiliary emission controls",
    "5": "vehicle speed control, idle control system and auxiliary inputs",
    "6": "computer and output circuits",
    "7": "transmission",
    "8": "transmission",
    "9": "transmission",
    # Hybrid propulsion is P0A-P0D only: P2A is fuel and air metering again.
    "A": "hybrid propulsion",
    "B": "hybrid propulsion",
    "C": "hybrid propulsion",
    "D": "hybrid propulsion",
}

_NETWORK_AREAS = {
    "0": "network electrical (the data bus itself)",
    "1": "network communication (lost communication with a module)",
    "2": "network communication (lost communication with a module)",
    "3": "network software (module software incompatibility)",
    "4": "network data (invalid data received from a module)",
    "5": "network data (invalid data received from a module)",
}


class InvalidCode(ValueError):
    """Raised for text that is not a well-formed OBD-II trouble code."""


@dataclass(frozen=True)
class CodeDetails:
    """What a mechanic knows about a common code beyond its title."""

    causes: tuple[str, ...]  # most likely first
    severity: str  # one of SEVERITIES
    drive: str  # a key of DRIVE_VERDICTS: is it safe to keep driving?
    drive_note: str
    checks: tuple[str, ...]  # first checks for an owner, simplest first
    cost: tuple[int, int]  # typical repair cost range, USD
    cost_note: str


@dataclass(frozen=True)
class MakerUsage:
    """A maker's own meaning for a generic code number."""

    maker: str  # "GM"
    makes: tuple[str, ...]  # the brands that use it: "Chevrolet", "GMC", ...
    meaning: str
    nicknames: tuple[str, ...] = ()  # what owners type for a brand: "Chevy"

    def brand(self, make: str) -> str | None:
        """``make`` as this maker spells it ("chevy" -> "Chevy"), or None if not its own.

        A make decoded from a VIN can carry a country ("Chevrolet USA"), so the first word is
        enough when the whole name isn't one of the maker's.
        """
        names = {name.casefold(): name for name in (self.maker, *self.makes, *self.nicknames)}
        words = (make or "").casefold().split()
        if not words:
            return None
        return names.get(" ".join(words)) or names.get(words[0])

    def note(self, code: str) -> str:
        return (
            f"{self.maker} vehicles ({', '.join(self.makes)}) use {code} for the {self.meaning}; "
            f"on those, go by {self.maker}'s meaning."
        )


@dataclass(frozen=True)
class CodeInfo:
    code: str
    system: str
    generic: bool
    scope: str
    subsystem: str
    meaning: str | None
    details: CodeDetails | None = None
    note: str | None = None  # where a maker uses this generic number with its own meaning

    def as_dict(self) -> dict[str, Any]:
        """JSON-serialisable form, as returned by the API and the model tool."""
        data = asdict(self)
        if self.note is None:
            data.pop("note")
        if self.details is None:
            data.pop("details")
        else:
            data["details"]["drive_verdict"] = DRIVE_VERDICTS[self.details.drive]
        return data


def normalize_code(text: str) -> str:
    """Return ``text`` as an upper-case code ("p0420 " -> "P0420"), or raise ``InvalidCode``."""
    code = str(text or "").strip().upper()
    if not code:
        raise InvalidCode("No trouble code given: expected something like P0420 or U0100.")
    if not _CODE.fullmatch(code):
        raise InvalidCode(
            f"{code!r} is not an OBD-II trouble code: expected a letter P, B, C or U, "
            "a digit 0-3 and three hex digits, e.g. P0420 or U0100."
        )
    return code


def find_codes(text: str) -> list[str]:
    """Every well-formed trouble code in free text, normalised, without repeats, in order."""
    text = text or ""
    found = dict.fromkeys(
        match.group().upper()
        for match in _CODE_IN_TEXT.finditer(text)
        if not _is_model_name(text, match)
    )
    return list(found)


def _is_model_name(text: str, match: re.Match[str]) -> bool:
    if match.group().upper() not in _MODEL_NAMES:
        return False
    before, after = text[max(0, match.start() - 12) : match.start()], text[match.end() :]
    return bool(_MODEL_BEFORE.search(before) or _MODEL_AFTER.match(after))


def is_generic(code: str) -> bool:
    """Whether SAE J2012 defines ``code`` (True) or its manufacturer does (False)."""
    code = normalize_code(code)
    letter, owner, area = code[0], code[1], code[2]
    if letter == "P":
        # P3000-P33FF belong to manufacturers; P3400 and up are SAE's (cylinder deactivation...).
        return owner in "02" or (owner == "3" and area not in "0123")
    # B, C and U: 0 and 3 are SAE's, 1 and 2 are the manufacturer's.
    return owner in "03"


def subsystem_of(code: str) -> str:
    """The area of the vehicle the code's structure points to."""
    code = normalize_code(code)
    letter, owner, area = code[0], code[1], code[2]
    if letter == "P":
        return _powertrain_area(owner, area)
    if owner == "3":
        return f"{SYSTEMS[letter].lower()} (range reserved by ISO/SAE)"
    if letter == "U":
        if owner in "12":
            return "network communication (manufacturer-defined)"
        return _NETWORK_AREAS.get(area, "vehicle network")
    if letter == "B":
        if owner == "0" and area == "0":
            return "supplemental restraints (airbags and seat-belt pretensioners)"
        return "body systems (restraints, climate, lighting, doors, instruments)"
    if owner == "0" and area == "0":
        return "brakes and stability control (ABS wheel speed sensors, traction control)"
    return "chassis systems (brakes, ABS and stability control, steering, suspension)"


def _powertrain_area(owner: str, area: str) -> str:
    reserved = "powertrain (range reserved by ISO/SAE)"
    if owner == "3":
        if area in "0123":
            return "manufacturer-controlled powertrain area"
        return "cylinder deactivation" if area == "4" else reserved
    if owner == "2" and area in "ABCDEF":
        # P2A-P2F hold later additions: air-fuel sensors, NOx exceedence and the like.
        return _POWERTRAIN_AREAS["0"]
    if owner == "2" and area == "2":
        return _POWERTRAIN_AREAS["1"]  # P22xx: NOx sensors, turbo, barometric pressure
    if area not in _POWERTRAIN_AREAS or (owner != "0" and area in "ABCD"):
        return "manufacturer-controlled powertrain area" if owner == "1" else reserved
    if owner == "1":
        return f"{_POWERTRAIN_AREAS[area]} (by the usual layout; the maker may differ)"
    return _POWERTRAIN_AREAS[area]


@cache
def generic_meanings() -> dict[str, str]:
    """The shipped table of generic code meanings, read from disk on first use."""
    with DATA_FILE.open(encoding="utf-8") as handle:
        return json.load(handle)


@cache
def maker_usages() -> dict[str, MakerUsage]:
    """Generic code numbers that a maker uses with a meaning of its own, read on first use."""
    with MAKER_USAGE_FILE.open(encoding="utf-8") as handle:
        entries = json.load(handle)
    return {
        code: MakerUsage(
            entry["maker"],
            tuple(entry["makes"]),
            entry["meaning"],
            tuple(entry.get("nicknames", ())),
        )
        for code, entry in entries.items()
    }


@cache
def code_details() -> dict[str, CodeDetails]:
    """Repair details for common codes, read from disk on first use and checked loudly."""
    details: dict[str, CodeDetails] = {}
    for path in sorted(DATA_DIR.glob(DETAILS_GLOB)):
        with path.open(encoding="utf-8") as handle:
            for code, entry in json.load(handle).items():
                details[code] = _details_from(path.name, code, entry)
    return details


def _details_from(source: str, code: str, entry: dict[str, Any]) -> CodeDetails:
    try:
        low, high = entry["cost"]
        item = CodeDetails(
            causes=tuple(entry["causes"]),
            severity=entry["severity"],
            drive=entry["drive"],
            drive_note=entry["drive_note"],
            checks=tuple(entry["checks"]),
            cost=(int(low), int(high)),
            cost_note=entry["cost_note"],
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise ValueError(f"{source}: {code} is not a valid code-details entry ({exc})") from exc
    if item.severity not in SEVERITIES or item.drive not in DRIVE_VERDICTS or low > high:
        raise ValueError(f"{source}: {code} has a bad severity, drive or cost value")
    return item


def _maker_note(code: str) -> str | None:
    usage = maker_usages().get(code)
    return usage.note(code) if usage else None


def lookup_code(code: str) -> CodeInfo:
    """Everything known about one code. Raises ``InvalidCode`` if it is not well-formed."""
    code = normalize_code(code)
    generic = is_generic(code)
    return CodeInfo(
        code=code,
        system=SYSTEMS[code[0]],
        generic=generic,
        scope=GENERIC_SCOPE if generic else MANUFACTURER_SCOPE,
        subsystem=subsystem_of(code),
        meaning=generic_meanings().get(code) if generic else None,
        details=code_details().get(code) if generic else None,
        note=_maker_note(code) if generic else None,
    )
