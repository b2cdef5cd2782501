"""The kept-aside set of the harder automap benchmark: five exports never looked at while tuning the mapper.

    .venv/bin/python benchmarks/automap/kept_aside/generate.py   (already run: the files and labels are committed)

Written and labelled before the mapper was changed, committed, and not opened again until the final
measurement; the benchmark's headline figure is measured on these files alone. They imitate exports of the
same kinds of system as the tuning set but are worded independently: a Northgate-style extract, a SharePoint
survey with numbered questions, a BusinessObjects report with dotted universe object names, an SAP RE
lettings list and a legacy Access database with Hungarian-notation field names. Labels are the template
fields a person who knows the 2026/27 lettings template would map each column to ([] = leave it unmapped).
"""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from exports import (  # noqa: E402 - the shared helpers sit one folder up
    FREE_NOTES,
    LA_CODES,
    LA_NAMES,
    LINE2,
    NAMES,
    STREETS,
    TOWNS,
    ExportFile,
    a_date,
    money,
    number,
    pick,
    postcode,
    ref,
    sometimes,
    weighted,
    write_set,
)


def age(n: int) -> list[int]:
    return [41] if n == 1 else [48 + 6 * (n - 2)]


def relat(n: int) -> list[int]:
    return [49 + 6 * (n - 2)]


def sex(n: int) -> list[int]:
    return [42] if n == 1 else [50 + 6 * (n - 2)]


def ecstat(n: int) -> list[int]:
    return [47] if n == 1 else [53 + 6 * (n - 2)]


ALL_RP = [122, 123, 124, 125, 126]
ALL_ALLOCATION = [127, 128, 129, 130]
ALL_CONDITIONS = [101, 102, 103, 104, 105, 106, 107, 108, 109, 110]
YN = pick("Y", "N")
YES_NO = pick("Yes", "No")
ADULT = number(18, 90)
ANY_AGE = number(0, 78)
SEX_FM = pick("F", "M")
SEX_WORDS = pick("Female", "Male")

NORTHGATE = ExportFile("northgate_lettings_extract.csv", "Northgate-style extract: upper-case codes, HHMn blocks", [
    ("TENANCY_NO", [13], ref("", 100000, 999999)),
    ("PROP_REF", [14], ref("", 10000, 99999, "01")),
    ("TENURE_CODE", [38], pick("AST", "SEC", "INT", "ASSD", "LIC")),
    ("COMMENCE_DATE", [8, 9, 10], a_date("%Y-%m-%d")),
    ("TENANCY_SOURCE", [131], pick("HREG", "DIRECT", "TRANSFER", "NOM")),
    ("VOID_REASON", [16], pick("TRANS", "DECD", "EVIC", "ABAN", "MUTX")),
    ("VOID_DATE", [29, 30, 31], a_date("%Y-%m-%d", date(2026, 1, 10), 200)),
    ("PROP_TYPE", [26], pick("FLT", "HSE", "BNG", "BST", "MSN")),
    ("BEDROOMS", [28], number(1, 5)),
    ("WCHAIR_ADAPT", [27], weighted(("N", 8), ("Y", 1))),
    ("PCODE", [23, 24], postcode),
    ("LA_CODE", [25], LA_CODES),
    ("ADDR_LINE_1", [19], STREETS),
    ("ADDR_LINE_2", [20], LINE2),
    ("POST_TOWN", [21], TOWNS),
    ("HHM1_AGE", age(1), ADULT),
    ("HHM1_SEX", sex(1), SEX_FM),
    ("HHM1_ETHNIC", [45], pick("A1", "A2", "B1", "C1", "D2", "E1")),
    ("HHM1_NATIONALITY", [46], pick("GBR", "GBR", "POL", "IRL", "LTU")),
    ("HHM1_ECON", ecstat(1), pick("FTE", "PTE", "RET", "UNE", "STU", "LTS")),
    ("HHM2_AGE", age(2), sometimes(ANY_AGE, 0.5)),
    ("HHM2_SEX", sex(2), sometimes(SEX_FM, 0.5)),
    ("HHM2_REL", relat(2), sometimes(pick("PTNR", "CHLD", "OTHR"), 0.5)),
    ("HHM2_ECON", ecstat(2), sometimes(pick("FTE", "CHD", "RET"), 0.5)),
    ("HHM3_AGE", age(3), sometimes(number(0, 16), 0.25)),
    ("HHM3_SEX", sex(3), sometimes(SEX_FM, 0.25)),
    ("HHM3_REL", relat(3), sometimes(pick("CHLD"), 0.25)),
    ("PREG_FLAG", [93], weighted(("N", 9), ("Y", 1))),
    ("DISAB_FLAG", [100], YN),
    ("ARMED_FORCES", [90], weighted(("N", 9), ("Y", 1))),
    ("PREV_TENURE", [115], pick("PRS", "LA", "RSL", "FAM", "TA", "HOS")),
    ("HOMELESS_PRE", [116], weighted(("N", 6), ("Y", 2))),
    ("RSN_PREF", [121], YN),
    ("NET_INC", [137], money(80, 650)),
    ("INC_PERIOD", [136], pick("WK", "MTH")),
    ("HB_IND", [138], pick("HB", "UC", "NO")),
    ("RENT_PERIOD", [141], pick("WK", "MTH", "4WK")),
    ("BASIC_RENT_AMT", [142], money(75, 160)),
    ("SVC_CHARGE", [143], money(0, 25)),
    ("SUPPORT_CHG", [145], sometimes(money(5, 40), 0.2)),
    ("BAL_OS", [], money(0, 400)),
    ("RUN_DATE", [], pick("2026-11-30")),
    ("AREA_CODE", [], pick("N1", "S2", "E4", "W3")),
])

SURVEY = ExportFile("sharepoint_survey_numbered.csv", "SharePoint survey: numbered questions, multi-choice answers", [
    ("Respondent ID", [], number(1, 500)),
    ("Submitted", [], a_date("%d/%m/%Y %H:%M")),
    ("Q1 Tenant reference", [13], ref("", 100000, 999999)),
    ("Q2 Property reference number", [14], ref("PN", 1000, 9999)),
    ("Q3 Tenancy start date (DD/MM/YYYY)", [8, 9, 10], a_date("%d/%m/%Y")),
    ("Q4 Is this a new tenancy or a renewal?", [7], weighted(("New tenancy", 9), ("Renewal", 1))),
    ("Q5 Needs type", [4], pick("General needs", "Supported")),
    ("Q6 Tenancy type", [38], pick("Assured shorthold", "Assured", "Secure", "Starter tenancy", "Licence")),
    ("Q7 Fixed term length in years (if fixed term)", [40], sometimes(pick("2", "5", "10"), 0.4)),
    ("Q8 Property postcode", [23, 24], postcode),
    ("Q9 Property type", [26], pick("Flat", "House", "Bungalow", "Bedsit")),
    ("Q10 How many bedrooms?", [28], number(1, 4)),
    ("Q11 Reason the property became vacant", [16], pick("Tenant transferred", "Tenant passed away", "Eviction",
                                                          "Tenant gave notice")),
    ("12) How long has the household continuously lived in the district?", [111],
     pick("Under 1 year", "1-2 years", "2-5 years", "5-10 years", "Over 10 years")),
    ("13) How long has the household been on the housing register?", [112],
     pick("Under 1 year", "1-2 years", "Over 5 years", "Not on register")),
    ("Q14 Lead tenant's age", age(1), ADULT),
    ("Q15 Lead tenant's sex", sex(1), SEX_WORDS),
    ("Q16 Lead tenant's ethnic group", [45], pick("White - British", "White - Irish", "Asian - Indian",
                                                  "Black - African", "Mixed", "Other")),
    ("Q17 Lead tenant's nationality", [46], pick("British", "Polish", "Irish", "Romanian")),
    ("Q18 Lead tenant's employment status", ecstat(1), pick("Employed full time", "Employed part time", "Retired",
                                                            "Looking for work", "Student")),
    ("Q19 Second person's age", age(2), sometimes(ANY_AGE, 0.5)),
    ("Q20 Second person's sex", sex(2), sometimes(SEX_WORDS, 0.5)),
    ("Q21 Is the second person the lead tenant's partner?", relat(2), sometimes(YES_NO, 0.5)),
    ("Q22 Third person's age", age(3), sometimes(number(0, 16), 0.25)),
    ("Q23 Third person's sex", sex(3), sometimes(SEX_WORDS, 0.25)),
    ("Q24 Household's previous housing situation", [115], pick("Renting privately", "Council tenant",
                                                               "Staying with family", "Temporary accommodation")),
    ("Q25 Homeless immediately before letting?", [116], weighted(("No", 6), ("Yes", 2))),
    ("Q26 Main reason for leaving previous home", [113], pick("Overcrowded", "Private tenancy ended",
                                                              "Domestic abuse", "Family asked them to leave")),
    ("Q27 Previous postcode", [118, 119], postcode),
    ("Q28 Which reasonable preference groups apply? (select all)", ALL_RP,
     sometimes(pick("Homeless", "Medical or welfare", "Overcrowded; Hardship"), 0.5)),
    ("Q29 Allocation route (select all that apply)", ALL_ALLOCATION,
     pick("Choice based lettings", "Common housing register", "Choice based lettings; Accessible housing register")),
    ("Q30 Armed forces connection", [90], weighted(("None", 9), ("Veteran", 1))),
    ("Q31 Anyone pregnant?", [93], weighted(("No", 9), ("Yes", 1))),
    ("Q32 Physical or mental health condition lasting 12 months+", [100], YES_NO),
    ("Q33 How is the condition affecting them? (select all)", ALL_CONDITIONS,
     sometimes(pick("Mobility", "Mental health", "Mobility; Dexterity", "Learning"), 0.4)),
    ("Q34 Household take-home income", [137], money(80, 650)),
    ("Q35 Income is received", [136], pick("Weekly", "Monthly")),
    ("Q36 Rent charged each period (£)", [142], money(75, 160)),
    ("Q37 Service charge per period (£)", [143], money(0, 25)),
    ("Q38 Rent is charged", [141], pick("Weekly", "Monthly", "Every two weeks")),
    ("Q39 Comments", [], FREE_NOTES),
], encoding="utf-8-sig")

UNIVERSE = ExportFile("bo_universe_report.csv", "BusinessObjects report with dotted universe object names", [
    ("Tenancy.Tenancy Number", [13], ref("", 100000, 999999)),
    ("Property.Property Reference", [14], ref("PR", 10000, 99999)),
    ("Tenancy.Start Date", [8, 9, 10], a_date("%Y-%m-%d 00:00:00")),
    ("Tenancy.Tenure Type", [38], pick("Assured Shorthold", "Secure", "Introductory", "Assured")),
    ("Tenancy.Joint Tenancy Flag", [36], weighted(("N", 3), ("Y", 1))),
    ("Tenancy.Introductory Flag", [37], YN),
    ("Letting.Needs Category", [4], pick("General Needs", "Supported Housing")),
    ("Letting.Rent Regime", [11], pick("Social Rent", "Affordable Rent")),
    ("Letting.Renewal Flag", [7], weighted(("N", 9), ("Y", 1))),
    ("Property.Archetype", [26], pick("Flat", "House", "Bungalow", "Maisonette")),
    ("Property.Bedroom Count", [28], number(1, 4)),
    ("Property.Postcode", [23, 24], postcode),
    ("Property.Local Authority", [25], LA_NAMES),
    ("Property.Wheelchair Standard", [27], weighted(("N", 8), ("Y", 1))),
    ("Property.Older Persons Designation", [35], weighted(("None", 8), ("Sheltered", 1), ("Extra Care", 1))),
    ("Void.Void Reason", [16], pick("Transfer", "Death", "Eviction", "Abandoned", "Tenant Moved to PRS")),
    ("Void.Void Start Date", [29, 30, 31], a_date("%Y-%m-%d 00:00:00", date(2026, 1, 10), 200)),
    ("Void.Void Days", [], number(5, 120)),
    ("Void.Major Works Completed", [32, 33, 34], sometimes(a_date("%Y-%m-%d 00:00:00", date(2026, 2, 1), 150), 0.3)),
    ("Person 1.Age", age(1), ADULT),
    ("Person 1.Gender", sex(1), SEX_WORDS),
    ("Person 1.Ethnic Origin", [45], pick("White British", "White Irish", "Indian", "Pakistani", "African")),
    ("Person 1.Employment Status", ecstat(1), pick("Full Time", "Part Time", "Retired", "Unemployed")),
    ("Person 2.Age", age(2), sometimes(ANY_AGE, 0.5)),
    ("Person 2.Gender", sex(2), sometimes(SEX_WORDS, 0.5)),
    ("Person 2.Relationship", relat(2), sometimes(pick("Partner", "Child", "Other"), 0.5)),
    ("Person 3.Age", age(3), sometimes(number(0, 16), 0.3)),
    ("Person 3.Gender", sex(3), sometimes(SEX_WORDS, 0.3)),
    ("Person 4.Age", age(4), sometimes(number(0, 16), 0.15)),
    ("Person 4.Gender", sex(4), sometimes(SEX_WORDS, 0.15)),
    ("Household.Previous Tenure", [115], pick("Private Rented", "Council", "Housing Association", "Family/Friends")),
    ("Household.Homeless Flag", [116], weighted(("N", 6), ("Y", 2))),
    ("Household.Armed Forces", [90], weighted(("N", 9), ("Y", 1))),
    ("Rent.Net Rent", [142], money(75, 160)),
    ("Rent.Service Charge", [143], money(0, 25)),
    ("Rent.Support Charge", [145], sometimes(money(5, 40), 0.2)),
    ("Rent.Charge Frequency", [141], pick("Weekly", "Monthly")),
    ("Account.Arrears Balance", [], money(0, 500)),
    ("Report.Extract Date", [], pick("2026-11-30 06:00:00")),
])

SAP_RE = ExportFile("sap_re_lettings_2026.csv", "SAP RE lettings list: rental units and contracts", [
    ("Rental Unit ID", [14], ref("RU", 100000, 999999)),
    ("RE Contract No.", [13], ref("4", 1000000, 9999999)),
    ("Contract Valid From", [8, 9, 10], a_date("%d.%m.%Y")),
    ("Contract Category", [38], pick("Assured shorthold tenancy", "Assured tenancy", "Licence to occupy")),
    ("Tenancy Allocation Route", [131], pick("Waiting list", "Direct", "Internal transfer", "LA nomination")),
    ("Reason for Vacancy", [16], pick("Transfer", "Death", "Eviction", "Notice given")),
    ("Vacant Since", [29, 30, 31], a_date("%d.%m.%Y", date(2026, 1, 10), 200)),
    ("Object Type", [26], pick("Flat", "House", "Bungalow", "Bedsit")),
    ("Bedrooms", [28], number(1, 4)),
    ("Postcode", [23, 24], postcode),
    ("City", [21], TOWNS),
    ("Street", [19], STREETS),
    ("Local Authority District", [25], LA_NAMES),
    ("Principal Tenant Age", age(1), ADULT),
    ("Principal Tenant Sex", sex(1), SEX_FM),
    ("Principal Tenant Nationality", [46], pick("British", "Polish", "Irish", "Nigerian")),
    ("Principal Tenant Ethnic Group", [45], pick("White British", "Indian", "Black African", "Mixed")),
    ("Principal Tenant Employment", ecstat(1), pick("Full-time", "Part-time", "Retired", "Unemployed")),
    ("Occupant 2 Age", age(2), sometimes(ANY_AGE, 0.5)),
    ("Occupant 2 Sex", sex(2), sometimes(SEX_FM, 0.5)),
    ("Occupant 2 Relationship", relat(2), sometimes(pick("Partner", "Child", "Other"), 0.5)),
    ("Occupant 3 Age", age(3), sometimes(number(0, 16), 0.25)),
    ("Occupant 3 Sex", sex(3), sometimes(SEX_FM, 0.25)),
    ("Net Rent", [142], money(75, 160)),
    ("Service Charge Advance", [143], money(0, 25)),
    ("Support Charge", [145], sometimes(money(5, 40), 0.2)),
    ("Personal Service Charge", [144], sometimes(money(1, 9), 0.3)),
    ("Payment Cycle", [141], pick("Weekly", "Monthly")),
    ("Housing Benefit", [138], pick("Housing benefit", "Universal credit", "None")),
    ("Business Partner No.", [], ref("", 10000000, 99999999)),
    ("Company Code", [], pick("2000")),
    ("Cost Centre", [], pick("CC4100", "CC4200")),
    ("Currency", [], pick("GBP")),
    ("Valid To", [], a_date("%d.%m.%Y", date(2027, 4, 1), 900)),
], delimiter=";")

ACCESS = ExportFile("access_db_legacy.csv", "legacy Access database: Hungarian-notation field names", [
    ("lngID", [], number(1, 9999)),
    ("txtTenancyRef", [13], ref("T", 10000, 99999)),
    ("txtPropRef", [14], ref("", 1000, 9999)),
    ("dtmTenStart", [8, 9, 10], a_date("%d/%m/%Y")),
    ("lngBeds", [28], number(1, 4)),
    ("ysnJoint", [36], pick("0", "0", "-1")),
    ("ysnStarter", [37], pick("-1", "0")),
    ("ysnRenewal", [7], weighted(("0", 9), ("-1", 1))),
    ("strTenType", [38], pick("AST", "Assured", "Secure", "Licence")),
    ("strPropType", [26], pick("Flat", "House", "Bungalow")),
    ("strPostcode", [23, 24], postcode),
    ("strLACode", [25], LA_CODES),
    ("strVoidReason", [16], pick("Transfer", "Death", "Eviction", "Abandoned")),
    ("dtmVoid", [29, 30, 31], a_date("%d/%m/%Y", date(2026, 1, 10), 200)),
    ("intLeadAge", age(1), ADULT),
    ("strLeadSex", sex(1), SEX_FM),
    ("strLeadEthnic", [45], pick("White British", "Irish", "Indian", "African")),
    ("strLeadNat", [46], pick("British", "Polish", "Irish")),
    ("strLeadEcon", ecstat(1), pick("FT", "PT", "Retired", "Unemployed")),
    ("P2Age", age(2), sometimes(ANY_AGE, 0.5)),
    ("P2Sex", sex(2), sometimes(SEX_FM, 0.5)),
    ("P2Rel", relat(2), sometimes(pick("Partner", "Child", "Other"), 0.5)),
    ("P2Econ", ecstat(2), sometimes(pick("FT", "Child", "Retired"), 0.5)),
    ("member3Age", age(3), sometimes(number(0, 16), 0.25)),
    ("member3Sex", sex(3), sometimes(SEX_FM, 0.25)),
    ("strPrevTen", [115], pick("Private rented", "Council", "Family", "Hostel")),
    ("ysnHomeless", [116], weighted(("0", 6), ("-1", 2))),
    ("strReasonLeft", [113], pick("Overcrowding", "End of tenancy", "Domestic abuse", "Asked to leave")),
    ("strPrevPostcode", [118, 119], postcode),
    ("ysnRP", [121], pick("-1", "0")),
    ("curIncome", [137], money(80, 650)),
    ("strIncFreq", [136], pick("Weekly", "Monthly")),
    ("curRent", [142], money(75, 160)),
    ("curServChg", [143], money(0, 25)),
    ("curSuppChg", [145], sometimes(money(5, 40), 0.2)),
    ("strRentFreq", [141], pick("Weekly", "Monthly")),
    ("strHB", [138], pick("HB", "UC", "None")),
    ("memNotes", [], FREE_NOTES),
    ("dtmEntered", [], a_date("%d/%m/%Y")),
    ("strEnteredBy", [], NAMES),
])

FILES = [NORTHGATE, SURVEY, UNIVERSE, SAP_RE, ACCESS]

if __name__ == "__main__":
    labels = write_set(Path(__file__).resolve().parent, FILES)
    print(f"{len(labels)} files, {sum(len(f.columns) for f in FILES)} columns")
