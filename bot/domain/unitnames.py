"""Words of unit names as a Sở writes them, for the short form shown where space is tight (WORDING M5):
the kind word and its abbreviation, and the endings dropped where they go without saying. Vocabulary, not
sentences: listed in tests/unit/test_catalogs.py's VOCABULARY."""

SHORT_KINDS = {"division": ("Phòng ", "P. "), "centre": ("Trung tâm ", "TT ")}
SHORT_TRIMS = (" Sở", " của tỉnh", " tỉnh")
JOINING = ("và", "-", "của")  # a short form never ends on one of these
# A name cut to fit (a folder in an export) never ends on one of these: "… CCHC hằng năm và" reads as broken.
DANGLING = frozenset({*JOINING, "–", "—", "&", "hoặc", "hay", "cho", "với", "về", "các", "những", "trong", "theo",
                      "để", "tại", "từ", "đến", "trên", "thuộc", "do", "nhằm", "đối", "là", "bằng", "qua", "vào"})
# e.g. "Phòng Khảo thí và Kiểm định chất lượng giáo dục" → "P. Khảo thí và Kiểm định…"
