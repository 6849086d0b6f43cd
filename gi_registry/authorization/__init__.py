"""Applications to use the special mark, their review, and the authorizations they lead to."""
