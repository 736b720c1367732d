"""Deployment profiles: sensible defaults for the Baku pilot and the rural legal-help deployments."""

BAKU = {
    "SESIM_THEME": "baku",
    "SESIM_REGIONS": "baku",
    "SESIM_PLUGINS": "sms,email,twitter,facebook,map,stories,export",
    "SESIM_LANGUAGES": "az,ru,en",
    "SESIM_LEGAL_HELP": False,
    "SESIM_EXTRA_CATEGORIES": "",
}

RURAL = {
    "SESIM_THEME": "regions",
    "SESIM_REGIONS": "khachmaz,sabirabad,ismailli,masalli",
    "SESIM_PLUGINS": "sms,email,map,stories,export",
    "SESIM_LANGUAGES": "az,ru",
    "SESIM_LEGAL_HELP": True,
    "SESIM_EXTRA_CATEGORIES": "family-pressure,land-inheritance",
}

PROFILES = {"baku": BAKU, "rural": RURAL}
