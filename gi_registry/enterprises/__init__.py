"""Enterprises: producers register their company; officials record and look them up."""
