"""Console pages, one blueprint per area."""

from gateway.console.views import admin, auth, exchanges, ledger, listings, park, webhooks

BLUEPRINTS = [auth.bp, park.bp, ledger.bp, listings.bp, exchanges.bp, webhooks.bp, admin.bp]
