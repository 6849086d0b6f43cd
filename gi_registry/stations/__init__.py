"""Trademark brand guidance stations: station records, the service ledger, articles, consent."""
