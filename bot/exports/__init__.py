"""Exports for the province's PAR scoring: the summary workbook, the evidence package, unit calendars."""
