"""Sign-in, sign-out and the gate in front of every route and callback.

- Pages other than the public ones redirect to /signin when signed out.
- Dash callbacks answer 401 when signed out, except the page-routing callback, whose
  protected layouts are swapped for a sign-in prompt (see `guard_page_layouts`).
- Forms carry CSRF tokens (Flask-WTF); sign-in is rate limited in the store.
- A session holds the user's id and session version ("id:version"); sign-out,
  disabling the account, a role change or a password reset raise the stored version,
  which ends every session of that user at once, copied cookies included. (A click
  repeated within seconds may be answered in front of Flask by web.warm_callbacks,
  which trusts the gate's verdict on a user for 5 s at most and drops it at once
  when these functions end the user's sessions.)
- While the store cannot be reached a signed-in visitor is neither signed in nor
  signed out: pages and callbacks answer 503 "temporarily unavailable" and the
  session is kept, so the same click works again once the store is back.
"""

from __future__ import annotations

import functools
import secrets
from urllib.parse import urlsplit

import dash
from flask import (
    Blueprint,
    Flask,
    current_app,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import LoginManager, UserMixin, current_user, login_user, logout_user
from flask_wtf import FlaskForm
from flask_wtf.csrf import CSRFProtect
from itsdangerous import BadSignature, URLSafeTimedSerializer
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length

import settings
from data_access import sign_in_limits, users
from data_access.errors import StoreUnavailable
from web.security import refuse_malformed_callback
from web.warm_callbacks import client_identifier

blueprint = Blueprint("auth", __name__, template_folder="templates")
login_manager = LoginManager()
csrf = CSRFProtect()

# Paths anyone may load. Dash's own plumbing is public so the public pages render;
# every data callback is still checked below.
PUBLIC_PATHS = {
    "/signin",
    "/signout",
    "/healthz",
    "/readyz",
    "/accessibility",
    "/_dash-layout",
    "/_dash-dependencies",
    "/_favicon.ico",
    "/favicon.ico",
    "/_reload-hash",
}
PUBLIC_PREFIXES = (
    "/assets/",
    "/_dash-component-suites/",
    "/embed",
    "/api/v1",
    # Atom feeds of alerts: the token in the address is the credential.
    "/feeds/alerts/",
)
# Callbacks a signed-out visitor may run: Dash's page router (protected layouts are
# replaced by a sign-in prompt) and clientside-only helpers never reach the server.
PUBLIC_CALLBACK_OUTPUTS = {
    ".._pages_content.children..._pages_store.data..",
    # The header's unread-alerts count (pages/alerts.py): on every page, so it
    # runs for signed-out visitors too, and answers them "Alerts" and nothing else.
    "shell-alerts.children",
}
DASH_CALLBACK_PATH = "/_dash-update-component"


class SignedInUser(UserMixin):
    def __init__(self, record: users.UserRecord):
        self.record = record
        self.id = str(record.id)

    def get_id(self) -> str:
        """What the session keeps: the user and the session version signed in under."""
        return f"{self.record.id}:{self.record.session_version}"


class SignInForm(FlaskForm):
    username = StringField("User name", validators=[DataRequired(), Length(max=80)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=200)])


class SignOutForm(FlaskForm):
    pass


# Set on a request whose session names a user the store could not be asked about.
USER_UNKNOWN = "vru_user_unknown"


@login_manager.user_loader
def _load_user(session_id: str):
    try:
        user_id, version = (int(part) for part in session_id.split(":"))
    except ValueError:  # not a session this release wrote: signed out
        return None
    try:
        record = users.signed_in_user(user_id, version)
    except StoreUnavailable:
        # Not "signed out": the gate answers "temporarily unavailable" instead.
        g.setdefault(USER_UNKNOWN, True)
        return None
    return SignedInUser(record) if record else None


def _store_unavailable_for_this_user() -> bool:
    return bool(g.get(USER_UNKNOWN))


def is_public_path(path: str) -> bool:
    return path in PUBLIC_PATHS or path.startswith(PUBLIC_PREFIXES)


def _safe_next(target: str | None) -> str:
    """Only same-site relative paths, so sign-in cannot redirect elsewhere."""
    if not target:
        return "/"
    parts = urlsplit(target)
    if (
        parts.scheme
        or parts.netloc
        or not target.startswith("/")
        or target.startswith("//")
    ):
        return "/"
    return target


def _gate():
    path = request.path
    if current_user.is_authenticated or is_public_path(path):
        return refuse_malformed_callback() if path == DASH_CALLBACK_PATH else None
    if path == DASH_CALLBACK_PATH:
        body = request.get_json(silent=True)
        if isinstance(body, dict) and body.get("output") in PUBLIC_CALLBACK_OUTPUTS:
            return refuse_malformed_callback()
    if _store_unavailable_for_this_user():
        raise StoreUnavailable("the signed-in user cannot be read")
    if path == DASH_CALLBACK_PATH:
        return jsonify(error="sign in to see this"), 401
    if request.method != "GET" or path.startswith("/_dash"):
        return jsonify(error="sign in to see this"), 401
    query = request.query_string.decode("utf-8", "replace")
    target = path + (f"?{query}" if query else "")
    return redirect(url_for("auth.signin", next=target))


@blueprint.route("/signin", methods=["GET", "POST"])
def signin():
    form = SignInForm()
    error = None
    status = 200
    next_url = _safe_next(request.values.get("next"))
    if current_user.is_authenticated and request.method == "GET":
        return redirect(next_url)
    if _store_unavailable_for_this_user():
        raise StoreUnavailable("the signed-in user cannot be read")
    if request.method == "POST":
        answer = _answer_sign_in(form, next_url)
        if not isinstance(answer, tuple):
            return answer
        error, status = answer
    return (
        render_template("signin.html", form=form, error=error, next_url=next_url),
        status,
    )


def _answer_sign_in(form: SignInForm, next_url: str):
    """The redirect of a successful sign-in, or the refusal's (message, status)."""
    if not form.validate_on_submit():
        return "Enter your user name and password.", 400
    try:
        outcome = _attempt_sign_in(
            (form.username.data or "").strip(), form.password.data or ""
        )
    except StoreUnavailable:
        return "Sign-in is temporarily unavailable. Please try again shortly.", 503
    if outcome.user is not None:
        session.clear()
        login_user(SignedInUser(outcome.user))
        response = redirect(next_url)
        _remember_browser(response, outcome.user.username)
        return response
    if outcome.too_many:
        minutes = settings.sign_in_window_seconds() // 60
        return f"Too many failed attempts. Wait {minutes} minutes and try again.", 429
    return "The user name or password is not right.", 401


# A browser that has signed in as a user carries a signed token naming it, so the
# sign-in limits can tell the real user's browser from strangers guessing
# (data_access/sign_in_limits.py, rule 1). It grants nothing else.
KNOWN_BROWSER_COOKIE = "vru_known_browser"
KNOWN_BROWSER_DAYS = 30
KNOWN_BROWSER_NAMES = 5


def _browser_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(
        current_app.config["SECRET_KEY"], salt="vru-known-browser"
    )


def _known_browser() -> dict | None:
    token = request.cookies.get(KNOWN_BROWSER_COOKIE)
    if not token:
        return None
    try:
        value = _browser_serializer().loads(token, max_age=KNOWN_BROWSER_DAYS * 86400)
    except BadSignature:
        return None
    if not isinstance(value, dict) or not isinstance(value.get("names"), list):
        return None
    return value


def _attempt_sign_in(username: str, password: str) -> sign_in_limits.Outcome:
    browser = _known_browser()
    known = browser["id"] if browser and username in browser["names"] else None
    return sign_in_limits.attempt(
        username=username,
        password=password,
        client=request.remote_addr or "unknown",
        known_browser=known,
        limits=sign_in_limits.Limits(
            attempts=settings.sign_in_attempts_per_window(),
            window=settings.sign_in_window_seconds(),
        ),
    )


def _remember_browser(response, username: str) -> None:  # noqa: ANN001
    browser = _known_browser() or {"id": secrets.token_hex(8), "names": []}
    names = [username, *(n for n in browser["names"] if n != username)]
    token = _browser_serializer().dumps(
        {"id": browser["id"], "names": names[:KNOWN_BROWSER_NAMES]}
    )
    response.set_cookie(
        KNOWN_BROWSER_COOKIE,
        token,
        max_age=KNOWN_BROWSER_DAYS * 86400,
        httponly=True,
        samesite="Lax",
        secure=settings.https(),
        path="/signin",
    )


@blueprint.route("/signout", methods=["POST"])
def signout():
    if current_user.is_authenticated:
        users.end_sessions(current_user.record.id)
    elif _store_unavailable_for_this_user():
        # Keep the session: ending it here alone would leave copies of it alive.
        raise StoreUnavailable("sessions cannot be ended while the store is down")
    logout_user()
    session.clear()
    return redirect(url_for("auth.signin"))


def guard_page_layouts() -> None:
    """Wrap every non-public page's layout: a signed-out request routed client-side
    gets a sign-in prompt instead of the page. Pages opt out with public=True."""
    for page in dash.page_registry.values():
        if page.get("public") or not callable(page.get("layout")):
            continue
        page["layout"] = _signed_in_layout(page["layout"], page["path"])


def _routed_url(fallback: str) -> str:
    """The address the page router was asked for (path and query string, as the
    browser shows it), so that signing in comes back to it."""
    body = request.get_json(silent=True)
    inputs = body.get("inputs") if isinstance(body, dict) else None
    values = {
        item.get("property"): item.get("value")
        for item in inputs or []
        if isinstance(item, dict) and item.get("id") == "_pages_location"
    }
    pathname = values.get("pathname")
    if not isinstance(pathname, str) or not pathname.startswith("/"):
        return fallback
    search = values.get("search")
    return _safe_next(pathname + (search if isinstance(search, str) else ""))


def _signed_in_layout(layout, path: str):
    @functools.wraps(layout)
    def wrapper(**kwargs):
        from flask import has_request_context

        # Only the router's answer is swapped; Dash also calls every layout once to
        # build its validation layout, and that must see the real page.
        routed = has_request_context() and request.path == DASH_CALLBACK_PATH
        if routed and not current_user.is_authenticated:
            from dash import html

            if _store_unavailable_for_this_user():
                raise StoreUnavailable("the signed-in user cannot be read")

            return html.Div(
                [
                    html.H1("Sign in to see this page"),
                    html.A(
                        "Sign in",
                        href=url_for("auth.signin", next=_routed_url(path)),
                        className="btn btn-primary",
                    ),
                ]
            )
        return layout(**kwargs)

    return wrapper


def _client_identifier() -> str:
    """Flask-Login's session identifier of this client (its _create_identifier),
    read from the WSGI environ in one go rather than through request.headers."""
    return client_identifier(request.environ)


def init_auth(server: Flask) -> None:
    login_manager.init_app(server)
    login_manager._session_identifier_generator = _client_identifier
    login_manager.login_view = "auth.signin"
    csrf.init_app(server)
    server.register_blueprint(blueprint)
    server.before_request(_gate)
    # Dash callbacks are JSON POSTs (a cross-site form cannot send them without a
    # CORS preflight) and cookies are SameSite=Lax, so they are exempt from the
    # form CSRF check; sign-in and sign-out forms are not.
    for name, view in server.view_functions.items():
        if name.startswith("_dash") or "dash" in name and "update" in name:
            csrf.exempt(view)
