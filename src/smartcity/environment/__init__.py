"""Environmental monitoring: VN_AQI, VN_WQI, floods, rain and noise, warnings, public map, forecasts."""
