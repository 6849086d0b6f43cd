"""Product standards: versioned TOML data files, their validation, comparison and search."""
