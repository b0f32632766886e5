"""The planning domain: standards (beds per 1,000 elderly, nursing share, places per 1,000), supply, demand and
gaps, and the audit of a plan's own arithmetic.

May import: models.core, models.intake, models.regions, models.store."""
