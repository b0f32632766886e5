"""Which regions there are and where they lie: the 2020 and 2010 censuses by county, sex and age group (census), the
region registry built from them, GB/T 2260 and data/regions.csv (registry), boundaries for the map (geo).

May import: models.core, models.intake."""
