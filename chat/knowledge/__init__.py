"""The embedded mechanic's knowledge: trouble codes, VINs, safety triage and offline answers.

Pure Python (stdlib and ``vininfo``), no Django, so it can be used and tested on its own.
"""

from chat.knowledge.codes import CodeInfo, InvalidCode, find_codes, lookup_code, normalize_code
from chat.knowledge.mechanic import answer
from chat.knowledge.safety import Hazard, SafetyVerdict, triage
from chat.knowledge.vin import InvalidVin, VinInfo, decode_vin, find_vins, normalize_vin

__all__ = [
    "CodeInfo",
    "Hazard",
    "InvalidCode",
    "InvalidVin",
    "SafetyVerdict",
    "VinInfo",
    "answer",
    "decode_vin",
    "find_codes",
    "find_vins",
    "lookup_code",
    "normalize_code",
    "normalize_vin",
    "triage",
]
