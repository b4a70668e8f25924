"""The embedded mechanic's knowledge: trouble codes, VINs, symptom guides, maintenance, safety
triage and offline answers.

Pure Python (stdlib and ``vininfo``), no Django, so it can be used and tested on its own.
"""

from chat.knowledge.codes import CodeInfo, InvalidCode, find_codes, lookup_code, normalize_code
from chat.knowledge.guides import Guide, all_guides, search_guides
from chat.knowledge.mechanic import answer
from chat.knowledge.safety import Hazard, SafetyVerdict, triage
from chat.knowledge.vin import InvalidVin, VinInfo, decode_vin, find_vins, normalize_vin

__all__ = [
    "CodeInfo",
    "Guide",
    "Hazard",
    "InvalidCode",
    "InvalidVin",
    "SafetyVerdict",
    "VinInfo",
    "all_guides",
    "answer",
    "decode_vin",
    "find_codes",
    "find_vins",
    "lookup_code",
    "normalize_code",
    "normalize_vin",
    "search_guides",
    "triage",
]
