"""Words of unit names as a Sở writes them, for the short form shown where space is tight (WORDING M5):
the kind word and its abbreviation, and the endings dropped where they go without saying. Vocabulary, not
sentences: listed in tests/unit/test_catalogs.py's VOCABULARY."""

SHORT_KINDS = {"division": ("Phòng ", "P. "), "centre": ("Trung tâm ", "TT ")}
SHORT_TRIMS = (" Sở", " của tỉnh", " tỉnh")
