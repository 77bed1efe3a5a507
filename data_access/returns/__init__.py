"""Quarterly returns: templates, parsing, validation and the submission workflow.

A return is one workstream's figures for one financial quarter, as CSV or XLSX, in
one long table ("Return" sheet) with these columns, in any order:

| column | what |
|---|---|
| record | `output`, `spend` or `measure` |
| period | the quarter, `2025/26 Q2` (or the quarter's first day as a date) |
| area_code | ONS code: delivering area (outputs), VRU force area (spend, measures) |
| intervention_id | the intervention (outputs, spend); `TOTAL` on the spend total row |
| code | output type (outputs) or measure code (measures); blank for spend |
| age_band | `all` or `under25` (outputs); `all` otherwise; optional column |
| value | a count (outputs), pounds (spend) or the measure's value |
| numerator, denominator | for percentage measures; optional columns |
| unit | the unit the value is in, as the template gives it |
| intervention, measure, notes | ignored: for the person filling it in |

The whole file is validated before anything is written (`validate_return`); every
problem names its sheet, row, column, the value found and what was expected. A valid
file is written as a draft submission in one transaction, its figures stored with
`is_current = False` so they never count until approved. Approval flips the previous
current figures for the same keys off and this submission's on, in one transaction,
with audit rows; restoring a superseded submission is the same flip in reverse.

Modules: `spec` (records, columns, problems, CSV export, periods, text limits),
`permissions`, `templates`, `readers` (CSV and XLSX with bounded memory),
`validator` (one validator per record type), `uploads`, `workflow` (submit, return,
approve, restore) and `submissions` (the list, files, audit, completeness).
"""
