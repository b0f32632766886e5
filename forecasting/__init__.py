"""Population projections (plan / statistical / override) and the analysts' command line (`python -m forecasting`)."""
