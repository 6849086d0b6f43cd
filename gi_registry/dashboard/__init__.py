"""The officials' dashboard: how the programme is going, in charts drawn on the server."""
