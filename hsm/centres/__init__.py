"""Centres as data: one TOML file per centre, checked at start-up, and the
public support pages a student sees first."""
