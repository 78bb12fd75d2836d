"""Application services: the use cases every interface (CLI, REST, web) calls."""

from easy_dataset.services.app import App

__all__ = ["App"]
