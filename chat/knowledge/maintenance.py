"""Typical maintenance intervals, and what falls due around a given mileage.

The intervals are typical middles of common manufacturer schedules; every answer tells the owner
to confirm against their own service schedule.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import cache
from pathlib import Path

DATA_FILE = Path(__file__).parent / "data" / "maintenance_schedule.json"
# An item is "due soon" when its next mileage milestone is this close.
DUE_SOON_MILES = 5000


@dataclass(frozen=True)
class ScheduleItem:
    item: str
    miles: int | None
    months: int | None
    range: str
    diy: bool


@dataclass(frozen=True)
class DueItem:
    item: ScheduleItem
    next_due_miles: int | None  # None for items set by time alone


@cache
def schedule() -> tuple[ScheduleItem, ...]:
    with DATA_FILE.open(encoding="utf-8") as handle:
        return tuple(ScheduleItem(**entry) for entry in json.load(handle))


def due_around(mileage: int) -> tuple[list[DueItem], list[DueItem]]:
    """Items whose next milestone is within DUE_SOON_MILES of ``mileage``, and the time-based
    ones (brake fluid, battery, wipers) that are due by age whatever the mileage."""
    soon: list[DueItem] = []
    by_time: list[DueItem] = []
    for item in schedule():
        if item.miles is None:
            by_time.append(DueItem(item, None))
            continue
        next_due = max(1, math.ceil(mileage / item.miles)) * item.miles
        if next_due - mileage <= DUE_SOON_MILES:
            soon.append(DueItem(item, next_due))
    return soon, by_time
