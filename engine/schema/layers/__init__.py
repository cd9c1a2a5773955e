"""The layer catalog's entries, one module per family (imported in palette order by engine.schema.catalog)."""
