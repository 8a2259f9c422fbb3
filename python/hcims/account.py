"""What the account calls return: the region's live OS list and the private-image quota.

The classes live beside the calls that return them, in :mod:`hcims.client`; this module keeps the names
(and pickles made when they were defined here) working.
"""

from __future__ import annotations

from .client import OsVersion, Quota

__all__ = ["OsVersion", "Quota"]
