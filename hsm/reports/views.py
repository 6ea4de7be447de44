"""The reports blueprint (being built)."""

from flask import Blueprint

bp = Blueprint("reports", __name__)
