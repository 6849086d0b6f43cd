"""Home page, language switch and other site-wide pages."""
