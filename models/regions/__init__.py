"""Which regions there are and where they lie: boundaries for the map (geo); the region registry and the census
tables land here.

May import: models.core, models.intake."""
