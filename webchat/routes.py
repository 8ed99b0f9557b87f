"""Every URL of the web chat, in one table."""

from __future__ import annotations

from aiohttp import web

from webchat import views
from webchat.views import STATIC


def setup_routes(app: web.Application) -> None:
    app.router.add_get("/", views.index, name="index")
    app.router.add_get("/healthz", views.healthz, name="healthz")
    app.router.add_get("/api/status", views.status, name="status")
    app.router.add_get("/api/strings", views.strings, name="strings")
    app.router.add_post("/api/chat", views.chat, name="chat")
    app.router.add_get("/api/search", views.search, name="search")
    app.router.add_get("/api/places/{id}", views.place, name="place")
    app.router.add_post("/admin/rebuild", views.rebuild, name="rebuild")
    app.router.add_get("/admin/report", views.report, name="report")
    app.router.add_static("/static/", STATIC, name="static", append_version=True)
