"""Vehicle identification numbers (VINs): parsing and decoding with ``vininfo``.

A VIN is 17 characters: WMI (maker, 1-3), VDS (vehicle description, 4-9, with the check digit
at 9) and VIS (10-17: model year, plant, serial). ``vininfo`` knows the makers and, for a few
brands, model/body/engine details; everything else here is presentation and safe fallbacks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from vininfo import Vin
from vininfo.common import UnsupportedBrand

_VIN_CHARS = "A-HJ-NPR-Z0-9"
_VIN = re.compile(f"[{_VIN_CHARS}]{{17}}")
# Spelled out in both cases rather than re.IGNORECASE, which would also let Unicode look-alikes
# (the Kelvin sign for K) through.
_VIN_IN_TEXT = re.compile(r"(?<![A-Za-z0-9])[A-HJ-NPR-Za-hj-npr-z0-9]{17}(?![A-Za-z0-9])")

# The check digit is mandatory for vehicles built for North America (WMI 1-5); elsewhere many
# makers leave it out, so a mismatch there says nothing about the VIN being wrong.
_NORTH_AMERICA = "12345"


class InvalidVin(ValueError):
    """Raised for text that cannot be a 17-character VIN."""


@dataclass(frozen=True)
class VinInfo:
    vin: str
    wmi: str
    vds: str
    vis: str
    manufacturer: str
    country: str
    region: str
    model_years: tuple[int, ...]
    check_digit_valid: bool
    warnings: tuple[str, ...] = ()
    details: dict[str, str] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """JSON-serialisable form, as returned by the API and the model tool."""
        return {
            "vin": self.vin,
            "wmi": self.wmi,
            "vds": self.vds,
            "vis": self.vis,
            "manufacturer": self.manufacturer,
            "country": self.country,
            "region": self.region,
            "model_years": list(self.model_years),
            "check_digit_valid": self.check_digit_valid,
            "warnings": list(self.warnings),
            "details": dict(self.details),
        }


def normalize_vin(text: str) -> str:
    """Return ``text`` as an upper-case 17-character VIN, or raise ``InvalidVin``."""
    vin = re.sub(r"[\s-]", "", str(text or "")).upper()
    if not vin:
        raise InvalidVin("No VIN given: a VIN has 17 letters and digits.")
    if len(vin) != 17:
        raise InvalidVin(f"A VIN has 17 characters; {vin!r} has {len(vin)}.")
    forbidden = sorted(set(vin) & set("IOQ"))
    if forbidden:
        raise InvalidVin(
            f"A VIN never contains I, O or Q (they look like 1 and 0); {vin!r} has "
            f"{', '.join(forbidden)}. Check for a misread digit."
        )
    if not _VIN.fullmatch(vin):
        raise InvalidVin(f"A VIN has only letters and digits; {vin!r} has other characters.")
    return vin


def find_vins(text: str) -> list[str]:
    """Every VIN-shaped word in free text, upper-cased, without repeats, in order.

    A candidate needs both a digit and a letter, so 17-digit numbers and long words don't count.
    """
    found: dict[str, None] = {}
    for match in _VIN_IN_TEXT.findall(text or ""):
        if any(c.isdigit() for c in match) and any(c.isalpha() for c in match):
            found[match.upper()] = None
    return list(found)


def decode_vin(text: str) -> VinInfo:
    """Decode a VIN. Raises ``InvalidVin`` if it is not well-formed; unknown makers are fine."""
    number = normalize_vin(text)
    vin = Vin(number)

    if isinstance(vin.assembler, UnsupportedBrand):
        manufacturer = f"Unknown manufacturer (WMI {vin.wmi})"
    else:
        manufacturer = vin.manufacturer

    check_digit_valid = vin.verify_checksum(check_year=False)
    years = tuple(vin.years)
    return VinInfo(
        vin=number,
        wmi=vin.wmi,
        vds=vin.vds,
        vis=vin.vis,
        manufacturer=manufacturer,
        country=vin.country or "Unknown country",
        region=vin.region or "Unknown region",
        model_years=years,
        check_digit_valid=check_digit_valid,
        warnings=_warnings(number, check_digit_valid, years),
        details=_details(vin),
    )


def _warnings(number: str, check_digit_valid: bool, years: tuple[int, ...]) -> tuple[str, ...]:
    warnings = []
    if not check_digit_valid:
        if number[0] in _NORTH_AMERICA:
            warnings.append(
                f"The check digit (9th character, {number[8]!r}) does not match. The check "
                "digit is required on North American VINs, so look for a mistyped character."
            )
        else:
            warnings.append(
                f"The check digit (9th character, {number[8]!r}) does not match. This is normal "
                "for many VINs built outside North America, where the check digit is optional."
            )
    if not years:
        warnings.append(
            f"The 10th character {number[9]!r} is not a model-year code, so the year is unknown."
        )
    return tuple(warnings)


def _details(vin: Vin) -> dict[str, str]:
    """What ``vininfo`` decodes beyond the maker, for the brands it knows in depth."""
    details = vin.details
    if details is None:
        return {}
    # Read each detail ourselves: ``annotate()`` fails when a code maps to several names.
    known = {}
    for attr, label in details.annotate_titles.items():
        detail = getattr(details, attr, None)
        if not detail:
            continue
        if isinstance(detail.name, (list, tuple)):
            known[label] = "one of " + ", ".join(str(name) for name in detail.name)
        elif detail.name:
            known[label] = str(detail.name)
        elif attr == "serial" and detail.code:
            known[label] = str(detail.code)
    return known
