"""Pure energy domain: no Qt, no DuckDB, no protocol libraries."""
