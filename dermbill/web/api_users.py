"""The users of the caller's billing company, for administrators (the Users screen's API)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, HTTPException, Request
from pydantic import BaseModel, Field

from dermbill.core.access import Permission
from dermbill.core.errors import InvalidInput, NotFound
from dermbill.services.users import User, add_user, company_user, list_users, set_access
from dermbill.web.api import DatabaseDep, UserDep, origin, permitted


class UserOut(BaseModel):
    email: str
    name: str
    roles: list[str]
    practices: list[str]
    disabled: bool
    totp: bool

    @classmethod
    def of(cls, user: User) -> UserOut:
        return cls(email=user.email, name=user.display_name, roles=sorted(r.value for r in user.roles),
                   practices=list(user.practices), disabled=user.disabled, totp=user.totp_enabled)


class NewUser(BaseModel):
    email: str = Field(max_length=254)
    name: str = Field(default="", max_length=200)
    roles: list[Annotated[str, Field(max_length=40)]] = Field(max_length=10)
    practices: list[Annotated[str, Field(max_length=20)]] = Field(default_factory=list, max_length=500)


class AddedUserOut(BaseModel):
    user: UserOut
    one_time_password: str  # shown once; the user chooses their own at the first sign-in


class Access(BaseModel):
    roles: list[Annotated[str, Field(max_length=40)]] = Field(max_length=10)
    practices: list[Annotated[str, Field(max_length=20)]] = Field(default_factory=list, max_length=500)


def _invalid(refused: InvalidInput) -> HTTPException:
    return HTTPException(status_code=422, detail=str(refused))


def router() -> APIRouter:
    api = APIRouter(prefix="/api/v1", tags=["users"])

    @api.get("/users", summary="The users of the caller's billing company")
    def users(user: UserDep, database: DatabaseDep) -> list[UserOut]:
        permitted(user, Permission.VIEW_ADMINISTRATION)
        return [UserOut.of(u) for u in list_users(database, company=user.company)]

    @api.post("/users", status_code=201, summary="Add a user (a one-time password is returned once)")
    def add(request: Request, new: Annotated[NewUser, Body()], user: UserDep, database: DatabaseDep) -> AddedUserOut:
        permitted(user, Permission.MANAGE_USERS)
        try:
            with origin(request):
                added = add_user(database, company=user.company, email=new.email, display_name=new.name,
                                 roles=new.roles, practices=new.practices, actor=user.email)
        except InvalidInput as refused:
            raise _invalid(refused) from None
        assert added.password is not None
        return AddedUserOut(user=UserOut.of(added.user), one_time_password=added.password)

    @api.put("/users/{email}/access", summary="Replace a user's roles and practices")
    def access(request: Request, email: str, body: Annotated[Access, Body()], user: UserDep,
               database: DatabaseDep) -> UserOut:
        permitted(user, Permission.MANAGE_USERS)
        try:
            target = company_user(database, user.organization_id, email)
        except NotFound as missing:
            raise HTTPException(status_code=404, detail=str(missing)) from None
        try:
            with origin(request):
                return UserOut.of(set_access(database, target.email, roles=body.roles, practices=body.practices,
                                             actor=user.email))
        except InvalidInput as refused:
            raise _invalid(refused) from None

    return api
