"""Text templates (Textbausteine) of the admin's own authority: list, create, edit, delete.

The template's id travels as a query or form field, not in the path: these pages
belong to the administration, whose one gate (``need_admin``) answers everyone but
the authority's admins with 404, and a template of another authority is not found.
"""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import Request, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromQuery, QueryParameter
from litestar.response import Redirect, Template

from app.web.admin import need_admin
from app.web.context import MaybeActor
from rooms.casework.text_templates import (
    MAX_BODY_LENGTH,
    MAX_NAME_LENGTH,
    TemplateInvalid,
    admin_template,
    check_create_template,
    check_delete_template,
    check_update_template,
    templates_of,
)
from rooms.kernel.records import AdminAccess

PATH = "/admin/textbausteine"  # listed in app.web.admin.SECTIONS
Form = Body(media_type=RequestEncodingType.URL_ENCODED)
GERMAN_PLACEHOLDERS = ["antragsteller", "aktenzeichen", "frist"]


class TemplateForm(msgspec.Struct):
    id: str = ""
    name: str = ""
    body: str = ""


class DeleteForm(msgspec.Struct):
    id: str = ""


async def _page(
    actor: Any, admin: AdminAccess, *, status_code: int = 200, **extra: Any
) -> Template:
    return Template(
        "admin/templates.html",
        context={
            "actor": actor,
            "admin": admin,
            "templates": await templates_of(admin.authority_id),
            "placeholders": GERMAN_PLACEHOLDERS,
            "name_max": MAX_NAME_LENGTH,
            "body_max": MAX_BODY_LENGTH,
            "form": extra.pop("form", {"id": "", "name": "", "body": ""}),
            **extra,
        },
        status_code=status_code,
    )


@get(PATH, include_in_schema=False)
async def templates_page(
    request: Request[Any, Any, Any],
    actor: MaybeActor,
    template_id: Annotated[str, QueryParameter(name="id")] = "",
    saved: FromQuery[str] = "",
) -> Template:
    """The list and the form: empty for a new template, filled for ``?id=`` (editing)."""
    admin = await need_admin(request, actor)
    form = {"id": "", "name": "", "body": ""}
    if template_id:
        current = await admin_template(actor, template_id)
        form = {"id": str(current.id), "name": current.name, "body": current.body}
    return await _page(actor, admin, form=form, saved=saved)


@post(PATH, include_in_schema=False, status_code=303)
async def save_template(
    request: Request[Any, Any, Any], actor: MaybeActor, data: Annotated[TemplateForm, Form]
) -> Template | Redirect:
    admin = await need_admin(request, actor)
    try:
        if data.id:
            await check_update_template(actor, data.id, data.name, data.body)
        else:
            await check_create_template(actor, data.name, data.body)
    except TemplateInvalid as exc:
        return await _page(
            actor,
            admin,
            status_code=422,
            form=msgspec.structs.asdict(data),
            errors=exc.errors,
            placeholder=exc.placeholder,
        )
    return Redirect(f"{PATH}?saved=1", status_code=303)


@post(f"{PATH}/loeschen", include_in_schema=False, status_code=303)
async def delete_template(
    request: Request[Any, Any, Any], actor: MaybeActor, data: Annotated[DeleteForm, Form]
) -> Redirect:
    await need_admin(request, actor)
    await check_delete_template(actor, data.id)
    return Redirect(f"{PATH}?saved=deleted", status_code=303)
