"""`/api/v1/provinces/{code}`: the provincial roll-up of the parks' annual submissions."""

from __future__ import annotations

from flask import current_app
from flask.views import MethodView

from services.common.web import Blueprint, current_principal
from services.ledger.domain.rounding import jsonable
from services.ledger.service_layer import provinces

from .record_schemas import ProvincePeriodSchema, ProvinceReportSchema

blp = Blueprint(
    "provinces",
    __name__,
    url_prefix="/api/v1/provinces",
    description="The provincial roll-up for the NDRC and MIIT: a province's parks and what each submitted",
)


def ctx():
    return current_app.extensions["parkloop.ledger"]


@blp.route("/<province>/reports/<int:year>")
class ProvinceReport(MethodView):
    @blp.response(200, ProvinceReportSchema)
    @blp.alt_response(403, description="Only admins and the province's reviewers")
    @blp.alt_response(404, description="No such province")
    def get(self, province, year):
        """The province's parks with their submitted figures, targets and progress; sums of the amounts;
        the parks that have not submitted and those behind a target"""
        return jsonable(provinces.province_report(ctx(), current_principal(), province, year))


@blp.route("/<province>/periods/<period>")
class ProvincePeriod(MethodView):
    @blp.response(200, ProvincePeriodSchema)
    @blp.alt_response(403, description="Only admins and the province's reviewers")
    @blp.alt_response(404, description="No such province")
    @blp.alt_response(422, description="The period is not two years such as 2021-2025")
    def get(self, province, period):
        """The period summary (e.g. 2021-2025): each park's amounts over the years it submitted against its
        plan's period targets, the years it has not submitted, and the province's sums"""
        return jsonable(provinces.province_period(ctx(), current_principal(), province, period))
