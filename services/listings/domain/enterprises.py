"""Enterprises and what makes one a legal receiver of a hazardous waste: a hazardous-waste
business licence covering the code, or a 点对点 directed-utilisation approval (定向利用,
exemption list item 31, approved by the provincial environment department) for that
supplier → receiver pair."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field, replace
from datetime import date

from services.common.errors import FieldCollector
from services.common.events import Event
from services.common.geo import Location

from .events import enterprise_registered, enterprise_updated
from .reference.credit_code import validate_credit_code
from .reference.industry_codes import validate_industry_code


@dataclass(frozen=True)
class HazardousWasteLicence:
    """危险废物经营许可证: which codes, how much a year, and when it is valid."""

    number: str
    codes: tuple[str, ...]
    capacity_t_per_year: float
    valid_from: date
    valid_until: date

    def __post_init__(self):
        errors = FieldCollector()
        errors.require("number", bool(self.number.strip()), "must not be blank")
        errors.require("codes", bool(self.codes), "must list at least one covered waste code")
        errors.require("capacity_t_per_year", self.capacity_t_per_year > 0, "must be greater than 0")
        errors.require("valid_until", self.valid_until >= self.valid_from, "must not be before valid_from")
        errors.raise_if_any()

    def covers(self, code: str, on: date) -> bool:
        return code in self.codes and self.valid_from <= on <= self.valid_until

    def to_dict(self) -> dict:
        return {
            "number": self.number,
            "codes": list(self.codes),
            "capacity_t_per_year": self.capacity_t_per_year,
            "valid_from": self.valid_from.isoformat(),
            "valid_until": self.valid_until.isoformat(),
        }


@dataclass(frozen=True)
class DirectedUtilisationApproval:
    """点对点定向利用 approval (危险废物豁免管理清单 item 31): the provincial environment department
    lets this enterprise take the listed codes from one named supplier, between two dates,
    without a hazardous-waste business licence."""

    number: str
    authority: str
    supplier_enterprise_id: str
    codes: tuple[str, ...]
    valid_from: date
    valid_until: date
    capacity_t_per_year: float | None = None

    def __post_init__(self):
        errors = FieldCollector()
        errors.require("number", bool(self.number.strip()), "must not be blank")
        errors.require("authority", bool(self.authority.strip()), "must not be blank")
        errors.require("supplier_enterprise_id", bool(self.supplier_enterprise_id.strip()), "must not be blank")
        errors.require("codes", bool(self.codes), "must list at least one covered waste code")
        errors.require(
            "capacity_t_per_year",
            self.capacity_t_per_year is None or self.capacity_t_per_year > 0,
            "must be greater than 0 when given",
        )
        errors.require("valid_until", self.valid_until >= self.valid_from, "must not be before valid_from")
        errors.raise_if_any()

    def covers(self, code: str, supplier_id: str, on: date) -> bool:
        return (
            supplier_id == self.supplier_enterprise_id
            and code in self.codes
            and self.valid_from <= on <= self.valid_until
        )

    def to_dict(self) -> dict:
        return {
            "number": self.number,
            "authority": self.authority,
            "supplier_enterprise_id": self.supplier_enterprise_id,
            "codes": list(self.codes),
            "valid_from": self.valid_from.isoformat(),
            "valid_until": self.valid_until.isoformat(),
            "capacity_t_per_year": self.capacity_t_per_year,
        }


def _hazardous_codes(errors: FieldCollector, field: str, codes, catalogue, message: str) -> tuple[str, ...] | None:
    """The codes in canonical form, each once, so `90024908` covers the `900-249-08` listings
    carry; None if one is malformed (its error collected). A general code is collected as an
    error too, so the caller's raise_if_any refuses it."""
    canonical = []
    for j, code in enumerate(codes):
        waste = errors.check(f"{field}.{j}", catalogue.classify, code)
        if waste is not None:
            errors.require(f"{field}.{j}", waste.category == "hazardous", message)
            canonical.append(waste.code)
    return tuple(dict.fromkeys(canonical)) if len(canonical) == len(codes) else None


@dataclass
class Enterprise:
    id: str
    park_id: str
    name: str
    credit_code: str
    industry_code: str
    location: Location
    licences: list[HazardousWasteLicence] = field(default_factory=list)
    contact: dict = field(default_factory=dict)
    approvals: list[DirectedUtilisationApproval] = field(default_factory=list)
    events: list[Event] = field(default_factory=list, repr=False, compare=False)

    @staticmethod
    def validate(
        name: str,
        credit_code: str,
        industry_code: str,
        catalogue,
        licences,
        approvals=(),
        enterprise_id: str | None = None,
    ):
        """Check every field at once; returns the credit code, industry code, licences and
        approvals in canonical form, so a licence typed `90024908` covers the `900-249-08`
        listings carry."""
        errors = FieldCollector()
        errors.require("name", bool(name and name.strip()), "must not be blank")
        credit = errors.check("credit_code", validate_credit_code, credit_code)
        industry = errors.check("industry_code", validate_industry_code, industry_code)
        canonical_licences = []
        for i, licence in enumerate(licences):
            codes = _hazardous_codes(
                errors,
                f"licences.{i}.codes",
                licence.codes,
                catalogue,
                "a hazardous-waste licence covers hazardous codes only",
            )
            if codes is not None:
                canonical_licences.append(replace(licence, codes=codes))
        canonical_approvals = []
        for i, approval in enumerate(approvals):
            errors.require(
                f"approvals.{i}.supplier_enterprise_id",
                approval.supplier_enterprise_id != enterprise_id,
                "an enterprise cannot hold a directed-utilisation approval to receive from itself",
            )
            codes = _hazardous_codes(
                errors,
                f"approvals.{i}.codes",
                approval.codes,
                catalogue,
                "a directed-utilisation approval covers hazardous codes only",
            )
            if codes is not None:
                canonical_approvals.append(replace(approval, codes=codes))
        errors.raise_if_any()
        return credit, industry.code, canonical_licences, canonical_approvals

    @classmethod
    def register(cls, park_id, name, credit_code, industry_code, location, licences, contact, catalogue, approvals=()):
        enterprise_id = str(uuid.uuid4())
        credit, industry, licences, approvals = cls.validate(
            name, credit_code, industry_code, catalogue, licences, approvals, enterprise_id
        )
        enterprise = cls(
            enterprise_id, park_id, name.strip(), credit, industry, location, licences, dict(contact or {}), approvals
        )
        enterprise.events.append(enterprise_registered(enterprise))
        return enterprise

    def update(self, catalogue, **changes) -> None:
        merged = {**self.__dict__, **changes}
        credit, industry, licences, approvals = self.validate(
            merged["name"],
            merged["credit_code"],
            merged["industry_code"],
            catalogue,
            merged["licences"],
            merged["approvals"],
            self.id,
        )
        for key, value in changes.items():
            setattr(self, key, value)
        self.name, self.credit_code, self.industry_code = self.name.strip(), credit, industry
        self.licences, self.approvals = licences, approvals
        self.events.append(enterprise_updated(self))

    def licensed_for(self, code: str, on: date) -> bool:
        return any(licence.covers(code, on) for licence in self.licences)

    def may_receive(self, code: str, supplier_id: str, on: date) -> bool:
        """The legality gate (README, "Domain rules enforced on input"): a licence covering the code on
        that day, or an approval covering it from this very supplier."""
        return self.licensed_for(code, on) or any(a.covers(code, supplier_id, on) for a in self.approvals)

    def to_dict(self) -> dict:
        return {
            "id": self.id,
            "park_id": self.park_id,
            "name": self.name,
            "credit_code": self.credit_code,
            "industry_code": self.industry_code,
            "location": self.location.to_dict(),
            "licences": [licence.to_dict() for licence in self.licences],
            "approvals": [approval.to_dict() for approval in self.approvals],
            "contact": dict(self.contact),
        }
