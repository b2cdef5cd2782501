"""Generate the labelled automap benchmark: provider-style exports in six house styles, and their labels.

    .venv/bin/python benchmarks/automap/generate.py

Each style imitates a different housing management system: its own header wording, order, codes, date
formats, combined columns (one date column, one postcode column) and tick columns. `labels.json` gives the
correct template field numbers for every column ([] = a column that should stay unmapped). The mapper never
reads this folder: only the benchmark scorer and the regression test do.
"""

from __future__ import annotations

import csv
import json
import random
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
FILES = HERE / "files"
ROWS = 60

Gen = Callable[[random.Random], str]


def pick(*values: str) -> Gen:
    return lambda rng: rng.choice(values)


def number(low: int, high: int) -> Gen:
    return lambda rng: str(rng.randint(low, high))


def money(low: int, high: int) -> Gen:
    return lambda rng: f"{rng.uniform(low, high):.2f}"


def a_date(fmt: str, start: date = date(2026, 4, 1), span: int = 300) -> Gen:
    return lambda rng: (start + timedelta(days=rng.randint(0, span))).strftime(fmt)


def date_part(part: str, start: date = date(2026, 4, 1)) -> Gen:
    def gen(rng: random.Random) -> str:
        day = start + timedelta(days=rng.randint(0, 300))
        return str({"day": day.day, "month": day.month, "year": day.year}[part])
    return gen


OUTWARDS = ("SW1A", "M1", "B33", "LS6", "NE4", "CR2", "BS16", "EC1V", "L18", "PE30")


def postcode(rng: random.Random) -> str:
    return f"{rng.choice(OUTWARDS)} {rng.randint(0, 9)}{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}{rng.choice('ABDEFGHJLNP')}"


def outward(rng: random.Random) -> str:
    return rng.choice(OUTWARDS)


def inward(rng: random.Random) -> str:
    return f"{rng.randint(0, 9)}{rng.choice('ABDEFGHJ')}{rng.choice('LNPQRS')}"


def ref(prefix: str) -> Gen:
    return lambda rng: f"{prefix}{rng.randint(10000, 99999)}"


def text(*values: str) -> Gen:
    return pick(*values)


TICK_10 = pick("1", "0", "0", "")
TICK_YN = pick("Y", "N", "N")
TICK_X = pick("X", "", "")
TICK_TF = pick("TRUE", "FALSE", "FALSE")
YES_NO = pick("Yes", "No")
Y_N = pick("Y", "N")
LA_CODES = pick("E08000003", "E09000033", "E06000023", "E07000178", "E08000035")
STREETS = text("12 High Street", "4 Mill Lane", "Flat 3, 88 Park Road", "27 Church Walk", "1 Station Approach")
TOWNS = text("Leeds", "Manchester", "Bristol", "Newcastle upon Tyne", "Croydon")
COUNTIES = text("West Yorkshire", "Greater Manchester", "", "Tyne and Wear", "Surrey")

# Each style: (header, correct template fields, value generator). [] = should stay unmapped.
Column = tuple[str, list[int], Gen]

STYLE_A: list[Column] = [  # "Orchard"-like: Title Case words, full labels, UK dates
    ("Tenancy Reference", [13], ref("T")),
    ("Property Reference", [14], ref("P")),
    ("Tenancy Start Date", [8, 9, 10], a_date("%d/%m/%Y")),
    ("Owning Organisation", [1], pick("ORG12")),
    ("Managing Organisation", [2], pick("ORG12", "ORG40")),
    ("Needs Type", [4], pick("General needs", "Supported housing")),
    ("Is Renewal", [7], YES_NO),
    ("Rent Type", [11], pick("Social Rent", "Affordable Rent")),
    ("Address Line 1", [19], STREETS),
    ("Address Line 2", [20], text("", "Northside")),
    ("Town", [21], TOWNS),
    ("County", [22], COUNTIES),
    ("Postcode", [23, 24], postcode),
    ("Local Authority Code", [25], LA_CODES),
    ("Number of Bedrooms", [28], number(1, 5)),
    ("Void Date", [29, 30, 31], a_date("%d/%m/%Y", date(2026, 1, 1))),
    ("Major Repairs Completed Date", [32, 33, 34], a_date("%d/%m/%Y", date(2025, 12, 1))),
    ("Tenancy Type", [38], pick("Assured Shorthold Tenancy (AST) – Fixed term", "Secure – lifetime", "Periodic")),
    ("Fixed Term Length (Years)", [40], number(1, 10)),
    ("Joint Tenancy", [36], YES_NO),
    ("Starter Tenancy", [37], YES_NO),
    ("Lead Tenant Age", [41], number(18, 90)),
    ("Lead Tenant Sex", [42], pick("Female", "Male")),
    ("Lead Tenant Ethnic Group", [45], pick("Irish", "Indian", "Caribbean", "Roma")),
    ("Lead Tenant Nationality", [46], pick("826", "372", "616")),
    ("Lead Tenant Working Situation", [47], pick("Retired", "Jobseeker", "Full-time student")),
    ("Person 2 Age", [48], number(1, 80)),
    ("Person 2 Sex", [50], pick("Female", "Male")),
    ("Person 2 Partner", [49], pick("Yes", "No")),
    ("Person 2 Working Situation", [53], pick("Retired", "Child under 16")),
    ("Basic Rent", [142], money(60, 180)),
    ("Service Charge", [143], money(0, 30)),
    ("Support Charge", [145], money(0, 20)),
    ("Housing Benefit", [138], pick("Housing benefit", "Universal Credit housing element", "Neither")),
    ("Internal Notes", [], text("call back", "", "keys with caretaker")),
    ("Officer Initials", [], text("AB", "JK", "MT")),
]

STYLE_B: list[Column] = [  # database export: snake_case, codes, ISO dates, split postcode
    ("tenancy_ref", [13], ref("TEN")),
    ("property_ref", [14], ref("PR")),
    ("owning_org_code", [1], pick("ORG12")),
    ("managing_org_code", [2], pick("ORG12")),
    ("needs_type_cd", [4], pick("1", "2")),
    ("renewal_flag", [7], pick("1", "0")),
    ("tenancy_start_dt", [8, 9, 10], a_date("%Y-%m-%d")),
    ("rent_type_cd", [11], pick("0", "1", "2")),
    ("uprn", [18], number(100000000, 999999999)),
    ("postcode_outward", [23], outward),
    ("postcode_inward", [24], inward),
    ("la_code", [25], LA_CODES),
    ("bedrooms", [28], number(1, 4)),
    ("void_dt", [29, 30, 31], a_date("%Y-%m-%d", date(2026, 1, 1))),
    ("sheltered_cd", [35], pick("3", "7", "2")),
    ("wheelchair_standard", [27], pick("1", "2")),
    ("tenancy_type_cd", [38], pick("2", "4", "7")),
    ("age_1", [41], number(18, 95)),
    ("sex_1", [42], pick("F", "M")),
    ("ecstat_1", [47], pick("1", "2", "5")),
    ("age_2", [48], number(0, 80)),
    ("relat_2", [49], pick("P", "X")),
    ("sex_2", [50], pick("F", "M")),
    ("ecstat_2", [53], pick("9", "1")),
    ("age_3", [54], number(0, 15)),
    ("sex_3", [56], pick("F", "M")),
    ("ecstat_3", [59], pick("9")),
    ("ethnic_cd", [45], pick("1", "2", "13")),
    ("armed_forces_cd", [90], pick("2", "3")),
    ("pregnant_cd", [93], pick("1", "2")),
    ("illness_cd", [100], pick("1", "2")),
    ("prev_tenure_cd", [115], pick("30", "32", "40")),
    ("homeless_cd", [116], pick("1", "11")),
    ("income_freq_cd", [136], pick("1", "2", "3")),
    ("net_income", [137], money(100, 900)),
    ("rent_period_cd", [141], pick("1", "2", "4")),
    ("basic_rent", [142], money(70, 160)),
    ("service_charge", [143], money(0, 25)),
    ("pers_service_charge", [144], money(0, 10)),
    ("support_charge", [145], money(0, 15)),
    ("batch_id", [], number(1, 9)),
]

STYLE_C: list[Column] = [  # spreadsheet kept by hand: short headings, abbreviations, d-Mon-yy dates, ticks
    ("Tenant Ref", [13], ref("")),
    ("Prop Ref", [14], ref("X")),
    ("Start", [8, 9, 10], a_date("%d-%b-%y")),
    ("Landlord", [1], pick("ORG12")),
    ("Tenure", [38], pick("AST", "Secure", "Periodic", "Licence")),
    ("Beds", [28], number(1, 4)),
    ("Post Code", [23, 24], postcode),
    ("Prev Postcode", [118, 119], postcode),
    ("Prev LA", [120], LA_CODES),
    ("HH Member 1 Age", [41], number(18, 90)),
    ("HH Member 1 Gender", [42], pick("F", "M")),
    ("HH Member 2 Age", [48], number(1, 80)),
    ("HH Member 2 Gender", [50], pick("F", "M")),
    ("HH Member 2 Relationship", [49], pick("Partner", "Child", "Other")),
    ("Ethnicity", [45], pick("WBRI", "WIRI", "AIND", "BCAR")),
    ("Mobility", [106], TICK_10),
    ("Vision", [109], TICK_10),
    ("Hearing", [103], TICK_10),
    ("Dexterity", [101], TICK_10),
    ("Memory", [104], TICK_10),
    ("Mental Health", [105], TICK_10),
    ("Stamina or Breathing or Fatigue", [108], TICK_10),
    ("CBL", [127], TICK_YN),
    ("CAP", [128], TICK_YN),
    ("CHR", [129], TICK_YN),
    ("Accessible Register", [130], TICK_YN),
    ("Rent", [142], money(70, 160)),
    ("Serv Chg", [143], money(0, 25)),
    ("Rent Freq", [141], pick("Weekly", "Monthly", "4 weekly")),
    ("Income", [137], money(100, 900)),
    ("Inc Freq", [136], pick("Weekly", "Monthly")),
    ("Notes", [], text("", "see file")),
    ("Column1", [], text("", "")),
]

STYLE_D: list[Column] = [  # CamelCase system export, dates with dots, prefixed codes
    ("TenancyCode", [13], ref("TC")),
    ("PropertyCode", [14], ref("PC")),
    ("OwningOrganisationId", [1], pick("ORG12")),
    ("ManagingOrganisationId", [2], pick("ORG12")),
    ("TenancyStartDate", [8, 9, 10], a_date("%d.%m.%Y")),
    ("VacancyReason", [16], pick("Internal transfer", "Tenant died with no succession", "Tenant abandoned property")),
    ("PropertyUnitType", [26], pick("Flat or maisonette", "House", "Bedsit")),
    ("BedroomCount", [28], number(1, 5)),
    ("PropertyPostcode", [23, 24], postcode),
    ("LocalAuthority", [25], LA_CODES),
    ("MajorRepairsDate", [32, 33, 34], a_date("%d.%m.%Y", date(2025, 11, 1))),
    ("TenancyLengthYears", [40], number(1, 5)),
    ("LeadAge", [41], number(18, 85)),
    ("LeadSexAtBirth", [42], pick("F", "M", "R")),
    ("LeadGenderSameAsSex", [43], pick("1", "2")),
    ("LeadEconomicStatus", [47], pick("1", "2", "4", "5")),
    ("LeadNationality", [46], pick("826", "372")),
    ("Person2Age", [48], number(1, 80)),
    ("Person2SexAtBirth", [50], pick("F", "M")),
    ("Person2EconomicStatus", [53], pick("1", "9")),
    ("Person3Age", [54], number(1, 15)),
    ("Person3SexAtBirth", [56], pick("F", "M")),
    ("Person4Age", [60], number(1, 15)),
    ("Person4SexAtBirth", [62], pick("F", "M")),
    ("ArmedForces", [90], pick("2", "3")),
    ("Pregnancy", [93], pick("1", "2")),
    ("ReasonablePreference", [121], pick("1", "2")),
    ("MainReasonForLeaving", [113], pick("1", "2")),
    ("LengthInLocalAuthority", [111], pick("1", "2", "7")),
    ("WaitingListTime", [112], pick("2", "7", "13")),
    ("HousingBenefit", [138], pick("1", "6", "9")),
    ("BasicRent", [142], money(70, 160)),
    ("ServiceCharge", [143], money(0, 25)),
    ("SupportCharge", [145], money(0, 15)),
    ("OutstandingAmount", [147], money(0, 30)),
    ("ExportTimestamp", [], a_date("%Y-%m-%d 10:00:00")),
]

STYLE_E: list[Column] = [  # upper-case legacy export, split dates in separate columns, YN flags
    ("TENANT_NO", [13], ref("")),
    ("PROP_NO", [14], ref("")),
    ("START_DAY", [8], date_part("day")),
    ("START_MONTH", [9], date_part("month")),
    ("START_YEAR", [10], date_part("year")),
    ("VOID_DAY", [29], date_part("day")),
    ("VOID_MONTH", [30], date_part("month")),
    ("VOID_YEAR", [31], date_part("year")),
    ("RENEWAL_YN", [7], Y_N),
    ("NEEDS_TYPE", [4], pick("GN", "SH")),
    ("SCHEME_CODE", [5], ref("S")),
    ("LOCATION_CODE", [6], ref("L")),
    ("ADDR1", [19], STREETS),
    ("ADDR2", [20], text("", "Eastfield")),
    ("TOWN_CITY", [21], TOWNS),
    ("POSTCODE", [23, 24], postcode),
    ("LA", [25], LA_CODES),
    ("WCHAIR_YN", [27], Y_N),
    ("BEDS", [28], number(1, 4)),
    ("JOINT_YN", [36], Y_N),
    ("STARTER_YN", [37], Y_N),
    ("P1_AGE", [41], number(18, 90)),
    ("P1_SEX", [42], pick("F", "M")),
    ("P1_ECON", [47], pick("1", "5")),
    ("P2_AGE", [48], number(1, 80)),
    ("P2_SEX", [50], pick("F", "M")),
    ("P2_REL", [49], pick("P", "X")),
    ("P2_ECON", [53], pick("9", "1")),
    ("HOMELESS", [116], pick("1", "11")),
    ("PREV_TENURE", [115], pick("30", "40")),
    ("PREV_PCODE", [118, 119], postcode),
    ("HB", [138], pick("1", "6", "9")),
    ("BRENT", [142], money(70, 160)),
    ("SCHARGE", [143], money(0, 25)),
    ("PSCHARGE", [144], money(0, 10)),
    ("SUPCHARG", [145], money(0, 15)),
    ("RENT_FREQ", [141], pick("1", "2")),
    ("USER_ID", [3], pick("a.officer@example.org")),
]

STYLE_F: list[Column] = [  # council system: sentence-style headers with punctuation, mixed order
    ("Date tenancy started (dd/mm/yy)", [8, 9, 10], a_date("%d/%m/%y")),
    ("Tenant's reference no.", [13], ref("R")),
    ("Property ref.", [14], ref("Q")),
    ("Which organisation owns the property?", [1], pick("ORG12")),
    ("Type of tenancy", [38], pick("Assured Shorthold", "Secure lifetime", "Periodic", "Licence agreement")),
    ("Starter / introductory tenancy?", [37], pick("Yes", "No")),
    ("Reason property was vacant", [16], pick("Internal transfer", "Tenant moved to care home", "Renewal")),
    ("Rent basis when last let", [17], pick("Social rent basis", "Affordable rent basis")),
    ("Property postcode", [23, 24], postcode),
    ("Type of unit", [26], pick("House", "Flat or maisonette", "Bungalow")),
    ("No. of bedrooms", [28], number(1, 4)),
    ("Date property became void", [29, 30, 31], a_date("%d/%m/%y", date(2026, 1, 1))),
    ("Older people's housing?", [35], pick("No", "Yes – extra care housing")),
    ("Age of lead tenant", [41], number(18, 95)),
    ("Sex of lead tenant (registered at birth)", [42], pick("Female", "Male")),
    ("Lead tenant's ethnic background", [45], pick("African", "Chinese", "Irish")),
    ("Lead tenant's working status", [47], pick("Retired", "Jobseeker")),
    ("Age of person 2", [48], number(1, 80)),
    ("Sex of person 2", [50], pick("Female", "Male")),
    ("Age of person 3", [54], number(1, 15)),
    ("Sex of person 3", [56], pick("Female", "Male")),
    ("Anyone in household pregnant?", [93], pick("Yes", "No")),
    ("Links to armed forces", [90], pick("No", "Person prefers not to say")),
    ("Long-term illness or disability in household?", [100], pick("Yes", "No")),
    ("Homeless immediately before letting?", [116], pick("No", "Yes - assessed by a local authority as homeless")),
    ("Postcode of previous address", [118, 119], postcode),
    ("Reasonable preference given?", [121], pick("Yes", "No")),
    ("Reasonable preference: homeless", [122], TICK_X),
    ("Reasonable preference: unsanitary or overcrowded", [123], TICK_X),
    ("Reasonable preference: medical or welfare", [124], TICK_X),
    ("Reasonable preference: hardship", [125], TICK_X),
    ("Household income after tax", [137], money(100, 900)),
    ("How often is income received", [136], pick("Weekly", "Monthly")),
    ("Basic rent (£)", [142], money(70, 160)),
    ("Service charge (£)", [143], money(0, 25)),
    ("Still a shortfall after benefits?", [146], pick("Yes", "No")),
    ("Record last edited by", [], text("jsmith", "akhan")),
]

STYLES: dict[str, tuple[list[Column], str, str]] = {  # name -> (columns, delimiter, encoding)
    "style_a_titlecase.csv": (STYLE_A, ",", "utf-8-sig"),
    "style_b_snake_codes.csv": (STYLE_B, ",", "utf-8"),
    "style_c_handmade_ticks.csv": (STYLE_C, ";", "cp1252"),
    "style_d_camelcase.csv": (STYLE_D, "\t", "utf-8"),
    "style_e_legacy_upper.csv": (STYLE_E, ",", "utf-8"),
    "style_f_sentences.csv": (STYLE_F, ",", "utf-16"),
}


def write(seed: int = 2026) -> dict[str, dict[str, list[int]]]:
    FILES.mkdir(exist_ok=True)
    labels: dict[str, dict[str, list[int]]] = {}
    for name, (columns, delimiter, encoding) in STYLES.items():
        rng = random.Random(f"{seed}-{name}")
        with open(FILES / name, "w", encoding=encoding, newline="") as handle:
            writer = csv.writer(handle, delimiter=delimiter, lineterminator="\r\n" if "c_" in name else "\n")
            writer.writerow([header for header, _, _ in columns])
            for _ in range(ROWS):
                writer.writerow([gen(rng) for _, _, gen in columns])
        labels[name] = {header: fields for header, fields, _ in columns}
    (HERE / "labels.json").write_text(json.dumps(labels, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return labels


if __name__ == "__main__":
    written = write()
    print(f"{len(written)} files, {sum(len(v) for v in written.values())} columns")
