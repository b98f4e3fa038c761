"""Ledger endpoints: entries, proofs, checkpoints, the verifier key, audits, corrections."""

from __future__ import annotations

import csv
import io
import uuid

from flask import Response, current_app
from flask.views import MethodView

from services.common.errors import NotFound
from services.common.schemas import PageArgsSchema, offset_limit, paged
from services.common.web import Blueprint, current_principal
from services.ledger.domain import access
from services.ledger.domain.access import EntryScope
from services.ledger.domain.entries import read_entry
from services.ledger.service_layer import queries
from services.ledger.service_layer.recording import correct

from .json_stream import json_stream
from .schemas import (
    ConsistencyArgsSchema,
    ConsistencyProofSchema,
    CorrectionResultSchema,
    CorrectionSchema,
    EntryArgsSchema,
    EntryPageSchema,
    ExportSchema,
    InclusionProofSchema,
    ProofArgsSchema,
    RejectedEventPageSchema,
    VerifyResultSchema,
)

blp = Blueprint(
    "ledger",
    __name__,
    url_prefix="/api/v1/ledger",
    description="Tamper-evident evidence: RFC 9162 Merkle log, C2SP signed checkpoints",
)


def ctx():
    return current_app.extensions["parkloop.ledger"]


def _visible_entries(args: dict):
    """The page of entries the query asks for, within what the caller may see."""
    requested = EntryScope(
        args.get("park_id"), args.get("enterprise_id"), args.get("year"), args.get("kind"), args.get("code")
    )
    return queries.find_entries(ctx(), current_principal(), requested, *offset_limit(args))


@blp.route("/entries")
class Entries(MethodView):
    @blp.arguments(EntryArgsSchema, location="query")
    @blp.response(200, EntryPageSchema)
    def get(self, args):
        """List entries (admins: all; park managers: their park; enterprises: their exchanges)"""
        found, total = _visible_entries(args)
        items = [
            {"index": e.index, "leaf_hash": queries.b64(e.leaf_hash), "entry": read_entry(e.leaf_data)} for e in found
        ]
        return paged(items, total, args)


CSV_COLUMNS = (
    "index",
    "type",
    "exchange_id",
    "kind",
    "waste_code",
    "completed_at",
    "supplier_enterprise_id",
    "supplier_park_id",
    "receiver_enterprise_id",
    "receiver_park_id",
    "corrects",
    "leaf_hash",
)


@blp.route("/entries.csv")
class EntriesCsv(MethodView):
    @blp.arguments(EntryArgsSchema, location="query")
    @blp.response(200, description="One row per entry (the JSON list's filters and paging)", content_type="text/csv")
    def get(self, args):
        """The entries the caller may see, as CSV"""
        found, _ = _visible_entries(args)
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(CSV_COLUMNS)
        for stored in found:
            e = read_entry(stored.leaf_data)
            x = e["exchange"]
            writer.writerow(
                [
                    e["index"],
                    e["type"],
                    x["exchange_id"],
                    x["kind"],
                    x.get("waste_code") or "",
                    x["completed_at"],
                    x["supplier"]["enterprise_id"],
                    x["supplier"]["park_id"],
                    x["receiver"]["enterprise_id"],
                    x["receiver"]["park_id"],
                    e.get("corrects", ""),
                    queries.b64(stored.leaf_hash),
                ]
            )
        return Response(out.getvalue(), mimetype="text/csv")


@blp.route("/entries/<int:index>")
class EntryByIndex(MethodView):
    @blp.response(
        200, description="The entry's exact leaf bytes (RFC 8785 canonical JSON)", content_type="application/json"
    )
    @blp.alt_response(404, description="No such entry visible to the caller")
    def get(self, index):
        """The exact bytes that were hashed into the tree"""
        entry = queries.visible_entry(ctx(), current_principal(), index)
        return Response(entry.leaf_data, mimetype="application/json")


@blp.route("/entries/<int:index>/proof")
class EntryProof(MethodView):
    @blp.arguments(ProofArgsSchema, location="query")
    @blp.response(200, InclusionProofSchema)
    @blp.alt_response(404, description="No such entry visible to the caller")
    def get(self, args, index):
        """RFC 9162 inclusion proof of an entry in the tree of `tree_size` (default: the whole ledger)"""
        return queries.inclusion(ctx(), current_principal(), index, args.get("tree_size"))


@blp.route("/consistency")
class Consistency(MethodView):
    @blp.arguments(ConsistencyArgsSchema, location="query")
    @blp.response(200, ConsistencyProofSchema)
    def get(self, args):
        """RFC 9162 consistency proof between two tree sizes"""
        return queries.consistency(ctx(), args["from_"], args["to"])


@blp.route("/checkpoint")
class Checkpoint(MethodView):
    @blp.response(
        200, description="C2SP tlog-checkpoint, signed as a C2SP signed note (Ed25519)", content_type="text/plain"
    )
    @blp.alt_response(404, description="The ledger is empty")
    def get(self):
        """The latest signed checkpoint"""
        if ctx().store.size() == 0:
            raise NotFound("the ledger has no entries yet")
        return Response(queries.checkpoint_text(ctx()), mimetype="text/plain")


@blp.route("/public-key")
class PublicKey(MethodView):
    @blp.response(200, description="Signed-note verifier key: name+hash+base64key", content_type="text/plain")
    def get(self):
        """The key that verifies checkpoints"""
        return Response(ctx().signing_key.verifier_text() + "\n", mimetype="text/plain")


@blp.route("/verify")
class Verify(MethodView):
    @blp.response(200, VerifyResultSchema)
    @blp.alt_response(403, description="Admins only")
    @blp.alt_response(404, description="The ledger is empty")
    def post(self):
        """Re-check every stored entry against the signed tree; names the first bad entry"""
        if ctx().store.size() == 0:
            raise NotFound("the ledger has no entries yet")
        return queries.verify_store(ctx(), current_principal())


@blp.route("/export")
class Export(MethodView):
    @blp.response(200, ExportSchema)
    @blp.alt_response(403, description="Admins only")
    @blp.alt_response(404, description="The ledger is empty")
    def get(self):
        """Everything `parkloop ledger verify` needs to check the ledger offline (streamed as it is read)"""
        if ctx().store.size() == 0:
            raise NotFound("the ledger has no entries yet")
        exported = queries.export(ctx(), current_principal())
        return Response(json_stream(exported), mimetype="application/json")


@blp.route("/rejected-events")
class RejectedEvents(MethodView):
    @blp.arguments(PageArgsSchema, location="query")
    @blp.response(200, RejectedEventPageSchema)
    @blp.alt_response(403, description="Admins only")
    def get(self, args):
        """Events set aside for breaking their contract, newest first, with the fields at fault"""
        found, total = queries.rejected_events(ctx(), current_principal(), *offset_limit(args))
        return paged(found, total, args)


@blp.route("/corrections")
class Corrections(MethodView):
    @blp.arguments(CorrectionSchema)
    @blp.response(201, CorrectionResultSchema)
    @blp.alt_response(403, description="Admins only")
    @blp.alt_response(404, description="No such entry")
    @blp.alt_response(409, description="Not an exchange entry, or already corrected")
    def post(self, data):
        """Reverse an earlier entry with a new one (entries are never edited)"""
        access.require_admin(current_principal(), "correct the ledger")
        return {"index": correct(ctx(), data["corrects"], data["reason"], str(uuid.uuid4()))}
