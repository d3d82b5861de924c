"""The authority's inbox: what needs the caseworker now, filtered, searched and sorted.

Everything is in the query string (``?filter=neu&q=…&sort=aktivitaet``), so a view
can be bookmarked and the form works without JavaScript.
"""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Request, get
from litestar.params import FromQuery, QueryParameter
from litestar.response import Redirect, Template

from app.identity.actor import start_page
from app.web.context import MaybeActor, need_actor
from rooms.casework.listings import InboxFilter, InboxSort, inbox_view, parse_filter, parse_sort

# The views in the order the form offers them, with their German labels.
FILTERS: list[tuple[InboxFilter, str]] = [
    (InboxFilter.alle, "Alle offenen"),
    (InboxFilter.neu, "Neue Antworten"),
    (InboxFilter.unterlagen, "Unterlagen eingegangen"),
    (InboxFilter.ueberfaellig, "Überfällige Anforderungen"),
    (InboxFilter.wartet, "Wartet auf Antragstellende"),
    (InboxFilter.mir, "Mir zugewiesen"),
    (InboxFilter.geschlossen, "Geschlossen"),
]
SORTS: list[tuple[InboxSort, str]] = [
    (InboxSort.wartezeit, "Längste Wartezeit zuerst"),
    (InboxSort.aktivitaet, "Letzte Aktivität zuerst"),
]


@get("/inbox", include_in_schema=False)
async def inbox(
    request: Request[Any, Any, Any],
    actor: MaybeActor,
    view: Annotated[str, QueryParameter(name="filter")] = "",
    q: FromQuery[str] = "",
    sort: FromQuery[str] = "",
    page: Annotated[int, QueryParameter(ge=1, le=100_000)] = 1,
) -> Template | Redirect:
    me = need_actor(request, actor)
    if not me.is_caseworker:  # applicants, and admins without casework
        return Redirect(start_page(me), status_code=303)
    listing = await inbox_view(
        me, view=parse_filter(view), query=q, sort=parse_sort(sort), page=page
    )
    return Template(
        "inbox.html",
        context={
            "actor": me,
            "inbox": listing,
            "rooms": listing.rows,
            "filters": FILTERS,
            "sorts": SORTS,
            # The view, search and sort the page links keep.
            "page_query": {
                "filter": listing.view.value,
                "q": listing.query,
                "sort": listing.sort.value,
            },
        },
    )
