"""The web app's own database: articles, their versions and audience renditions, reviewer
accounts and sessions, statement annotations and the audit trail.

It is a second SQLite file beside the library (`site.sqlite`), with its own numbered
migrations in `medoracle/articles/migrations`, so rebuilding the library never touches
reviews. Every statement is parametrised. One `SiteStore` is one connection: give each thread
its own. Its methods come by concept, one module each:

    base      the connection, migrations, transactions, audit rows
    articles  articles, versions, renditions, review state, new-evidence flags, embeddings
    audit     the audit trail and statement annotations
    accounts  users, sessions and sign-in lockouts
"""

from __future__ import annotations

from medoracle.articles.store.accounts import AccountStore
from medoracle.articles.store.articles import ArticleStore
from medoracle.articles.store.base import MIGRATIONS, seconds_between

__all__ = ["MIGRATIONS", "SiteStore", "seconds_between"]


class SiteStore(ArticleStore, AccountStore):
    """A connection to `site.sqlite`; migrations are applied on open."""
