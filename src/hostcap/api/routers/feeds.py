"""Atom feeds: every publish's changes (`/v1/changes.atom`) and one subscription's
(`/v1/subscriptions/{id}/changes.atom`), for feed readers.

The subscription feed needs no API key, since a feed reader cannot send one: the subscription's
ID, 64 random bits, is what lets a reader in, as with any private feed URL.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, Field
from starlette.responses import Response

from hostcap.alerts import Notifier, atom
from hostcap.api import openapi
from hostcap.api.routers.subscriptions import SubscriptionId, get_notifier
from hostcap.serving.changes import ChangesCache

router = APIRouter(tags=["changes"])

FEED = {200: {"description": "An Atom feed.", "content": {atom.MEDIA_TYPE: {}}}}


class FeedQuery(BaseModel):
    page: int = Field(
        1, ge=1, le=1000, description="Which page, from 1 (the feed's `next` link gives the following one).", examples=[1]
    )
    limit: int = Field(10, ge=1, le=50, description="Entries (publishes) per page.", examples=[10])


def _feed(body: bytes) -> Response:
    return Response(body, media_type=atom.MEDIA_TYPE)


@router.get(
    "/v1/changes.atom", response_class=Response, responses={**FEED, **openapi.VALIDATION}, summary="Changes as an Atom feed"
)
def changes_feed(request: Request, query: Annotated[FeedQuery, Query()]) -> Response:
    """One entry per publish the lake keeps, newest first: how many feeders were added and removed,
    max HC changes, and DER changes it made. Paged (`page`, `limit`, and RFC 5005 links). The first
    request for a publish diffs it (about a second for a statewide lake); later ones answer from memory."""
    cache: ChangesCache = request.app.state.changes
    history = request.app.state.hostcap.lake.history()
    entries = atom.changes_entries(history, lambda old, new: cache.get(old, new).counts())
    return _feed(
        atom.render(
            "urn:hostcap:changes",
            "hostcap: published changes",
            str(request.url.remove_query_params(["page", "limit"])),
            entries,
            query.page,
            query.limit,
        )
    )


@router.get(
    "/v1/subscriptions/{subscription_id}/changes.atom",
    tags=["subscriptions"],
    response_class=Response,
    responses={**FEED, 404: openapi.problem("No subscription has this ID."), **openapi.VALIDATION},
    summary="A subscription's changes as an Atom feed",
)
def subscription_feed(
    request: Request,
    subscription_id: SubscriptionId,
    query: Annotated[FeedQuery, Query()],
    notifier: Annotated[Notifier, Depends(get_notifier)],
) -> Response:
    """One entry per kept publish with changes the subscription selects, newest first, listing
    them. Needs no API key (the subscription ID is the feed's private address). Paged like
    `/v1/changes.atom`."""
    subscription = notifier.subscriptions.get(subscription_id)
    entries = atom.subscription_entries(subscription, notifier.lake.history(), notifier.events)
    title = f"hostcap: {subscription.description or subscription.id}"
    url = str(request.url.remove_query_params(["page", "limit"]))
    return _feed(atom.render(f"urn:hostcap:subscription:{subscription.id}", title, url, entries, query.page, query.limit))
