"""Console pages, one blueprint per area."""

from gateway.console.views import (
    admin,
    audit,
    auth,
    exchanges,
    ledger,
    listings,
    park,
    plans,
    province,
    submissions,
    targets,
    webhooks,
)

BLUEPRINTS = [
    auth.bp,
    park.bp,
    plans.bp,
    ledger.bp,
    listings.bp,
    exchanges.bp,
    webhooks.bp,
    admin.bp,
    audit.bp,
    targets.bp,
    submissions.bp,
    province.bp,
]
