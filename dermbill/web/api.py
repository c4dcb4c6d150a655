"""The REST API under ``/api/v1``: a personal access token names the user; every query is scoped to the
practices the user was granted, so another practice's record answers 404 (never 403, which would confirm that
it exists); a role that does not allow an action answers 403. Every read of a claim is audited."""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from pydantic import BaseModel

from dermbill.clock import utc_now
from dermbill.core.access import NotPermitted, Permission, require
from dermbill.db.audit_origin import audit_origin
from dermbill.db.engine import Database
from dermbill.services.claim_detail import claim_detail, sections_for
from dermbill.services.claim_views import ClaimSummary
from dermbill.services.era_posting import remittances_of
from dermbill.services.users import User, bearer_token, token_user
from dermbill.web.api_claim_detail import ClaimDetailOut


def _database(request: Request) -> Database:
    database: Database = request.app.state.database()
    return database


def api_user(request: Request, database: Annotated[Database, Depends(_database)]) -> User:
    """The user of the request's ``Authorization: Bearer`` token, or 401."""
    token = bearer_token(request.headers.get("authorization"))
    user = token_user(database, token, now=utc_now()) if token else None
    if user is None:
        raise HTTPException(status_code=401, detail="sign in first: send a valid personal access token as "
                                                    "'Authorization: Bearer <token>'",
                            headers={"WWW-Authenticate": "Bearer"})
    return user


def origin(request: Request) -> AbstractContextManager[None]:
    """The audit trail's source (method and route template, never the values in the path) and client address."""
    route = request.scope.get("route")
    path = getattr(route, "path", request.url.path)
    return audit_origin(f"{request.method} {path}", request.client.host if request.client else None)


def permitted(user: User, permission: Permission) -> None:
    try:
        require(user.roles, permission)
    except NotPermitted as refused:
        raise HTTPException(status_code=403, detail=str(refused)) from None


UserDep = Annotated[User, Depends(api_user)]  # at module level: the endpoints' annotations are strings
DatabaseDep = Annotated[Database, Depends(_database)]


class ClaimOut(BaseModel):
    claim_number: str
    practice: str
    status: str
    payer: str
    date_of_service: str
    total_charge: str

    @classmethod
    def of(cls, claim: ClaimSummary) -> ClaimOut:
        return cls(claim_number=claim.claim_number, practice=claim.practice, status=claim.status,
                   payer=claim.payer, date_of_service=claim.date_of_service.isoformat(),
                   total_charge=claim.total_charge.plain())


def router() -> APIRouter:
    api = APIRouter(prefix="/api/v1", tags=["api"])

    @api.get("/claims/{claim_number}", summary="One claim in full, by the claim number people see (CLM01)",
             description="Its lines with the coding engine's reasons, scrub findings, status history, 837P files, "
                         "999s and 277CAs, and, for callers who may see them, the payers' answers as explanations "
                         "of benefits, its ledger postings (view_remittances) and its denial work items "
                         "(view_denials); sections the caller may not see are empty, and payments_shown and "
                         "denials_shown say so.")
    def get_claim(request: Request, claim_number: str, user: UserDep, database: DatabaseDep) -> ClaimDetailOut:
        permitted(user, Permission.VIEW_CLAIMS)
        with origin(request):
            claim = claim_detail(database, user.practice_ids, claim_number[:40], actor=user.email,
                                 sections=sections_for(user.roles))
        if claim is None:
            raise HTTPException(status_code=404, detail=f"no claim {claim_number[:40]} among your practices' claims")
        return ClaimDetailOut.of(claim)

    @api.get("/remittances", summary="835 remittances received for the caller's practices")
    def list_remittances(request: Request, user: UserDep, database: DatabaseDep,
                         limit: Annotated[int, Query(ge=1, le=200)] = 100) -> dict[str, list[dict[str, str]]]:
        permitted(user, Permission.VIEW_REMITTANCES)
        with origin(request):
            return {"remittances": remittances_of(database, user.practice_ids, actor=user.email, limit=limit)}

    from dermbill.web import api_edits, api_queues  # they build on this module's dependencies

    api_queues.add_routes(api)
    api_edits.add_routes(api)
    return api
