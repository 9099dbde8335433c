"""Plan import: a Director's plan (.docx, .txt, .xlsx) to a draft plan YAML for the office to check.

reading → neutral blocks; structure → areas, tasks, responsibilities; units and dates read names and
deadline phrases; draft writes the YAML with comments; roll copies a plan to a new year.
"""
