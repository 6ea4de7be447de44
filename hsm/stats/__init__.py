"""Anonymised statistics for the Executive Board (issue 12): published, suppressed snapshots."""
