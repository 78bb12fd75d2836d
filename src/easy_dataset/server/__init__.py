"""The web server: the REST API under /api and the web pages, on one FastAPI app."""

from easy_dataset.server.app import create_app

__all__ = ["create_app"]
