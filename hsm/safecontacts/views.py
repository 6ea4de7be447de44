"""The safecontacts blueprint (being built)."""

from flask import Blueprint

bp = Blueprint("safecontacts", __name__)
