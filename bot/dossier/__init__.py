"""The PAR self-assessment dossier: criteria as a tree, the documents proving each, warnings before review, the
council stage and the exports the office hands in. Services take a Session (and an Actor where rights matter) and
return frozen dataclasses of facts; words come from this package's own catalog (domain `dossier`).

The API the console calls (rights: `require_admin` for changes, the office or leadership for reading):
- tree: criteria_sets, tree(set_id) → (SetFacts, [Node]), criteria_of_task, load_file (the CLI, with
  criteria_file.parse_criteria_file)
- editing: import_criteria (an uploaded file), update_set, record_score, add_criterion, rename_criterion,
  set_max_points, set_details,
  link_task / unlink_task, link_unit / unlink_unit
- facts: criterion_dossier(criterion_id, today) → CriterionDossier; overview: overview(today, set_id) → Overview
- documents: attach_office_document, link_document (muc/trang; no second upload), leave_out_document,
  office_document_file
- checks: review_warnings(review_id) → [DocWarning], decide_many(review_ids, accept, reason) → Decided
- council: record_council_item → CouncilTask, remind_survey → SurveyReminded
- outline.outline → Outline; files.render_workbook / write_bundle / render_report / write_all
- refusals.refusal_text(Refused) for the keys these services add
"""
