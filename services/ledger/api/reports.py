"""`GET /api/v1/parks/{id}/reports/{year}`: the annual report, as JSON or CSV."""

from __future__ import annotations

from flask import Response, current_app
from flask.views import MethodView

from services.common.web import Blueprint, current_principal
from services.ledger.domain.report import report_csv
from services.ledger.domain.rounding import jsonable
from services.ledger.service_layer.reports import park_report

from .schemas import ReportArgsSchema

blp = Blueprint(
    "reports", __name__, url_prefix="/api/v1/parks", description="The 1004 notice's yearly indicators, from the ledger"
)


@blp.route("/<park_id>/reports/<int:year>")
class AnnualReport(MethodView):
    @blp.arguments(ReportArgsSchema, location="query")
    @blp.response(200, description="The report (JSON; `?format=csv` for CSV)", content_type="application/json")
    @blp.alt_response(404, description="No such park, or not the caller's")
    def get(self, args, park_id, year):
        """The annual report: indicators with their coefficient sources, the exchanges behind them, a summary"""
        report = park_report(current_app.extensions["parkloop.ledger"], current_principal(), park_id, year)
        if args["format"] == "csv":
            return Response(
                report_csv(report),
                mimetype="text/csv",
                headers={"Content-Disposition": f'attachment; filename="parkloop-{park_id}-{year}.csv"'},
            )
        return jsonable(report)
