"""Enterprises and the hazardous-waste business licences that make a receiver legal."""
from __future__ import annotations

import uuid
from dataclasses import dataclass, field, replace
from datetime import date

from services.common.errors import FieldCollector
from services.common.events import Event
from services.common.geo import Location

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
            "number": self.number, "codes": list(self.codes), "capacity_t_per_year": self.capacity_t_per_year,
            "valid_from": self.valid_from.isoformat(), "valid_until": self.valid_until.isoformat(),
        }


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
    events: list[Event] = field(default_factory=list, repr=False, compare=False)

    @staticmethod
    def validate(name: str, credit_code: str, industry_code: str, catalogue, licences):
        """Check every field at once; returns the credit code, industry code and licences in
        canonical form, so a licence typed `90024908` covers the `900-249-08` listings carry."""
        errors = FieldCollector()
        errors.require("name", bool(name and name.strip()), "must not be blank")
        credit = errors.check("credit_code", validate_credit_code, credit_code)
        industry = errors.check("industry_code", validate_industry_code, industry_code)
        canonical = []
        for i, licence in enumerate(licences):
            codes = []
            for j, code in enumerate(licence.codes):
                waste = errors.check(f"licences.{i}.codes.{j}", catalogue.classify, code)
                if waste is not None:
                    errors.require(f"licences.{i}.codes.{j}", waste.category == "hazardous",
                                   "a hazardous-waste licence covers hazardous codes only")
                    codes.append(waste.code)
            if len(codes) == len(licence.codes):  # otherwise the errors below are raised anyway
                canonical.append(replace(licence, codes=tuple(dict.fromkeys(codes))))
        errors.raise_if_any()
        return credit, industry.code, canonical

    @classmethod
    def register(cls, park_id, name, credit_code, industry_code, location, licences, contact, catalogue):
        credit, industry, licences = cls.validate(name, credit_code, industry_code, catalogue, licences)
        enterprise = cls(str(uuid.uuid4()), park_id, name.strip(), credit, industry, location,
                         licences, dict(contact or {}))
        enterprise.events.append(Event("EnterpriseRegistered", enterprise.id, enterprise.to_dict()))
        return enterprise

    def update(self, catalogue, **changes) -> None:
        merged = {**self.__dict__, **changes}
        credit, industry, licences = self.validate(merged["name"], merged["credit_code"], merged["industry_code"],
                                                   catalogue, merged["licences"])
        for key, value in changes.items():
            setattr(self, key, value)
        self.name, self.credit_code, self.industry_code, self.licences = self.name.strip(), credit, industry, licences
        self.events.append(Event("EnterpriseUpdated", self.id, self.to_dict()))

    def licensed_for(self, code: str, on: date) -> bool:
        return any(licence.covers(code, on) for licence in self.licences)

    def to_dict(self) -> dict:
        return {
            "id": self.id, "park_id": self.park_id, "name": self.name, "credit_code": self.credit_code,
            "industry_code": self.industry_code, "location": self.location.to_dict(),
            "licences": [licence.to_dict() for licence in self.licences], "contact": dict(self.contact),
        }
