"""The embedded knowledge offered to models as function-calling tools."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from chat.knowledge import InvalidCode, InvalidVin, decode_vin, lookup_code, search_guides
from chat.llm.base import Tool
from chat.prompts import VEHICLE_LABELS


def _lookup_trouble_code(args: dict[str, Any]) -> dict[str, Any]:
    try:
        return lookup_code(str(args.get("code", ""))).as_dict()
    except InvalidCode as exc:
        return {"error": str(exc)}


def _decode_vin(args: dict[str, Any]) -> dict[str, Any]:
    try:
        return decode_vin(str(args.get("vin", ""))).as_dict()
    except InvalidVin as exc:
        return {"error": str(exc)}


def _search_repair_guides(args: dict[str, Any]) -> dict[str, Any]:
    query = str(args.get("query", ""))[:500]
    results = search_guides(query, limit=3)
    if not results:
        return {"results": [], "note": "No repair guide matches; ask the owner for more detail."}
    return {
        "results": [
            {**guide.as_dict(), "score": round(score, 1)}
            for guide, score in results
            if score >= results[0][1] * 0.5
        ]
    }


def knowledge_tools(vehicle: Mapping[str, Any] | None) -> list[Tool]:
    """Tools for one turn; ``get_vehicle_profile`` answers with this conversation's vehicle."""
    profile = {key: (vehicle or {}).get(key) for key in VEHICLE_LABELS}
    return [
        Tool(
            name="lookup_trouble_code",
            description=(
                "Look up an OBD-II diagnostic trouble code (e.g. P0420, U0100): its system, "
                "whether it is generic or manufacturer-specific, its subsystem and meaning."
            ),
            parameters={
                "type": "object",
                "properties": {"code": {"type": "string", "description": "e.g. P0420"}},
                "required": ["code"],
            },
            run=_lookup_trouble_code,
        ),
        Tool(
            name="decode_vin",
            description=(
                "Decode a 17-character VIN: manufacturer, country, possible model years, "
                "check digit and any known details."
            ),
            parameters={
                "type": "object",
                "properties": {"vin": {"type": "string", "description": "17 characters"}},
                "required": ["vin"],
            },
            run=_decode_vin,
        ),
        Tool(
            name="search_repair_guides",
            description=(
                "Search the repair guides by symptom in the owner's words (e.g. 'grinding when "
                "braking', 'white smoke from exhaust', 'AC blows warm'). Returns ranked causes, "
                "step-by-step checks, DIY vs shop, tools, cost ranges and safety notes."
            ),
            parameters={
                "type": "object",
                "properties": {"query": {"type": "string", "description": "the symptom"}},
                "required": ["query"],
            },
            run=_search_repair_guides,
        ),
        Tool(
            name="get_vehicle_profile",
            description="The owner's vehicle as saved on this conversation (fields may be null).",
            parameters={"type": "object", "properties": {}},
            run=lambda _args: profile,
        ),
    ]
