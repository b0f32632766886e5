"""The planning domain: standards (beds per 1,000 elderly, nursing share, places per 1,000), supply, demand and
gaps, the audit of a plan's own arithmetic, the final review of the 2025 targets (review) and the 十五五 (2030)
targets and standards (targets).

May import: models.core, models.intake, models.regions, models.store."""
