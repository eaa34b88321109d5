"""The newsroom's admin pages: users, bureaus, desks and subscribers, for admins only.

Views parse forms and call the administration services of `agency.admin` and
`delivery.services`, which check the role again, validate everything before they change
anything, and write the audit log. The pages are in `admin_people` (users, subscribers) and
`admin_structure` (bureaus, desks); what their forms share is in `admin_forms`.
"""

from __future__ import annotations

from fastapi import APIRouter, Response

from newswire.newsroom.views import admin_delivery, admin_people, admin_structure
from newswire.newsroom.views.admin_forms import BASE, require_admin
from newswire.newsroom.web import StaffDep, redirect

router = APIRouter(prefix="/admin")


@router.get("")
async def admin_home(login: StaffDep) -> Response:
    require_admin(login)
    return redirect(f"{BASE}/users")


for area in (admin_people, admin_structure, admin_delivery):
    router.include_router(area.router)
