"""Chali et al. §3.1's GPU runs, read back: now in the Chali chapter (``oodlib.chapters.chali.device_runs``).

Kept for the Chali page that reads it as ``traces.device_runs`` (§4.2) until it is next executed on the page's handle.
"""

from .chapters.chali.pages import device_runs

__all__ = ["device_runs"]
