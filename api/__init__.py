"""dcopt's HTTP API (CONTRACT section 8): FastAPI app, job records in a SQL database,
solves in worker processes. Start it with ``dcopt serve``; see docs/api.md."""
