"""Steam supply states checked against IAPWS-IF97 (via the ``iapws`` package, 1.5.x).

A steam listing states a supply temperature and a pressure. Steam cannot exist below the
saturation temperature at its pressure (it would be condensate), so a listing of
"170 °C steam at 1.0 MPa" is a typo or a gauge/absolute mix-up and must be refused before it
is matched to a heat want.

Pressure convention: **absolute pressure in MPa** (``pressure_mpa``), as IF97 uses. Plant
gauges usually read gauge pressure (MPa(g)); absolute = gauge + local atmospheric pressure
(about 0.101 MPa at sea level). Entering 1.0 MPa(g) as 1.0 MPa absolute under-states the
saturation temperature by about 4 K (179.9 °C instead of about 184 °C); the user interface
must say "MPa (absolute)" and convert if it accepts gauge readings.

IF97 validity (IAPWS R7-97(2012)): 0 °C <= T <= 800 °C for 0 < p <= 100 MPa, and
800 °C < T <= 2000 °C for 0 < p <= 50 MPa. The saturation line runs from 611.213 Pa to the
critical point (22.064 MPa, 373.946 °C). Above the critical pressure there is no saturation;
we then require the temperature to be at least the critical temperature, so that the fluid
is supercritical steam rather than compressed liquid.
"""

from __future__ import annotations

from iapws import iapws97

KELVIN = 273.15
CRITICAL_PRESSURE_MPA = iapws97.Pc  # 22.064
CRITICAL_TEMPERATURE_C = iapws97.Tc - KELVIN  # 373.946
SATURATION_MIN_PRESSURE_MPA = 611.212677e-6  # lower end of the IF97 saturation equation
MAX_PRESSURE_MPA = 100.0
HIGH_TEMPERATURE_MAX_PRESSURE_MPA = 50.0
MIN_TEMPERATURE_C = 0.0
REGION_1_TO_3_MAX_TEMPERATURE_C = 800.0
MAX_TEMPERATURE_C = 2000.0


def saturation_temperature_c(pressure_mpa: float) -> float:
    """Saturation temperature (°C) at an absolute pressure (MPa), IF97 equation 31."""
    if not SATURATION_MIN_PRESSURE_MPA <= pressure_mpa <= CRITICAL_PRESSURE_MPA:
        raise ValueError(
            f"pressure {pressure_mpa} MPa (absolute) has no saturation temperature: IF97 "
            f"defines saturation from {SATURATION_MIN_PRESSURE_MPA:.6f} MPa to the critical "
            f"pressure {CRITICAL_PRESSURE_MPA} MPa"
        )
    # iapws97._TSat_P is IF97's own backward saturation equation; the public IAPWS97 class
    # refuses states near the triple point, and iapws is pinned to 1.5.x, so the name is stable.
    return iapws97._TSat_P(pressure_mpa) - KELVIN


def _check_if97_range(temperature_c: float, pressure_mpa: float) -> None:
    if not 0 < pressure_mpa <= MAX_PRESSURE_MPA:
        raise ValueError(
            f"pressure {pressure_mpa} MPa (absolute) is outside IF97's valid range "
            f"(above 0 and up to {MAX_PRESSURE_MPA} MPa)"
        )
    if not MIN_TEMPERATURE_C <= temperature_c <= MAX_TEMPERATURE_C:
        raise ValueError(
            f"temperature {temperature_c} °C is outside IF97's valid range "
            f"({MIN_TEMPERATURE_C} to {MAX_TEMPERATURE_C} °C)"
        )
    if temperature_c > REGION_1_TO_3_MAX_TEMPERATURE_C and pressure_mpa > HIGH_TEMPERATURE_MAX_PRESSURE_MPA:
        raise ValueError(
            f"IF97 covers temperatures above {REGION_1_TO_3_MAX_TEMPERATURE_C} °C only up to "
            f"{HIGH_TEMPERATURE_MAX_PRESSURE_MPA} MPa; got {temperature_c} °C at {pressure_mpa} MPa"
        )


def check_steam_state(temperature_c: float, pressure_mpa: float) -> None:
    """Raise ValueError unless (T, p absolute) is a valid steam state within IF97.

    Saturated steam (temperature equal to saturation) is accepted; anything colder is not.
    """
    _check_if97_range(temperature_c, pressure_mpa)
    if pressure_mpa > CRITICAL_PRESSURE_MPA:
        if temperature_c < CRITICAL_TEMPERATURE_C:
            raise ValueError(
                f"at {pressure_mpa} MPa (absolute, above the critical pressure "
                f"{CRITICAL_PRESSURE_MPA} MPa) water below the critical temperature "
                f"{CRITICAL_TEMPERATURE_C:.3f} °C is compressed liquid, not steam; got {temperature_c} °C"
            )
        return
    if pressure_mpa < SATURATION_MIN_PRESSURE_MPA:
        return  # below the triple-point pressure water above 0 °C can only be vapour
    saturation = saturation_temperature_c(pressure_mpa)
    if temperature_c < saturation:
        raise ValueError(
            f"temperature {temperature_c} °C is below the saturation temperature "
            f"{saturation:.2f} °C at {pressure_mpa} MPa (absolute, IF97), so it would be "
            "liquid water, not steam; if the pressure was read from a gauge, add atmospheric "
            "pressure (about 0.101 MPa)"
        )
