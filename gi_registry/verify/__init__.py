"""The public URLs printed on products (/v/, /l/): small, read-only, stable forever."""
