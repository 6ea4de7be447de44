"""Staff sign-in and account screens (being built)."""

from flask import Blueprint

from hsm.security import public

bp = Blueprint("accounts", __name__, url_prefix="/staff")


@bp.get("/login")
@public
def login():
    return "login"
