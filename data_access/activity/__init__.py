"""Prevention activity: interventions, their quarterly outputs and spend, by tier.

Everything here is restricted (DESIGN.md "Access"): every public function takes the
caller's `scope`, checks `scope.require_area` for the VRU (force) area before any
figure is read, and raises AccessDenied otherwise. The memoized inner functions take
only primitives (codes, ISO dates) and run one aggregating query each (GROUP BY in
SQL); nothing loads a whole table into pandas.

Where the figures are read: the VRU-wide aggregates (tier_summary, reach_over_time,
area_breakdown, area_totals) read the pre-aggregated `output_summary` and
`spend_summary` tables (activity.summaries, kept current by every import and
approval), so their cost does not grow with the raw row count. The per-intervention
figures (interventions, intervention_detail) need one row per intervention and
read the raw, current `intervention_output` and `spend` rows through their
intervention indexes.

Periods: `start` and `end` are dates (a page passes the first day of its "from"
month and the last day of its "to" month). Both are snapped to whole financial
quarters, and a quarter counts when it starts within [start's quarter, end's
quarter], so outputs (by quarter) and spend (by financial year and quarter) cover
exactly the same quarters.

Where the money and the people are counted
- Spend rows belong to the VRU (force) area; a row with an intervention is that
  intervention's spend, a row without one is the core unit (staff, analysts, the
  hub). Tier figures cover interventions only; `area_breakdown` and `area_totals`
  add the core unit, so that the force total reconciles.
- An intervention is delivered by a local authority ("spoke") or by the force area
  itself (force-wide). With `lad_code`, only interventions delivered by that local
  authority count, and the core unit is left out.
- Output totals add up quarterly returns: a young person supported in two quarters
  is counted twice ("young people supported, summed over quarterly returns").

Public functions and their columns
- tier_summary(*, scope, area_code, lad_code=None, start=None, end=None) ->
  TIER_SUMMARY_COLUMNS: one row per tier (primary, secondary, tertiary, always all
  three): tier, tier_label, interventions, young_people_supported,
  young_people_under25, referrals, sessions, completions, staff_trained, spend,
  spend_share (0-1 of spend on interventions), planned, planned_share (NaN where no
  plan is recorded), illustrative.
- tier_plan(*, scope, area_code, lad_code=None) -> PLAN_COLUMNS: the VRU's plan by
  tier: preferred published allocations made to interventions (e.g. Hampshire's
  £233,000 of interventions, 2019/20): tier, financial_year, year_label, planned,
  interventions, source_title, illustrative. Empty when no plan is recorded.
- reach_over_time(*, scope, area_code, lad_code=None, start=None, end=None,
  output_type="young_people_supported", age_band="all") -> REACH_COLUMNS:
  period_start, period ("2019/20 Q3"), tier, tier_label, value, illustrative.
- interventions(*, scope, area_code, tier=None, lad_code=None, start=None,
  end=None) -> INTERVENTION_COLUMNS: intervention_id, name, tier, tier_label,
  delivering_code, delivering_name, delivering_level ("lad" or "pfa"),
  workstream_id, workstream_name, provider, evidence_rating, start_date, end_date,
  young_people_supported, young_people_under25, spend, source_title, illustrative.
- intervention_detail(*, scope, intervention_id, start=None, end=None) -> dict with
  the intervention's facts (INTERVENTION_FACTS) and "quarters", a DataFrame of
  QUARTER_COLUMNS: period_start, period, young_people_supported,
  young_people_under25, referrals, sessions, completions, staff_trained, spend,
  illustrative.
- area_breakdown(*, scope, area_code, start=None, end=None) -> BREAKDOWN_COLUMNS:
  one row per local authority delivering anything, one for force-wide
  interventions and one for the core unit: code, name, kind ("lad", "force",
  "core"), interventions, young_people_supported, spend, illustrative.
- area_totals(*, scope, area_code, lad_code=None, start=None, end=None) -> dict:
  interventions, young_people_supported, young_people_under25, spend (all spend,
  core unit included unless lad_code), spend_interventions, spend_core,
  illustrative. Summed by its own queries (over the summary tables), independently
  of the tier and area breakdowns, so the pages and tests can check that they
  reconcile.

Modules: `activity_filters` (shared checks and WHERE clauses), `tier_activity`,
`reach_rule` (the one reach rule: tier_summary's outputs, money's cost per young
person and the public reach table read it), `intervention_facts` (the one read
of interventions' facts, also read by money.funded_interventions),
`intervention_activity`, `area_activity` and
`summaries` (the pre-aggregated output_summary and spend_summary, kept current by
every write).
"""
