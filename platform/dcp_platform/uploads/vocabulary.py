"""General English vocabulary for reading column headers: words to ignore and common abbreviations.

This is ordinary administrative-data wording, not any collection's field list: collection-specific wording
belongs in the definition (a question's label, error name, option labels and optional `synonyms`).
"""

from __future__ import annotations

STOPWORDS = frozenset(
    ["a", "an", "and", "are", "as", "at", "be", "by", "cd", "desc", "description", "did", "do", "does", "field", "flag", "for", "from", "has", "have", "how", "id", "ind", "indicator", "in", "is", "it", "its", "of", "on", "or", "that", "the", "their", "there", "these", "they", "this", "to", "type", "value", "was", "were", "what", "when", "where", "which", "who", "whom", "will", "with", "you", "your", "yn"]
)

# abbreviation or variant -> the word(s) a definition is likely to use
SYNONYMS: dict[str, str] = {
    "no": "number", "num": "number", "nbr": "number", "nr": "number", "qty": "number", "count": "number",
    "ref": "reference", "reference": "reference", "code": "reference", "number": "reference", "dt": "date", "dte": "date", "d": "day", "dd": "day",
    "mm": "month", "mon": "month", "mth": "month", "yy": "year", "yyyy": "year", "yr": "year",
    "dob": "date birth", "amt": "amount", "chg": "charge", "chrg": "charge", "charges": "charge",
    "svc": "service", "serv": "service", "wk": "week", "wkly": "week", "weekly": "week", "pw": "week",
    "pcm": "month", "monthly": "month", "freq": "often", "frequency": "often", "period": "often",
    "addr": "address", "add1": "address line 1", "add2": "address line 2", "ln": "line", "pc": "postcode",
    "pcode": "postcode", "postal": "postcode", "zip": "postcode", "post": "postcode",
    "hh": "household", "hhold": "household", "hshld": "household", "occupants": "people", "persons": "person",
    "people": "person", "members": "person", "member": "person", "occupant": "person", "p": "person",
    "org": "organisation", "orgn": "organisation", "organization": "organisation", "provider": "organisation",
    "landlord": "organisation owns", "owner": "owns", "owning": "owns", "owned": "owns", "managed": "manages",
    "managing": "manages", "manager": "manages", "la": "local authority", "lad": "local authority",
    "council": "local authority", "borough": "local authority", "district": "local authority",
    "beds": "bedroom", "bedrooms": "bedroom", "bdrm": "bedroom", "bed": "bedroom",
    "tenure": "tenancy", "agreement": "tenancy", "contract": "tenancy", "let": "letting", "lets": "letting",
    "prop": "property", "dwelling": "property", "unit": "unit", "accommodation": "property",
    "gender": "sex", "sexatbirth": "sex registered birth", "ethnicity": "ethnic", "ethnic": "ethnic",
    "nat": "nationality", "citizenship": "nationality", "employment": "working situation",
    "econ": "working situation", "economic": "working situation", "activity": "situation", "status": "situation",
    "occupation": "working situation", "relationship": "partner", "rel": "partner", "relation": "partner",
    "vac": "vacant", "vacancy": "vacant", "void": "void", "voids": "void", "commenced": "start",
    "commencement": "start", "begin": "start", "began": "start", "tenancystart": "tenancy start",
    "startdate": "start date", "enddate": "end date", "rpt": "repair", "repairs": "repair", "mr": "major repair",
    "income": "income", "inc": "income", "net": "income", "earnings": "income", "salary": "income",
    "hb": "housing benefit", "uc": "universal credit", "benefits": "benefit",
    "disabled": "disabled", "disability": "disabled", "wheelchair": "wheelchair", "wc": "wheelchair",
    "illness": "illness", "health": "health", "condition": "condition", "ltc": "illness condition",
    "armed": "armed", "forces": "forces", "military": "armed forces", "veteran": "armed forces",
    "pregnant": "pregnant", "pregnancy": "pregnant", "homelessness": "homeless",
    "prev": "last", "previous": "last", "previously": "last", "prior": "last", "former": "last",
    "pers": "personal", "ten": "tenancy", "loc": "location", "length": "long", "duration": "long",
    "became": "become", "anyone": "anybody", "someone": "anybody",
    "lead": "lead", "main": "lead", "primary": "lead", "head": "lead", "applicant": "tenant",
    "tenants": "tenant", "resident": "tenant", "customer": "tenant", "client": "tenant",
    "sheltered": "older people", "elderly": "older people", "supported": "supported",
    "joint": "joint", "starter": "starter", "introductory": "starter", "fixed": "fixed", "term": "term",
    "years": "year", "nominat": "nominated", "nomination": "nominated",
    "referral": "referral", "referred": "referral", "source": "source", "allocation": "allocated",
    "allocated": "allocated", "cbl": "choice based lettings", "pref": "preference", "rp": "reasonable preference",
    "scheme": "scheme", "location": "location", "uprn": "uprn", "shortfall": "outstanding shortfall",
    "arrears": "outstanding", "rent": "rent", "basic": "basic", "personal": "personal", "support": "support",
    "eligible": "eligible", "gross": "total", "total": "total", "renew": "renewal", "renewed": "renewal",
    "town": "town", "city": "city", "county": "county", "email": "email", "user": "assigned", "officer": "assigned",
    "assignee": "assigned", "sex_reg": "sex registered", "identity": "identify",
}

# Words that say which member of a repeating group a column is about, and the words for "the first one".
ITEM_WORDS = frozenset({"person", "member", "lead", "tenant", "household", "applicant", "occupant"})
FIRST_ITEM_WORDS = frozenset({"lead", "main", "primary", "first", "head"})
