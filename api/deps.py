"""``Annotated`` dependencies: settings, a database session, the job runner, the caller."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from api.jobs import JobRunner
from api.settings import Settings

_bearer = HTTPBearer(auto_error=False, description="one of DCOPT_API_KEYS, when set")


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_session(request: Request) -> Iterator[Session]:
    with request.app.state.sessions() as session:
        yield session


def get_runner(request: Request) -> JobRunner:
    runner: JobRunner = request.app.state.runner
    return runner


SettingsDep = Annotated[Settings, Depends(get_settings)]
SessionDep = Annotated[Session, Depends(get_session)]
RunnerDep = Annotated[JobRunner, Depends(get_runner)]


def owner_of_key(key: str) -> str:
    """What a run record stores of its key: a SHA-256 digest, never the key itself."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def get_owner(
    settings: SettingsDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> str | None:
    """The caller's identity: None without configured keys, else the digest of a valid key.

    Every configured key is compared (in constant time, no early exit), so the time of an
    answer tells nothing about which key or how much of it matched.
    """
    keys = settings.api_keys
    if not keys:
        return None
    unauthorised = HTTPException(
        status_code=status.HTTP_401_UNAUTHORIZED,
        detail="an API key is required: Authorization: Bearer KEY",
        headers={"WWW-Authenticate": "Bearer"},
    )
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise unauthorised
    given = credentials.credentials.encode("utf-8")
    match: str | None = None
    for key in keys:
        secret = key.get_secret_value()
        if hmac.compare_digest(given, secret.encode("utf-8")):
            match = secret
    if match is None:
        raise unauthorised
    return owner_of_key(match)


OwnerDep = Annotated[str | None, Depends(get_owner)]
