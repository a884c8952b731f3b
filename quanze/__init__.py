"""quanze 权责 — who is responsible for what between a Chinese county and its townships."""

__version__ = "0.1.0"
