"""The only package that touches files: readers, format sniffing, column mapping, writers."""
