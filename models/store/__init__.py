"""What is kept, and who keeps it: the one module that talks to DuckDB (database), the facts as served (facts),
accounts and roles, user data and its change log (userdata), imported documents and quotes (user_documents),
named scenarios (scenarios).

May import: models.core, models.intake, models.regions."""
