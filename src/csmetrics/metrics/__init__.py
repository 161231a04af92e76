"""Pure metric functions on polars frames: no file access, no rendering."""
