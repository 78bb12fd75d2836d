"""Byte sizes as the short MB figures that error messages show."""

from __future__ import annotations

import math

MIB = 1024 * 1024


def format_mb(size: int) -> str:
    """A limit in MB: whole numbers stay whole ("200"), small ones keep two digits ("0.00095")."""
    mb = size / MIB
    if mb >= 1 and mb.is_integer():
        return str(int(mb))
    return format_size_mb(size)


def format_size_mb(size: int) -> str:
    """A measured size in MB with one decimal ("250.0"), or two digits when under 0.1 MB."""
    mb = size / MIB
    if mb >= 0.1:
        return f"{mb:.1f}"
    if mb == 0:
        return "0"
    # Fixed-point, never "9.5e-05": enough decimals for two significant digits.
    decimals = 1 - math.floor(math.log10(mb))
    return f"{mb:.{decimals}f}"
