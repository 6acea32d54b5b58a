"""The anonymised record format of the Counter Trafficking Data
Collaborative's global k-anonymised dataset (HTCDS 2.0 vocabulary): one
record per survivor, generalised fields, no ids, no dates finer than a year,
no free text. docs/statistics.md lists every column and how our fields map
to it.

Quasi-identifiers (what someone who knows a survivor could know: when she
was registered, gender, age, citizenship, where she was exploited) are
generalised by the hierarchies below; everything else is a 0/1 flag per
CTDC column, empty where it does not apply (a type of labour for a case of
sexual exploitation only) or is not known."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from .anonymity import Hierarchy

DATASOURCE = "Case Management"
NOT_KNOWN = ""
MINORS = {"0-11", "12-17"}


def _same(value: str) -> str:
    return value


def _nothing(value: str) -> str:
    return NOT_KNOWN


def _five_years(value: str) -> str:
    if not value:
        return NOT_KNOWN
    start = int(value) - int(value) % 5
    return f"{start}-{start + 4}"


def _gender_broad(value: str) -> str:
    if value in ("Feminine", "Masculine", NOT_KNOWN):
        return value
    return "TransgenderOrNonConforming"


def _majority(value: str) -> str:
    if not value:
        return NOT_KNOWN
    return "Minor" if value in MINORS else "Adult"


# The quasi-identifiers in column order, each with its hierarchy (level 0 first, nothing last).
QUASI_IDENTIFIERS: tuple[str, ...] = ("yearOfRegistration", "gender", "age", "citizenship", "CountryOfExploitation")
HIERARCHIES: tuple[Hierarchy, ...] = (
    (_same, _five_years, _nothing),  # 2024 → 2020-2024 → withheld
    (_same, _gender_broad, _nothing),  # TransgenderFeminine → TransgenderOrNonConforming → withheld
    (_same, _majority, _nothing),  # 18-24 → Adult → withheld
    (_same, _nothing),  # UZB → withheld
    (_same, _nothing),  # RUS → withheld
)
LEVEL_NAMES: dict[str, tuple[str, ...]] = {
    "yearOfRegistration": ("year", "five years", "withheld"),
    "gender": ("as recorded", "broad", "withheld"),
    "age": ("age band", "minor or adult", "withheld"),
    "citizenship": ("country", "withheld"),
    "CountryOfExploitation": ("country", "withheld"),
}


def level_names(levels: tuple[int, ...]) -> dict[str, str]:
    """How far each quasi-identifier was generalised, in words."""
    return {name: LEVEL_NAMES[name][level] for name, level in zip(QUASI_IDENTIFIERS, levels, strict=True)}


MEANS_OF_CONTROL: dict[str, tuple[str, ...]] = {
    "meansOfControlDebtBondage": ("DebtBondage",),
    "meansOfControlTakesEarnings": ("TakesEarnings",),
    "meansOfControlRestrictsFinancialAccess": ("RestrictsFinancialAccess",),
    "meansOfControlThreats": ("PhysicalThreats", "ThreatensFamily"),
    "meansOfControlPsychologicalAbuse": ("PsychologicalAbuse",),
    "meansOfControlPhysicalAbuse": ("PhysicalAbuse",),
    "meansOfControlSexualAbuse": ("SexualAbuse",),
    "meansOfControlFalsePromises": ("FalsePromises",),
    "meansOfControlPsychoactiveSubstances": ("PsychoactiveSubstance",),
    "meansOfControlRestrictsMovement": ("RestrictsMovement",),
    "meansOfControlRestrictsMedicalCare": ("RestrictsMedicalCare",),
    "meansOfControlExcessiveWorkingHours": ("ExcessiveWorkingHours",),
    "meansOfControlUsesChildren": ("UsesChildren",),
    "meansOfControlThreatOfLawEnforcement": ("ThreatsLawEnforcement",),
    "meansOfControlWithholdsNecessities": ("WithholdsNecessities",),
    "meansOfControlWithholdsDocuments": ("WithholdsDocuments",),
    "meansOfControlOther": ("Other",),
}
EXPLOITATION: dict[str, tuple[str, ...]] = {
    "isForcedLabour": ("ForcedLabour", "ChildLabour", "ForcedBegging", "ForcedCriminality"),
    "isSexualExploit": ("SexualExploitation",),
    "isForcedMarriage": ("ForcedMarriage",),
    "isForcedMilitary": ("ForcedMilitary",),
    "isOrganRemoval": ("OrganRemoval",),
    "isSlaveryAndPractices": ("Servitude",),
    "isOtherExploit": ("ForcedAdoption", "Surrogacy", "Other"),
}
# ISIC sections (and the labour-like exploitation types) per CTDC type of labour.
LABOUR: dict[str, tuple[str, ...]] = {
    "typeOfLabourAgriculture": ("A",),
    "typeOfLabourBegging": ("ForcedBegging",),
    "typeOfLabourConstruction": ("F",),
    "typeOfLabourDomesticWork": ("T",),
    "typeOfLabourHospitality": ("I",),
    "typeOfLabourIllicitActivities": ("ForcedCriminality",),
    "typeOfLabourManufacturing": ("C",),
    "typeOfLabourMiningOrDrilling": ("B",),
    "typeOfLabourTransportation": ("H",),
}
SEX: dict[str, tuple[str, ...]] = {
    "typeOfSexProstitution": ("Prostitution",),
    "typeOfSexPornography": ("Pornography",),
    "typeOfSexRemoteInteractiveServices": ("RemoteInteractiveServices",),
    "typeOfSexPrivateSexualServices": ("PrivateSexualServices",),
}
RECRUITER: dict[str, tuple[str, ...]] = {
    "recruiterRelationIntimatePartner": ("IntimatePartner",),
    "recruiterRelationFriend": ("Friend",),
    "recruiterRelationFamily": ("Family",),
    "recruiterRelationOther": ("Employer", "Recruiter", "Stranger"),
}

COLUMNS: tuple[str, ...] = (
    "yearOfRegistration",
    "Datasource",
    "gender",
    "ageBroad",
    "majorityStatus",
    "citizenship",
    "CountryOfExploitation",
    *MEANS_OF_CONTROL,
    "meansOfControlNotSpecified",
    *EXPLOITATION,
    "isSexAndLabour",
    *LABOUR,
    "typeOfLabourOther",
    "typeOfLabourNotSpecified",
    *SEX,
    "typeOfSexNotSpecified",
    "isAbduction",
    *RECRUITER,
    "recruiterRelationUnknown",
)


@dataclass(frozen=True)
class Source:
    """What a record is made from: one survivor's latest counted case."""

    year: int
    gender: str
    age_band: str
    citizenships: Sequence[str]
    countries_of_exploitation: Sequence[str]
    exploitation_types: Sequence[str]
    sexual_exploitation_types: Sequence[str]
    labour_industry: str
    means_of_control: Sequence[str]
    recruitment_methods: Sequence[str]
    trafficker_relationship: str

    def quasi_identifiers(self) -> tuple[str, ...]:
        """Level-0 values, in QUASI_IDENTIFIERS order; unknown is ""."""
        return (
            str(self.year),
            "" if self.gender == "NonSpecifiedUnknown" else self.gender,
            "" if self.age_band == "unknown" else self.age_band,
            self.citizenships[0] if self.citizenships else "",
            self.countries_of_exploitation[0] if self.countries_of_exploitation else "",
        )


def _flags(held: set[str], columns: dict[str, tuple[str, ...]]) -> dict[str, int]:
    return {column: int(bool(held.intersection(codes))) for column, codes in columns.items()}


def record(source: Source, generalised: tuple[str, ...]) -> dict[str, Any]:
    """The CTDC record: the generalised quasi-identifiers, then the flags."""
    year, gender, age, citizenship, country = generalised
    exploitation = set(source.exploitation_types)
    row: dict[str, Any] = {
        "yearOfRegistration": year,
        "Datasource": DATASOURCE,
        "gender": gender,
        "ageBroad": age if age not in ("", "Adult", "Minor") else NOT_KNOWN,
        "majorityStatus": _majority(age) if age not in ("Adult", "Minor") else age,
        "citizenship": citizenship,
        "CountryOfExploitation": country,
    }
    means = set(source.means_of_control)
    row.update(_flags(means, MEANS_OF_CONTROL))
    row["meansOfControlNotSpecified"] = int(not means)
    kinds = _flags(exploitation, EXPLOITATION) if exploitation else dict.fromkeys(EXPLOITATION, NOT_KNOWN)
    row.update(kinds)
    row["isSexAndLabour"] = int(kinds["isForcedLabour"] == 1 and kinds["isSexualExploit"] == 1) if exploitation else ""
    row.update(_labour(source, exploitation, labour=kinds["isForcedLabour"] == 1))
    row.update(_sex(source, sexual=kinds["isSexualExploit"] == 1))
    methods = set(source.recruitment_methods)
    row["isAbduction"] = int("Abduction" in methods) if methods else NOT_KNOWN
    relationship = source.trafficker_relationship
    row.update(_flags({relationship}, RECRUITER))
    row["recruiterRelationUnknown"] = int(relationship in ("", "Unknown"))
    return row


def _labour(source: Source, exploitation: set[str], *, labour: bool) -> dict[str, Any]:
    columns = [*LABOUR, "typeOfLabourOther", "typeOfLabourNotSpecified"]
    if not labour:
        return dict.fromkeys(columns, NOT_KNOWN)
    held = exploitation | ({source.labour_industry} if source.labour_industry else set())
    flags: dict[str, Any] = _flags(held, LABOUR)
    mapped = {code for codes in LABOUR.values() for code in codes}
    flags["typeOfLabourOther"] = int(bool(source.labour_industry) and source.labour_industry not in mapped)
    flags["typeOfLabourNotSpecified"] = int(not any(flags.values()))
    return flags


def _sex(source: Source, *, sexual: bool) -> dict[str, Any]:
    columns = [*SEX, "typeOfSexNotSpecified"]
    if not sexual:
        return dict.fromkeys(columns, NOT_KNOWN)
    flags: dict[str, Any] = _flags(set(source.sexual_exploitation_types), SEX)
    flags["typeOfSexNotSpecified"] = int(not source.sexual_exploitation_types)
    return flags
