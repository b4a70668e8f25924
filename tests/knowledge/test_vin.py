import json

import pytest

from chat.knowledge import InvalidVin, VinInfo, decode_vin, find_vins, normalize_vin


def test_decodes_a_north_american_honda():
    info = decode_vin("1hgcm82633a004352")
    assert isinstance(info, VinInfo)
    assert info.vin == "1HGCM82633A004352"
    assert (info.wmi, info.vds, info.vis) == ("1HG", "CM8263", "3A004352")
    assert info.manufacturer == "Honda"
    assert info.country == "United States"
    assert info.region == "North America"
    assert info.model_years == (2003,)
    assert info.check_digit_valid is True
    assert info.warnings == ()


def test_european_vin_without_check_digit_is_a_warning_not_an_error():
    info = decode_vin("WVWZZZ1JZXW000001")
    assert info.manufacturer == "Volkswagen"
    assert info.country == "Germany"
    assert info.region == "Europe"
    assert info.model_years == (1999,)
    assert info.check_digit_valid is False
    assert len(info.warnings) == 1
    assert "normal for many VINs built outside North America" in info.warnings[0]


def test_north_american_vin_with_a_bad_check_digit_suggests_a_typo():
    info = decode_vin("1HGCM82613A004352")  # check digit changed from 3 to 1
    assert info.check_digit_valid is False
    assert "mistyped" in info.warnings[0]


def test_bmw_year_code_gives_candidates_newest_first():
    info = decode_vin("WBA3A5C51CF256651")
    assert info.manufacturer == "BMW"
    assert info.country == "Germany"
    assert info.model_years == (2012, 1982)


def test_toyota():
    info = decode_vin("JTDKB20U093477125")
    assert info.manufacturer == "Toyota"
    assert info.country == "Japan"
    assert info.region == "Asia"
    assert info.model_years == (2009,)


def test_model_years_are_never_later_than_next_year():
    from datetime import date

    info = decode_vin("WP0ZZZ99ZTS392124")  # "T": 1996 or 2026
    assert max(info.model_years) <= date.today().year + 1
    assert 1996 in info.model_years


def test_details_for_brands_vininfo_knows():
    info = decode_vin("VF1LM1B0H36666155")
    assert info.manufacturer == "Renault"
    assert info.details["Model"] == "Megan II"
    assert info.details["Serial"] == "6666155"


def test_details_with_several_candidates_are_listed():
    # vininfo maps this Nissan model letter to several models; its own annotate() crashes on it.
    info = decode_vin("JN1AZ4EH7DM430111")
    assert info.manufacturer == "Nissan"
    assert info.details["Model"].startswith("one of ")
    assert "350Z" in info.details["Model"]


def test_unknown_manufacturer_does_not_crash():
    info = decode_vin("ZZZ11111111111111")
    assert info.manufacturer == "Unknown manufacturer (WMI ZZZ)"


def test_unknown_region_is_labelled():
    info = decode_vin("00011111111111111")  # no region uses a leading 0
    assert info.region == "Unknown region"
    assert info.country == "Unknown country"


def test_impossible_year_code_is_a_warning():
    vin = "1HGCM82633A004352"
    info = decode_vin(vin[:9] + "U" + vin[10:])  # U, Z and 0 are never year codes
    assert info.model_years == ()
    assert any("not a model-year code" in warning for warning in info.warnings)


def test_as_dict_is_json_serialisable():
    data = decode_vin("WVWZZZ1JZXW000001").as_dict()
    assert json.loads(json.dumps(data)) == data
    assert data["model_years"] == [1999]
    assert data["check_digit_valid"] is False
    assert isinstance(data["warnings"], list) and isinstance(data["details"], dict)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("My VIN is 1HGCM82633A004352, what year is it?", ["1HGCM82633A004352"]),
        ("vin: wvwzzz1jzxw000001.", ["WVWZZZ1JZXW000001"]),
        ("1HGCM82633A004352 and again 1hgcm82633a004352", ["1HGCM82633A004352"]),
        (
            "(JTDKB20U093477125) or WBA3A5C51CF256651?",
            ["JTDKB20U093477125", "WBA3A5C51CF256651"],
        ),
        ("a 17-digit number 12345678901234567 is not a VIN", []),
        ("neither is a long word like abcdefghjklmnprst", []),
        ("too long: 1HGCM82633A0043521", []),
        ("has an O: 1HGCM82633AOO4352", []),
        ("", []),
    ],
)
def test_find_vins(text, expected):
    assert find_vins(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "No VIN"),
        ("   ", "No VIN"),
        ("1HGCM82633A00435", "17 characters"),
        ("1HGCM82633A0043521", "17 characters"),
        ("1HGCM82633A00435O", "I, O or Q"),
        ("IHGCM82633A004352", "I, O or Q"),
        ("1HGCM82633A00435Q", "I, O or Q"),
        ("1HGCM82633A00435!", "only letters and digits"),
    ],
)
def test_normalize_vin_rejects(text, message):
    with pytest.raises(InvalidVin, match=message):
        normalize_vin(text)


def test_normalize_vin_tidies_spacing_and_case():
    assert normalize_vin(" 1hgcm82633a004352\n") == "1HGCM82633A004352"
    assert normalize_vin("1HG-CM826-33A004352") == "1HGCM82633A004352"


def test_decode_rejects_bad_vins():
    with pytest.raises(InvalidVin):
        decode_vin("x")
    assert issubclass(InvalidVin, ValueError)
