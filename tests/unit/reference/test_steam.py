"""Steam listings checked against IAPWS-IF97 at absolute pressure."""

import pytest

from services.listings.domain.reference.steam import check_steam_state, saturation_temperature_c


def test_saturation_at_one_megapascal_absolute_is_about_179_9_c():
    assert saturation_temperature_c(1.0) == pytest.approx(179.886, abs=0.01)


def test_saturation_at_atmospheric_pressure_is_about_100_c():
    assert saturation_temperature_c(0.101325) == pytest.approx(99.974, abs=0.01)


def test_steam_just_above_saturation_at_1_mpa_is_accepted():
    check_steam_state(179.9, 1.0)


def test_saturated_steam_exactly_at_saturation_is_accepted():
    check_steam_state(saturation_temperature_c(1.0), 1.0)


def test_steam_just_below_saturation_at_1_mpa_is_refused_with_the_saturation_temperature():
    with pytest.raises(ValueError, match=r"below the saturation temperature 179\.89 °C at 1\.0 MPa"):
        check_steam_state(179.8, 1.0)


def test_gauge_reading_mistaken_for_absolute_is_explained():
    # 1.0 MPa(g) is about 1.1 MPa absolute, where saturation is about 184 °C.
    with pytest.raises(ValueError, match="gauge"):
        check_steam_state(182.0, 1.101325)


@pytest.mark.parametrize("pressure", [0.0, -0.1, 100.5])
def test_pressure_outside_if97_is_refused(pressure):
    with pytest.raises(ValueError, match="outside IF97's valid range"):
        check_steam_state(300.0, pressure)


def test_temperature_outside_if97_is_refused():
    with pytest.raises(ValueError, match="outside IF97's valid range"):
        check_steam_state(2100.0, 1.0)


def test_very_hot_steam_above_50_mpa_is_outside_if97():
    with pytest.raises(ValueError, match="only up to 50.0 MPa"):
        check_steam_state(900.0, 60.0)


def test_supercritical_pressure_needs_supercritical_temperature():
    check_steam_state(550.0, 25.0)
    with pytest.raises(ValueError, match="compressed liquid"):
        check_steam_state(300.0, 25.0)


def test_saturation_temperature_is_undefined_above_the_critical_pressure():
    with pytest.raises(ValueError, match="no saturation temperature"):
        saturation_temperature_c(23.0)
