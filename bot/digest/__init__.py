"""Weekly digests: a unit's to-do list for its heads, the overview (text and chart) for office and leadership.

Pure over a Session with the time passed in; the figures come from `compute_progress`, as /tiendo's do.
"""
