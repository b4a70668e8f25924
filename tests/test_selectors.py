"""Reads that are plain functions of what was already loaded."""

from types import SimpleNamespace

from chat.selectors import RECENT_VEHICLES, recent_vehicles


def _conversations(*vehicles):
    return [SimpleNamespace(vehicle=vehicle) for vehicle in vehicles]


def test_recent_vehicles_keep_order_drop_repeats_and_vague_ones():
    found = recent_vehicles(
        _conversations(
            {"year": 2015, "make": "Volkswagen", "model": "Golf", "engine": ""},
            {"year": 2015, "make": "volkswagen", "model": "GOLF", "mileage": 1},
            {"year": 2012},
            {},
            {"vin": "1HGCM82633A004352"},
        )
    )
    assert found == [
        {"year": 2015, "make": "Volkswagen", "model": "Golf"},
        {"vin": "1HGCM82633A004352"},
    ]


def test_recent_vehicles_leave_out_the_one_in_use_and_stop_at_the_limit():
    cars = [{"make": "Ford", "model": f"Model {n}"} for n in range(RECENT_VEHICLES + 3)]
    found = recent_vehicles(_conversations(*cars), exclude={"make": "FORD", "model": "model 0"})
    assert len(found) == RECENT_VEHICLES
    assert found[0] == {"make": "Ford", "model": "Model 1"}
