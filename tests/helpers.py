"""Small helpers for building test inputs."""

from __future__ import annotations

from pathlib import Path


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode(encoding))
    return path


GUIDE = """# Guide

An introduction that explains what the guide covers and who it is for.

## Install

### Linux

Use the package manager of your distribution to install the tool.

### Windows

Download the installer and run it.

## Use

Run the tool on a folder of documents.
"""
