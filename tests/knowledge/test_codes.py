import json
import re

import pytest

from chat.knowledge import CodeInfo, InvalidCode, find_codes, lookup_code, normalize_code
from chat.knowledge.codes import DATA_FILE, generic_meanings, maker_usages


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("P0420", "P0420"),
        ("p0420 ", "P0420"),
        ("  u0100\n", "U0100"),
        ("c0035", "C0035"),
        ("B1000", "B1000"),
        ("p0a80", "P0A80"),
        ("P2A00", "P2A00"),
    ],
)
def test_normalize_code(text, expected):
    assert normalize_code(text) == expected


@pytest.mark.parametrize(
    "text", ["", "   ", "P04", "X0420", "P4420", "P04200", "P042G", "0420", "P 0420", "hello"]
)
def test_normalize_code_rejects(text):
    with pytest.raises(InvalidCode, match="trouble code"):
        normalize_code(text)


def test_invalid_code_is_a_value_error():
    assert issubclass(InvalidCode, ValueError)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("my scanner says p0420", ["P0420"]),
        ("P0300 and P0171", ["P0300", "P0171"]),
        ("codes: P0171,P0174", ["P0171", "P0174"]),
        ("hybrid warning (P0A80)", ["P0A80"]),
        ("P0171/P0174 again, then P0171.", ["P0171", "P0174"]),
        ("U0100 - lost comms; also c0035?", ["U0100", "C0035"]),
        ("part AP04201 and number P04200 are not codes", []),
        ("P4420 has an impossible second digit", []),
        ("no codes here, just a 2012 Civic", []),
        ("my 1998 Mazda B2000 won't start", []),
        ("mazda b2300 shows P0340", ["P0340"]),
        ("the B2600 pickup idles rough", []),
        ("airbag light, code B0020 and B0028", ["B0020", "B0028"]),
        ("Mazda 3 with code B1318", ["B1318"]),
        ("Mazda B1318 code on the dash", ["B1318"]),
        ("code B0100 truck airbag light", ["B0100"]),
        ("B2000 came up on my scanner", ["B2000"]),
        ("", []),
    ],
)
def test_find_codes(text, expected):
    assert find_codes(text) == expected


@pytest.mark.parametrize(
    ("code", "generic"),
    [
        ("P0420", True),
        ("P0A80", True),
        ("P1456", False),
        ("P1000", False),
        ("P2187", True),
        ("P2A00", True),
        ("P3000", False),
        ("P3300", False),
        ("P3400", True),
        ("P3900", True),
        ("B0001", True),
        ("B1000", False),
        ("B2000", False),
        ("B3000", True),
        ("C0035", True),
        ("C1234", False),
        ("C2000", False),
        ("U0100", True),
        ("U1000", False),
        ("U2000", False),
        ("U3000", True),
    ],
)
def test_generic_or_manufacturer_specific(code, generic):
    info = lookup_code(code)
    assert info.generic is generic
    if generic:
        assert info.scope == "generic (SAE J2012)"
    else:
        assert info.scope == "manufacturer-specific: check the maker's service information"
        assert info.meaning is None  # never guessed from a generic table


@pytest.mark.parametrize(
    ("code", "system", "subsystem"),
    [
        ("P0101", "Powertrain", "fuel and air metering"),
        ("P0201", "Powertrain", "fuel and air metering (injector circuit)"),
        ("P0300", "Powertrain", "ignition system or misfire"),
        ("P0420", "Powertrain", "auxiliary emission controls"),
        ("P0505", "Powertrain", "vehicle speed control, idle control system and auxiliary inputs"),
        ("P0601", "Powertrain", "computer and output circuits"),
        ("P0700", "Powertrain", "transmission"),
        ("P0900", "Powertrain", "transmission"),
        ("P0A80", "Powertrain", "hybrid propulsion"),
        ("P0B00", "Powertrain", "hybrid propulsion"),
        ("P2A00", "Powertrain", "fuel and air metering and auxiliary emission controls"),
        ("P2BAD", "Powertrain", "fuel and air metering and auxiliary emission controls"),
        ("P2200", "Powertrain", "fuel and air metering"),
        ("P0D21", "Powertrain", "hybrid propulsion"),
        (
            "C0031",
            "Chassis",
            "brakes and stability control (ABS wheel speed sensors, traction control)",
        ),
        ("P3400", "Powertrain", "cylinder deactivation"),
        ("U0001", "Network", "network electrical (the data bus itself)"),
        ("U0100", "Network", "network communication (lost communication with a module)"),
        ("U0401", "Network", "network data (invalid data received from a module)"),
        ("B0001", "Body", "supplemental restraints (airbags and seat-belt pretensioners)"),
    ],
)
def test_structure(code, system, subsystem):
    info = lookup_code(code)
    assert info.system == system
    assert info.subsystem == subsystem


def test_manufacturer_codes_say_their_area_is_only_the_usual_layout():
    assert lookup_code("P1300").subsystem.startswith("ignition system or misfire")
    assert "maker may differ" in lookup_code("P1300").subsystem
    assert "manufacturer" in lookup_code("U1000").subsystem


@pytest.mark.parametrize(
    ("code", "meaning"),
    [
        ("P0420", "Catalyst System Efficiency Below Threshold (Bank 1)"),
        ("P0430", "Catalyst System Efficiency Below Threshold (Bank 2)"),
        ("P0300", "Random/Multiple Cylinder Misfire Detected"),
        ("P0304", "Cylinder 4 Misfire Detected"),
        ("P0171", "System Too Lean (Bank 1)"),
        ("P0174", "System Too Lean (Bank 2)"),
        ("P0172", "System Too Rich (Bank 1)"),
        (
            "P0128",
            "Coolant Thermostat (Coolant Temperature Below Thermostat Regulating Temperature)",
        ),
        ("P0442", "Evaporative Emission Control System Leak Detected (small leak)"),
        ("P0455", "Evaporative Emission Control System Leak Detected (large leak)"),
        ("P0101", "Mass or Volume Air Flow Circuit Range/Performance"),
        ("P0335", 'Crankshaft Position Sensor "A" Circuit'),
        ("P0340", 'Camshaft Position Sensor "A" Circuit (Bank 1 or Single Sensor)'),
        ("P0500", 'Vehicle Speed Sensor "A"'),
        ("P0700", "Transmission Control System (MIL Request)"),
        ("P0135", "O2 Sensor Heater Circuit (Bank 1 Sensor 1)"),
        ("P0401", "Exhaust Gas Recirculation Flow Insufficient Detected"),
        ("P0562", "System Voltage Low"),
        ("P2187", "System Too Lean at Idle (Bank 1)"),
        ("U0100", 'Lost Communication With ECM/PCM "A"'),
        ("U0121", "Lost Communication With Anti-Lock Brake System (ABS) Control Module"),
        ("P20EE", "SCR NOx Catalyst Efficiency Below Threshold (Bank 1)"),
        ("P203F", "Reductant Level Too Low"),
        ("P242F", "Diesel Particulate Filter Restriction - Ash Accumulation (Bank 1)"),
        ("P2BAD", "NOx Exceedence - Root Cause Unknown"),
        ("P0A7F", "Hybrid Battery Pack Deterioration"),
        ("P0AA6", "Hybrid Battery Voltage System Isolation Fault"),
        ("U0111", 'Lost Communication With Battery Energy Control Module "A"'),
        ("C0031", "Left Front Wheel Speed Sensor"),
        ("C0040", 'Brake Pedal Switch "A"'),
    ],
)
def test_known_meanings(code, meaning):
    assert lookup_code(code).meaning == meaning


def test_maker_usage_of_a_generic_number_is_noted_not_chosen():
    info = lookup_code("c0035")
    assert info.meaning == "Right Front Wheel Speed Sensor Supply"  # SAE J2012
    assert "GM vehicles" in info.note and "Left Front Wheel Speed Sensor Circuit" in info.note
    assert info.as_dict()["note"] == info.note
    # The current standard's meaning of C0045 isn't on file, but GM's use of it is.
    gm_only = lookup_code("C0045")
    assert gm_only.meaning is None and "Left Rear Wheel Speed Sensor" in gm_only.note
    assert "note" not in lookup_code("P0420").as_dict()
    assert lookup_code("C1035").note is None  # notes are for generic numbers only


def test_maker_usage_file_is_sane():
    usages = maker_usages()
    assert usages
    for code, usage in usages.items():
        assert lookup_code(code).generic, code
        assert usage.meaning.strip() == usage.meaning and usage.makes, code
        assert usage.brand("chevrolet") == "Chevrolet" and usage.brand("gm") == "GM"
        assert usage.brand("chevy") == "Chevy" and usage.brand("Chevrolet USA") == "Chevrolet"
        assert usage.brand("Ford") is None and usage.brand("") is None


def test_generic_code_missing_from_the_table_has_no_meaning():
    info = lookup_code("P2FFF")
    assert info.generic is True
    assert info.meaning is None


def test_as_dict_is_json_serialisable():
    data = json.loads(json.dumps(lookup_code("p0420").as_dict()))
    details = data.pop("details")
    assert data == {
        "code": "P0420",
        "system": "Powertrain",
        "generic": True,
        "scope": "generic (SAE J2012)",
        "subsystem": "auxiliary emission controls",
        "meaning": "Catalyst System Efficiency Below Threshold (Bank 1)",
    }
    assert "catalytic converter" in details["causes"][0].lower()
    assert details["drive"] in ("yes", "caution", "no") and details["drive_verdict"]
    assert details["cost"][0] <= details["cost"][1]
    assert "details" not in lookup_code("P1456").as_dict()  # never guessed for maker codes
    assert isinstance(lookup_code("P0420"), CodeInfo)


def test_lookup_rejects_bad_codes():
    with pytest.raises(InvalidCode):
        lookup_code("P04")


def test_data_file_is_sane():
    with DATA_FILE.open(encoding="utf-8") as handle:
        table = json.load(handle)
    assert len(table) >= 600
    for code, meaning in table.items():
        assert re.fullmatch(r"[PBCU][0-3][0-9A-F]{3}", code), code
        assert lookup_code(code).generic, f"{code} is manufacturer-specific"
        assert isinstance(meaning, str) and meaning.strip() == meaning and meaning, code
    assert generic_meanings() == table


def test_data_covers_the_generic_ranges_asked_for():
    table = generic_meanings()
    wanted = [
        *[f"P{n:04d}" for n in range(2096, 2100)],
        *[f"P{n:04d}" for n in range(2187, 2192)],
        *[f"P{n:04d}" for n in range(2195, 2199)],
        *[f"P{n:04d}" for n in range(2270, 2274)],
        *[f"P{n:04d}" for n in range(2135, 2139)],
        *[f"P{n:04d}" for n in range(2004, 2009)],
        *[f"U{n:04d}" for n in range(100, 116)],
        *[f"U{n:04d}" for n in range(121, 133)],
        *[f"U{n:04d}" for n in range(140, 149)],
        *[f"U{n:04d}" for n in range(151, 156)],
        "P2101", "P2119", "P2400", "P2401", "P2A00", "U0001",
    ]  # fmt: skip
    missing = [code for code in wanted if code not in table]
    assert not missing
    assert sum(code.startswith("P0") for code in table) >= 900


def test_meanings_are_loaded_once():
    assert generic_meanings() is generic_meanings()
