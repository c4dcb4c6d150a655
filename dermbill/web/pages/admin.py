"""Administration: an administrator manages the users of their own billing company (add, roles and practices,
disable and enable, a one-time password, a reset second factor). Anyone else's user answers 404."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response

from dermbill.core.access import Permission, Role
from dermbill.core.errors import InvalidInput, NotFound
from dermbill.db.engine import Database
from dermbill.services.users import (
    User,
    add_user,
    company_practices,
    company_user,
    disable_user,
    enable_user,
    list_users,
    reset_password,
    reset_second_factor,
    set_access,
)
from dermbill.services.web_sessions import LiveSession
from dermbill.web.pages.common import Csrf, PageSession, database_of, page_permitted, render

ROLE_CHOICES = [(role.value, role.value.replace("_", " ")) for role in Role]


def _target(database: Database, admin: User, email: str) -> User:
    try:
        return company_user(database, admin.organization_id, email)
    except NotFound as missing:
        raise HTTPException(status_code=404, detail=str(missing)) from None


def _users_page(request: Request, session: LiveSession, *, problem: str | None = None,
                form: Mapping[str, object] | None = None, created: tuple[str, str] | None = None,
                status_code: int = 200) -> Response:
    database = database_of(request)
    return render(request, "admin_users.html", {
        "title": "Users", "users": list_users(database, company=session.user.company),
        "practices": company_practices(database, session.user.organization_id), "roles": ROLE_CHOICES,
        "problem": problem, "form": form or {}, "created": created}, session=session, status_code=status_code)


def _user_page(request: Request, session: LiveSession, target: User, *, problem: str | None = None,
               one_time: str | None = None, status_code: int = 200) -> Response:
    return render(request, "admin_user.html", {
        "title": target.email, "target": target, "roles": ROLE_CHOICES, "one_time": one_time,
        "practices": company_practices(database_of(request), session.user.organization_id), "problem": problem},
        session=session, status_code=status_code)


def router() -> APIRouter:
    pages = APIRouter(include_in_schema=False)

    @pages.get("/admin/users")
    def users(request: Request, session: PageSession) -> Response:
        page_permitted(session.user, Permission.VIEW_ADMINISTRATION)
        return _users_page(request, session)

    @pages.post("/admin/users")
    def add(request: Request, session: Csrf, email: Annotated[str, Form(max_length=254)] = "",
            name: Annotated[str, Form(max_length=200)] = "", roles: Annotated[list[str] | None, Form()] = None,
            practices: Annotated[list[str] | None, Form()] = None) -> Response:
        page_permitted(session.user, Permission.MANAGE_USERS)
        form = {"email": email, "name": name, "roles": roles or [], "practices": practices or []}
        try:
            added = add_user(database_of(request), company=session.user.company, email=email, display_name=name,
                             roles=roles or [], practices=practices or [], actor=session.user.email)
        except InvalidInput as refused:
            return _users_page(request, session, problem=str(refused), form=form, status_code=422)
        assert added.password is not None  # none was given: a one-time one was made
        return _users_page(request, session, created=(added.user.email, added.password), status_code=201)

    @pages.get("/admin/users/{email}")
    def user(request: Request, email: str, session: PageSession) -> Response:
        page_permitted(session.user, Permission.VIEW_ADMINISTRATION)
        return _user_page(request, session, _target(database_of(request), session.user, email))

    @pages.post("/admin/users/{email}/access")
    def access(request: Request, email: str, session: Csrf, roles: Annotated[list[str] | None, Form()] = None,
               practices: Annotated[list[str] | None, Form()] = None) -> Response:
        page_permitted(session.user, Permission.MANAGE_USERS)
        target = _target(database_of(request), session.user, email)
        try:
            set_access(database_of(request), target.email, roles=roles or [], practices=practices or [],
                       actor=session.user.email)
        except InvalidInput as refused:
            return _user_page(request, session, target, problem=str(refused), status_code=422)
        return RedirectResponse(f"/admin/users/{target.email}", status_code=303)

    @pages.post("/admin/users/{email}/{action}")
    def act(request: Request, email: str, action: str, session: Csrf) -> Response:
        page_permitted(session.user, Permission.MANAGE_USERS)
        database = database_of(request)
        target = _target(database, session.user, email)
        if action not in ("disable", "enable", "reset-password", "reset-totp"):
            raise HTTPException(status_code=404, detail=f"no action {action[:40]}")
        if target.id == session.user.id and action in ("disable", "reset-totp"):
            return _user_page(request, session, target, status_code=422,
                              problem="you cannot do this to your own account; ask another administrator")
        one_time = None
        if action == "disable":
            disable_user(database, target.email, actor=session.user.email)
        elif action == "enable":
            enable_user(database, target.email, actor=session.user.email)
        elif action == "reset-password":
            one_time = reset_password(database, target.email, actor=session.user.email)
        else:
            reset_second_factor(database, target.email, actor=session.user.email)
        return _user_page(request, session, _target(database, session.user, email), one_time=one_time)

    return pages
