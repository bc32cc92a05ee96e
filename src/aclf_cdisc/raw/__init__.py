"""Reading the raw EDC export: layouts from specs/raw, readers, layout checks, value parsers."""
