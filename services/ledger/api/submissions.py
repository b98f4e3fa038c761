"""`/api/v1/parks/{id}/submissions/{year}`: the park's annual submission to the province, every version,
with downloads (JSON, CSV of the tables, a Word document)."""

from __future__ import annotations

from flask import Response, current_app
from flask.views import MethodView

from services.common.web import Blueprint, current_principal
from services.ledger.adapters.submission_docx import submission_docx
from services.ledger.domain.rounding import jsonable
from services.ledger.domain.submission_text import submission_csv
from services.ledger.domain.submissions import Submission, current
from services.ledger.service_layer import submissions

from .record_schemas import SubmissionArgsSchema, SubmissionBodySchema, SubmissionListSchema, SubmissionSchema

blp = Blueprint(
    "submissions",
    __name__,
    url_prefix="/api/v1/parks",
    description="The park's annual submission (进展、成效、经验、困难) to the provincial DRC and industry department",
)
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def ctx():
    return current_app.extensions["parkloop.ledger"]


def _out(s: Submission) -> dict:
    return jsonable({**s.__dict__, "status": s.status.value, "checkpoint": s.checkpoint and s.checkpoint.to_dict()})


@blp.route("/<park_id>/submissions/<int:year>")
class Submissions(MethodView):
    @blp.response(200, SubmissionListSchema)
    @blp.alt_response(404, description="No such park, or not the caller's")
    def get(self, park_id, year):
        """Every version of the year's submission, newest first, and the one in force"""
        found = submissions.versions(ctx(), current_principal(), park_id, year)
        in_force = current(found)
        return {
            "park_id": park_id,
            "year": year,
            "current": in_force.version if in_force else None,
            "versions": [_out(s) for s in found],
        }


@blp.route("/<park_id>/submissions/<int:year>/<int:version>")
class SubmissionVersion(MethodView):
    @blp.arguments(SubmissionArgsSchema, location="query")
    @blp.response(200, SubmissionSchema, description="JSON; `?format=csv` the tables, `?format=docx` a Word file")
    @blp.alt_response(404, description="No such version, or not the caller's park")
    def get(self, args, park_id, year, version):
        """One version, as JSON, CSV or a Word document (.docx, in Chinese)"""
        s = submissions.version(ctx(), current_principal(), park_id, year, version)
        name = f"parkloop-{park_id}-{year}-v{version}"
        if args["format"] == "csv":
            disposition = {"Content-Disposition": f'attachment; filename="{name}.csv"'}
            return Response(submission_csv(s), mimetype="text/csv", headers=disposition)
        if args["format"] == "docx":
            park_name = ctx().store.park(park_id)["name"]
            disposition = {"Content-Disposition": f'attachment; filename="{name}.docx"'}
            return Response(submission_docx(s, park_name), mimetype=DOCX, headers=disposition)
        return _out(s)

    @blp.arguments(SubmissionBodySchema)
    @blp.response(200, SubmissionSchema)
    @blp.alt_response(201, schema=SubmissionSchema, description="A new draft version")
    @blp.alt_response(403, description="Only the park's managers and admins write its submission")
    @blp.alt_response(404, description="No such park, or not the caller's")
    @blp.alt_response(409, description="That version is submitted (frozen), or is not the one to write next")
    @blp.alt_response(422, description="A field breaks a rule")
    def put(self, data, park_id, year, version):
        """Save a draft: the latest draft in place, or the next version (1, or one past the submitted one)"""
        s, created = submissions.write_draft(ctx(), current_principal(), park_id, year, version, data)
        return _out(s), 201 if created else 200


@blp.route("/<park_id>/submissions/<int:year>/<int:version>/submit")
class Submit(MethodView):
    @blp.response(200, SubmissionSchema)
    @blp.alt_response(403, description="Only the park's managers and admins submit")
    @blp.alt_response(404, description="No such version, or not the caller's park")
    @blp.alt_response(409, description="Not a draft")
    @blp.alt_response(422, description="A section is empty")
    def post(self, park_id, year, version):
        """Submit a draft: its figures are filled in from the ledger at the latest signed checkpoint,
        which it cites (size and root); the version it replaces becomes superseded"""
        return _out(submissions.submit(ctx(), current_principal(), park_id, year, version))
